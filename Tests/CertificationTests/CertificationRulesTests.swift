//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import MailMessage
import Spool
import Testing

@testable import Certification

@Suite("Certification rules")
struct CertificationRulesTests {
    @Test(arguments: [
        (0, 1), (1, 1), (5 * 1024 * 1024, 1), (5 * 1024 * 1024 + 1, 2), (20 * 1024 * 1024, 4)
    ])
    func oneUnitPerStartedFiveMegabytes(size: Int, units: Int) {
        #expect(CertificationRules.unitsPerRecipient(size: size, unitSize: 5 * 1024 * 1024) == units)
    }

    @Test func ccModeRecipientsAreToMinusCertifiersWithoutDuplicates() {
        let to = AddressListParser.parse(Array("Bob <bob@example.test>, certify@fefaent.test, carol@example.test".utf8))
        let cc = AddressListParser.parse(Array("bob@example.test, dan@example.test, CERTIFY@fefaent.test".utf8))
        let certifiers: Set = ["certify@fefaent.test"]
        #expect(
            CertificationRules.carbonCopyRecipients(to: to, cc: cc, includeCc: false, certifiers: certifiers)
                == ["bob@example.test", "carol@example.test"]
        )
        #expect(
            CertificationRules.carbonCopyRecipients(to: to, cc: cc, includeCc: true, certifiers: certifiers)
                == ["bob@example.test", "carol@example.test", "dan@example.test"]
        )
        // The local part keeps its case: Bob@ and bob@ may be two mailboxes.
        #expect(
            CertificationRules.submissionRecipients(
                envelope: ["Bob@x.test", "bob@x.test", "bob@X.test"],
                certifiers: []
            )
                == ["Bob@x.test", "bob@x.test"]
        )
    }

    @Test(arguments: [
        ("acme.test", "acme.test", true), ("acme.test", "mail.acme.test", true), ("mail.acme.test", "acme.test", true),
        ("evil.test", "acme.test", false), ("test", "acme.test", false), ("notacme.test", "acme.test", false)
    ])
    func relaxedAlignment(authenticated: String, from: String, aligned: Bool) {
        #expect(CertificationRules.aligned(authenticated, with: from) == aligned)
    }

    @Test func trustedNetworks() {
        #expect(CertificationGate.network("192.0.2.0/24", contains: "192.0.2.200"))
        #expect(!CertificationGate.network("192.0.2.0/24", contains: "192.0.3.1"))
        #expect(CertificationGate.network("2001:db8::/32", contains: "2001:db8:1::5"))
        #expect(CertificationGate.network("127.0.0.1", contains: "127.0.0.1"))
        #expect(!CertificationGate.network("127.0.0.1/33", contains: "127.0.0.1"))
        #expect(!CertificationGate.network("not an address", contains: "127.0.0.1"))
    }

    @Test func bounceAddressesCarryTheToken() {
        let settings = TestSettings.make()
        let token = TrackingToken.make()
        #expect(settings.token(inBounceAddress: settings.bounceAddress(token: token)) == token)
        #expect(settings.token(inBounceAddress: "bounces+\(token)@other.test") == nil)
        #expect(settings.token(inBounceAddress: "bounces+@fefaent.test") == nil)
        #expect(TrackingToken.isWellFormed(token) && !TrackingToken.isWellFormed("../../etc/passwd"))
    }
}

@Suite("Fetch classification")
struct FetchClassifierTests {
    @Test(arguments: [
        (
            "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
            "googleImageProxy"
        ),
        ("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", "yahooImageProxy"),
        ("Mozilla/5.0", "applePrivacyPrefetch"),
        ("Mozilla/5.0 (compatible; Barracuda Sentinel)", "securityScanner"),
        ("python-requests/2.31", "securityScanner"),
        ("", "securityScanner"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0", "mailClient")
    ])
    func userAgents(agent: String, fetcher: String) {
        #expect(FetchClassifier.classify(userAgent: agent).rawValue == fetcher)
    }

    @Test func aFetchWithinSecondsOfDeliveryIsALikelyPrefetch() {
        let delivered = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(FetchClassifier.isLikelyPrefetch(fetchedAt: delivered.addingTimeInterval(2), deliveredAt: delivered))
        #expect(!FetchClassifier.isLikelyPrefetch(fetchedAt: delivered.addingTimeInterval(600), deliveredAt: delivered))
        #expect(FetchClassifier.isLikelyPrefetch(fetchedAt: delivered, deliveredAt: nil))
    }
}

@Suite("Bounce reports")
struct BounceReportTests {
    @Test func rfc3464() throws {
        let bounce = """
            From: MAILER-DAEMON@mx.example.test\r
            To: bounces+abc@fefaent.test\r
            MIME-Version: 1.0\r
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            Sorry.\r
            --b\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; mx.example.test\r
            Arrival-Date: Mon, 30 Nov 2026 10:00:00 +0000\r
            \r
            Final-Recipient: rfc822; bob@example.test\r
            Action: failed\r
            Status: 5.1.1\r
            Remote-MTA: dns; store.example.test\r
            Diagnostic-Code: smtp; 550 5.1.1 <bob@example.test>:\r
             user unknown\r
            --b--\r

            """
        let report = try #require(BounceReport.parse(Array(bounce.utf8)))
        #expect(report.isStandard && report.isPermanentFailure)
        #expect(report.reportingMTA == "mx.example.test")
        let recipient = try #require(report.recipients.first)
        #expect(recipient.address == "bob@example.test" && recipient.status == "5.1.1")
        #expect(recipient.remoteMTA == "store.example.test")
        #expect(recipient.diagnostic == "550 5.1.1 <bob@example.test>: user unknown")
    }

    @Test func aDelayIsNotAFailure() throws {
        let text =
            "Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; b@x.test\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
        let report = try #require(BounceReport.parseDeliveryStatus(Array(text.utf8)))
        #expect(!report.isPermanentFailure)
    }

    @Test func qmailStyleProse() throws {
        let bounce = """
            From: MAILER-DAEMON@example.test\r
            Subject: failure notice\r
            \r
            Hi. This is the qmail-send program at example.test.\r
            I'm afraid I wasn't able to deliver your message to the following addresses.\r
            \r
            <bob@example.test>:\r
            Sorry, no mailbox here by that name. (#5.1.1)\r

            """
        let report = try #require(BounceReport.parse(Array(bounce.utf8)))
        #expect(!report.isStandard && report.isPermanentFailure)
        #expect(report.recipients.first?.status == "5.1.1")
        #expect(report.recipients.first?.address == "bob@example.test")
    }

    @Test func textWithoutAStatusIsNotABounce() {
        #expect(BounceReport.parse(Array("Subject: hello\r\n\r\nJust a reply, thanks!\r\n".utf8)) == nil)
    }
}

enum TestSettings {
    static let key = try! DKIMSigner.Key(pem: Self.pem)
    static func make() -> CertificationSettings {
        CertificationSettings(
            certifierAddresses: ["certify@fefaent.test"],
            invoiceAddresses: ["invoice@fefaent.test"],
            domain: "fefaent.test",
            trackingBaseURL: "https://fefaent.test/",
            signer: DKIMSigner(domain: "fefaent.test", selector: "s", key: Self.key),
            hostname: "fefaent.test"
        )
    }

    // An Ed25519 key, for tests only.
    static let pem = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIHvd1zOCRaDsX3KTH4jmTXwIi9vZ8ZTYIgWsV/5nA1Pn
        -----END PRIVATE KEY-----
        """
}
