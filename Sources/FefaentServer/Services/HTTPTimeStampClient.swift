//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
public import Evidence
public import Foundation
public import X509

/// An RFC 3161 client for an external TSA over HTTP (RFC 3161 §3.4): POST `application/timestamp-query`,
/// read `application/timestamp-reply`, and keep the token only if it verifies.
public struct HTTPTimeStampClient: TimeStamping {
    public let url: URL
    public let trustedRoots: [Certificate]
    public let timeout: TimeInterval

    public init(url: URL, trustedRoots: [Certificate], timeout: TimeInterval = 10) {
        self.url = url
        self.trustedRoots = trustedRoots
        self.timeout = timeout
    }

    public func timeStamp(digest: [UInt8]) async throws -> [UInt8] {
        let nonce = (0..<8).map { _ in UInt8.random(in: 0...255) }
        let answer = try await HTTPPost.send(
            TimeStampRequest(digest: digest, nonce: nonce).der,
            to: self.url.absoluteString,
            contentType: "application/timestamp-query",
            timeout: .milliseconds(Int64(self.timeout * 1000))
        )
        guard answer.status == 200 else {
            throw EvidenceProblem("the TSA at \(self.url) answered HTTP \(answer.status)")
        }
        let token = try TimeStampToken.token(fromResponse: answer.body)
        _ = try TimeStampToken(verifying: token, for: digest, trustedRoots: self.trustedRoots)
        return token
    }
}
