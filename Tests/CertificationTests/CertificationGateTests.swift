//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import MailMessage
import SMTPCore
import Spool
import Testing

@testable import Certification

/// DNS that answers from a table, or fails as a resolver that cannot be reached does.
struct TableDNS: MailDNSResolver {
    var txt: [String: [String]] = [:]
    var failing = false

    func txtRecords(for name: String) async throws -> [String] {
        if self.failing { throw MailDNSError("SERVFAIL") }
        return self.txt[name.lowercased()] ?? []
    }
    func addresses(for name: String) async throws -> [String] {
        if self.failing { throw MailDNSError("SERVFAIL") }
        return []
    }
    func mailExchangers(for name: String) async throws -> [String] { [] }
}

@Suite("The certification gate")
struct CertificationGateTests {
    /// What the gate says of ``mail`` from 192.0.2.25, for the account acme (senders *@acme.test, no
    /// trusted network), with `dns` answering the DKIM and SPF lookups.
    static func admit(with dns: TableDNS) async throws -> Admission {
        let folder = NSTemporaryDirectory() + "gate-" + TrackingToken.make()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = try Spool(directory: folder)
        defer { try? spool.close() }
        var account = Account(name: "acme", passwordHash: "$2b$04$x", createdAt: Date())
        account.senderDomains = "acme.test"
        try spool.database.saveAccount(account)
        let gate = CertificationGate(settings: TestSettings.make(), database: spool.database, resolver: dns)
        return await gate.admit(content: Self.mail, envelope: Self.envelope, metadata: Self.metadata)
    }

    static let envelope = Envelope(
        reversePath: ReversePath(stored: "alice@acme.test")!,
        mailParameters: MailParameters(),
        recipients: [
            AcceptedRecipient(
                forwardPath: ForwardPath(stored: "certify@fefaent.test")!,
                parameters: RcptParameters(),
                kind: .certifier
            )
        ],
        heloName: "mail.acme.test",
        protocolName: "ESMTP",
        authenticatedUser: nil,
        chunked: false
    )

    static let mail = Array(
        "From: Alice <alice@acme.test>\r\nTo: bob@example.test\r\nCc: certify@fefaent.test\r\nSubject: x\r\n\r\nHello\r\n"
            .utf8
    )

    static let metadata = ReceptionMetadata(receivedAt: Date(), clientAddress: "192.0.2.25", listener: "mx", tls: nil)

    @Test func aFailingResolverDefersInsteadOfRefusing() async throws {
        guard case .unavailable(let reply) = try await Self.admit(with: TableDNS(failing: true)) else {
            Issue.record("expected a temporary answer")
            return
        }
        #expect(reply.code.rawValue == 451 && reply.enhancedCode?.description == "4.7.5")
    }

    @Test func anSPFFailIsARefusalThatSaysSo() async throws {
        guard case .refused(let refusal) = try await Self.admit(with: TableDNS(txt: ["acme.test": ["v=spf1 -all"]]))
        else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refusal.reason == .senderNotAuthenticated && refusal.account == "acme")
        #expect(refusal.reply.lines.joined().contains("SPF fail for acme.test from 192.0.2.25"))
    }

    @Test func anAlignedSPFPassCertifiesTheToRecipients() async throws {
        guard
            case .certified(let submission) = try await Self.admit(
                with: TableDNS(txt: ["acme.test": ["v=spf1 ip4:192.0.2.0/24 -all"]])
            )
        else {
            Issue.record("expected a certified mail")
            return
        }
        #expect(submission.senderCheck == .spf && submission.senderCheckIdentity == "acme.test")
        #expect(submission.recipients.map(\.address) == ["bob@example.test"])
        #expect(submission.mode == .carbonCopy && submission.units == 1 && submission.senderName == "Alice")
    }
}
