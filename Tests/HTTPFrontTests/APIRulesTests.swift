//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import FefaentAPI
import Foundation
import SMTPNIO
import Spool
import Testing

@testable import HTTPFront

/// The API's pure rules: the rate limit, the client address behind proxies, the key format.
struct APIRulesTests {
    @Test func aBurstThenTheRate() {
        var buckets = TokenBuckets(ratePerSecond: 2, burst: 3)
        #expect((0..<3).map { _ in buckets.take("k", now: 0) } == [.allowed, .allowed, .allowed])
        #expect(buckets.take("k", now: 0) == .limited(retryAfterSeconds: 1))
        #expect(buckets.take("other", now: 0) == .allowed)  // each key has its own bucket
        #expect(buckets.take("k", now: 0.5) == .allowed)  // one token after half a second
        #expect(buckets.take("k", now: 0.5) == .limited(retryAfterSeconds: 1))
        #expect(buckets.take("k", now: 10) == .allowed)
    }

    @Test func aSlowRateTellsHowLongToWait() {
        var buckets = TokenBuckets(ratePerSecond: 0.1, burst: 1)
        #expect(buckets.take("k", now: 0) == .allowed)
        #expect(buckets.take("k", now: 1) == .limited(retryAfterSeconds: 9))
    }

    @Test func forwardedForIsBelievedOnlyFromAProxy() {
        let resolver = ClientAddressResolver(trustedProxies: [IPNetwork("10.0.0.0/8")!, IPNetwork("::1")!])
        // Straight from a client: the header is the client's own words.
        #expect(resolver.client(peer: "198.51.100.7", forwardedFor: ["203.0.113.9"]) == "198.51.100.7")
        // Through the proxy: the last address the proxy appended.
        #expect(resolver.client(peer: "10.0.0.2", forwardedFor: ["203.0.113.9"]) == "203.0.113.9")
        // A client that forges a first entry: the proxy appended the real one after it.
        #expect(resolver.client(peer: "10.0.0.2", forwardedFor: ["1.2.3.4, 203.0.113.9"]) == "203.0.113.9")
        // Two proxies: skipped from the right.
        #expect(resolver.client(peer: "::1", forwardedFor: ["203.0.113.9", "10.1.1.1"]) == "203.0.113.9")
        // Garbage: the peer, never a made-up address.
        #expect(resolver.client(peer: "10.0.0.2", forwardedFor: ["unknown"]) == "10.0.0.2")
        #expect(resolver.client(peer: "10.0.0.2", forwardedFor: [""]) == "10.0.0.2")
        #expect(
            ClientAddressResolver(trustedProxies: []).client(peer: "10.0.0.2", forwardedFor: ["1.2.3.4"]) == "10.0.0.2"
        )
    }

    @Test func keysAreParsedAndCheckedByTheirDigest() {
        let issued = IssuedAPIKey.make(account: "acme", label: "")
        let parsed = APIKey.parse(issued.token)
        #expect(parsed?.id == issued.key.id)
        #expect(parsed.map { issued.key.matches(secret: $0.secret) } == true)
        #expect(!issued.key.matches(secret: String(parsed!.secret.reversed())))
        #expect(APIKey.parse("fk_zz_short") == nil)
        #expect(APIKey.parse(issued.token + "x") == nil)
        #expect(
            !issued.key.secretSha256.isEmpty && !issued.token.contains(issued.key.secretSha256.base64EncodedString())
        )
    }

    @Test func repliesAreSplitIntoTheirParts() {
        let reply = APIMessageView.reply("250 2.0.0 Ok: queued as 4Xyz")
        #expect(reply.code == 250 && reply.enhancedCode == "2.0.0" && reply.text == "Ok: queued as 4Xyz")
        let plain = APIMessageView.reply("550 no such user")
        #expect(plain.code == 550 && plain.enhancedCode == nil && plain.text == "no such user")
    }
}
