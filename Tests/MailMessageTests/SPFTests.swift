//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import MailMessage

@Suite struct SPFTests {
    static let dns = StaticDNS(
        txt: [
            "example.test": [
                "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.partner.test a:web.example.test/28 -all"
            ],
            "_spf.partner.test": ["v=spf1 mx -all"],
            "partner.test": ["v=spf1 redirect=_spf.partner.test"],
            "soft.test": ["some other TXT record", "v=spf1 ~all"],
            "two.test": ["v=spf1 -all", "v=spf1 +all"],
            "macro.test": ["v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all"],
            "1.2.0.192.alice._spf.macro.test": [],
            "loop.test": ["v=spf1 include:loop.test -all"],
            "voids.test": ["v=spf1 a:n1.voids.test a:n2.voids.test a:n3.voids.test -all"],
            "neutral.test": ["v=spf1 ?ip4:198.51.100.1"],
            "badredirect.test": ["v=spf1 redirect=nothing.test"]
        ],
        hosts: [
            "web.example.test": ["203.0.113.20"],
            "mx.partner.test": ["198.51.100.7", "2001:db8:ffff::7"],
            "1.2.0.192.alice._spf.macro.test": ["127.0.0.2"]
        ],
        mx: ["_spf.partner.test": ["mx.partner.test"]],
        failing: ["down.test"]
    )

    static func check(_ ip: String, _ domain: String, sender: String = "alice@example.test") async -> SPFResult {
        await SPFEvaluator(resolver: Self.dns).check(ip: IPAddress(ip)!, domain: domain, sender: sender)
    }

    @Test func mechanismsMatchAsTheRFCSays() async {
        #expect(await Self.check("192.0.2.55", "example.test") == .pass)
        #expect(await Self.check("2001:db8:1::1", "example.test") == .pass)
        #expect(await Self.check("203.0.113.17", "example.test") == .pass)  // a:/28
        #expect(await Self.check("203.0.113.40", "example.test") == .fail)
        #expect(await Self.check("198.51.100.7", "example.test") == .pass)  // include -> mx
        #expect(await Self.check("2001:db8:ffff::7", "partner.test") == .pass)  // redirect -> mx, IPv6
        #expect(await Self.check("::ffff:192.0.2.9", "example.test") == .pass)  // IPv4-mapped
        #expect(await Self.check("10.0.0.1", "soft.test") == .softfail)
        #expect(await Self.check("198.51.100.1", "neutral.test") == .neutral)
        #expect(await Self.check("198.51.100.2", "neutral.test") == .neutral)  // no match, no all
        #expect(await Self.check("10.0.0.1", "nothing.test") == .none)
    }

    @Test func errorsAreClassified() async {
        guard case .permerror = await Self.check("10.0.0.1", "two.test") else {
            Issue.record("two records")
            return
        }
        guard case .permerror = await Self.check("10.0.0.1", "loop.test") else {
            Issue.record("lookup limit")
            return
        }
        guard case .permerror = await Self.check("10.0.0.1", "voids.test") else {
            Issue.record("void limit")
            return
        }
        guard case .permerror = await Self.check("10.0.0.1", "badredirect.test") else {
            Issue.record("redirect")
            return
        }
        guard case .temperror = await Self.check("10.0.0.1", "down.test") else {
            Issue.record("DNS failure")
            return
        }
    }

    @Test func macrosExpand() async throws {
        #expect(await Self.check("192.0.2.1", "macro.test", sender: "alice@example.test") == .pass)
        #expect(await Self.check("192.0.2.2", "macro.test", sender: "alice@example.test") == .fail)
        // RFC 7208 §7.4's examples.
        let context = MacroContext(
            ip: IPAddress("192.0.2.3")!,
            sender: "strong-bad@email.example.com",
            helo: "mx.example.org"
        )
        var withDomain = context
        withDomain.domain = "email.example.com"
        #expect(try SPFEvaluator.expand("%{s}", context: withDomain) == "strong-bad@email.example.com")
        #expect(try SPFEvaluator.expand("%{d4}", context: withDomain) == "email.example.com")
        #expect(try SPFEvaluator.expand("%{d2}", context: withDomain) == "example.com")
        #expect(try SPFEvaluator.expand("%{dr}", context: withDomain) == "com.example.email")
        #expect(try SPFEvaluator.expand("%{l-}", context: withDomain) == "strong.bad")
        #expect(
            try SPFEvaluator.expand("%{ir}.%{v}._spf.%{d2}", context: withDomain)
                == "3.2.0.192.in-addr._spf.example.com"
        )
        let v6 = MacroContext(ip: IPAddress("2001:db8::cb01")!, sender: "a@b.test", helo: "h")
        #expect(
            try SPFEvaluator.expand("%{ir}.%{v}", context: v6)
                == "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6"
        )
    }

    @Test func addressesParse() {
        #expect(IPAddress("2001:db8::1")?.bytes.count == 16)
        #expect(IPAddress("::1")?.description == "0:0:0:0:0:0:0:1")
        #expect(IPAddress("256.1.1.1") == nil)
        #expect(IPAddress("1:2:3:4:5:6:7:8:9") == nil)
        #expect(IPAddress("192.0.2.1")!.matches(IPAddress("192.0.2.200")!, prefix: 24))
        #expect(!IPAddress("192.0.3.1")!.matches(IPAddress("192.0.2.200")!, prefix: 24))
    }
}
