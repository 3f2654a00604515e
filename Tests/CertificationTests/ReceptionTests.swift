//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import MailMessage
import Spool
import Testing

@testable import Certification

@Suite("Reception: acknowledgement rules, DMARC, Authentication-Results")
struct ReceptionTests {
    static let passing = AuthenticationFacts(
        fromDomain: "sender.test",
        spf: .pass,
        spfDomain: "sender.test",
        dkim: [],
        dmarc: .pass,
        dmarcPolicy: "reject"
    )
    static let policy = AcknowledgementPolicy { address in
        address == "claims@company.test" || address.hasSuffix("@fefaent.test")
    }

    static func headers(_ text: String) -> [HeaderField] {
        MessageParser.parse(Array((text + "\r\nbody\r\n").utf8)).headers
    }

    static func suppression(
        sender: String = "alice@sender.test",
        headers: String = "From: alice@sender.test\r\n",
        authentication: AuthenticationFacts = passing
    ) -> AcknowledgementSuppression? {
        policy.suppression(envelopeSender: sender, headers: Self.headers(headers), authentication: authentication)
    }

    @Test func anAuthenticatedSenderIsAcknowledged() {
        #expect(Self.suppression() == nil)
        #expect(Self.suppression(headers: "Auto-Submitted: no\r\n") == nil)
        // A DKIM signature aligned with the envelope sender's domain vouches as SPF does.
        var dkim = Self.passing
        dkim.spf = .fail
        dkim.dkim = [.init(result: .pass, domain: "sender.test")]
        #expect(Self.suppression(authentication: dkim) == nil)
    }

    @Test func rfc3834Rules() {
        #expect(Self.suppression(sender: "") == .nullSender)
        #expect(Self.suppression(headers: "Auto-Submitted: auto-replied\r\n") == .autoSubmitted)
        #expect(Self.suppression(headers: "auto-submitted: Auto-Generated\r\n") == .autoSubmitted)
        #expect(Self.suppression(headers: "List-Id: <x.lists.test>\r\n") == .mailingList)
        #expect(Self.suppression(headers: "List-Unsubscribe: <mailto:u@x.test>\r\n") == .mailingList)
        for precedence in ["bulk", "list", "Junk"] {
            #expect(Self.suppression(headers: "Precedence: \(precedence)\r\n") == .mailingList)
        }
        #expect(Self.suppression(headers: "Precedence: first-class\r\n") == nil)
        #expect(Self.suppression(sender: "Claims@Company.test") == .ownAddress)
        #expect(Self.suppression(sender: "bounces+x@fefaent.test") == .ownAddress)
    }

    @Test func withoutSigningKeyOrEvidenceNothingIsPromised() {
        let policy = AcknowledgementPolicy(canAcknowledge: false) { _ in false }
        let suppression = policy.suppression(
            envelopeSender: "alice@sender.test",
            headers: Self.headers("From: alice@sender.test\r\n"),
            authentication: Self.passing
        )
        #expect(suppression == .notConfigured)
    }

    @Test func aForgedSenderGetsNoBackscatter() {
        var forged = Self.passing
        forged.spf = .fail
        #expect(Self.suppression(authentication: forged) == .senderNotAuthenticated)
        // DKIM passing for another domain, or failing, vouches for nothing.
        forged.dkim = [.init(result: .pass, domain: "elsewhere.test"), .init(result: .fail, domain: "sender.test")]
        #expect(Self.suppression(authentication: forged) == .senderNotAuthenticated)
        // SPF passing for the HELO name (a null sender's check) does not vouch for another sender domain.
        var helo = Self.passing
        helo.spfDomain = "mail.other.test"
        #expect(Self.suppression(authentication: helo) == .senderNotAuthenticated)
    }

    @Test func dmarcRecords() {
        let record = DMARCRecord("v=DMARC1; p=reject; adkim=s; rua=mailto:x@y.test")
        #expect(record?.policy == .reject && record?.strictDKIM == true && record?.strictSPF == false)
        #expect(DMARCRecord("v=DMARC1;p=quarantine")?.policy == .quarantine)
        #expect(DMARCRecord("v=spf1 -all") == nil)
        #expect(DMARCRecord("p=reject; v=DMARC1") == nil)  // v= must come first
        #expect(DMARCRecord("v=DMARC1; p=maybe") == nil)
        #expect(
            DMARCRecord.lookupNames(fromDomain: "mail.sender.test") == ["_dmarc.mail.sender.test", "_dmarc.sender.test"]
        )
        #expect(DMARCRecord.lookupNames(fromDomain: "sender.test") == ["_dmarc.sender.test"])
    }

    @Test func dmarcEvaluation() async {
        struct Zone: MailDNSResolver {
            var txt: [String: [String]]
            func txtRecords(for name: String) async throws -> [String] { self.txt[name] ?? [] }
            func addresses(for name: String) async throws -> [String] { [] }
            func mailExchangers(for name: String) async throws -> [String] { [] }
        }
        let authenticator = SenderAuthenticator(
            resolver: Zone(txt: ["_dmarc.sender.test": ["v=DMARC1; p=reject; aspf=s"]])
        )
        var facts = Self.passing
        #expect(await authenticator.dmarc(facts) == (.pass, "reject"))
        // Strict SPF alignment: a subdomain's pass does not count.
        facts.spfDomain = "mail.sender.test"
        #expect(await authenticator.dmarc(facts) == (.fail, "reject"))
        // Relaxed DKIM alignment: a subdomain's signature counts.
        facts.dkim = [.init(result: .pass, domain: "mail.sender.test")]
        #expect(await authenticator.dmarc(facts) == (.pass, "reject"))
        facts.fromDomain = "nodmarc.test"
        #expect(await authenticator.dmarc(facts) == (.none, nil))
    }

    @Test func authenticationResultsHeader() {
        var facts = Self.passing
        facts.dkim = [.init(result: .fail, domain: "sender.test")]
        let header = facts.header(authservID: "fefaent.test", envelopeSender: "alice@sender.test")
        #expect(
            header
                == "Authentication-Results: fefaent.test;\r\n\tspf=pass smtp.mailfrom=alice@sender.test;\r\n"
                + "\tdkim=fail header.d=sender.test;\r\n\tdmarc=pass (p=reject) header.from=sender.test\r\n"
        )
        // The header parses back as one field.
        let parsed = MessageParser.parse(Array((header + "\r\nx\r\n").utf8))
        #expect(parsed.headers.count == 1 && parsed.headers[0].hasName("Authentication-Results"))
    }
}
