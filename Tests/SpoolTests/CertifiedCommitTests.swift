//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import GRDB
import NIOCore
import SMTPCore
import Testing

@testable import Spool

@Suite("Certified commits: the charge in the spool's transaction")
struct CertifiedCommitTests {
    static func submission(account: String, recipients: [String], unitsEach: Int = 1) -> CertifiedSubmission {
        CertifiedSubmission(
            account: account,
            mode: .carbonCopy,
            certifier: "certify@fefaent.test",
            invoice: false,
            invoiceFiles: [],
            senderAddress: "alice@acme.test",
            senderName: "Alice",
            senderCheck: .trustedNetwork,
            senderCheckIdentity: "127.0.0.0/8",
            language: .catalan,
            subject: "Contract",
            recipients: recipients.map { .init(address: $0, token: TrackingToken.make()) },
            unitsPerRecipient: unitsEach
        )
    }

    static func commit(_ spool: Spool, _ submission: CertifiedSubmission) async -> (String, Result<Void, any Error>) {
        let id = QueueID.make()
        var message = spool.beginMessage(queueID: id, header: ByteBuffer(string: "Received: test\r\n"))
        try! message.append(ByteBuffer(string: "From: alice@acme.test\r\nSubject: Contract\r\n\r\nbody\r\n"))
        let sealed = try! message.seal()
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<Void, any Error>, Never>) in
            spool.commit(
                sealed,
                envelope: envelope(recipients: ["certify@fefaent.test"]),
                metadata: metadata,
                certification: submission
            ) { continuation.resume(returning: $0) }
        }
        return (id, result)
    }

    @Test func aMailTheBalanceDoesNotCoverLeavesNoTrace() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path, attestsEvents: true)
        defer { try? spool.close() }
        try spool.database.saveAccount(Account(name: "acme", passwordHash: "$2b$04$x", createdAt: Date()))
        try spool.database.credit(account: "acme", units: 3, actor: "test", reason: "opening")

        // Sent at once, the two commits may share a batch: each is charged in its own savepoint.
        async let first = Self.commit(spool, Self.submission(account: "acme", recipients: ["b@x.test", "c@x.test"]))
        async let second = Self.commit(spool, Self.submission(account: "acme", recipients: ["d@x.test", "e@x.test"]))
        let results = await [first, second]
        let accepted = results.filter {
            guard case .success = $0.1 else { return false }
            return true
        }
        let refused = results.compactMap { result -> (String, InsufficientUnits)? in
            if case .failure(let error as InsufficientUnits) = result.1 { return (result.0, error) }
            return nil
        }
        #expect(accepted.count == 1 && refused.count == 1)
        let (refusedID, refusal) = try #require(refused.first)
        #expect(refusal == InsufficientUnits(account: "acme", balance: 1, price: 2))
        #expect(try spool.database.message(id: refusedID) == nil)
        #expect(try spool.database.recipients(of: refusedID).isEmpty)

        let acceptedID = try #require(accepted.first?.0)
        let recipients = try spool.database.recipients(of: acceptedID)
        #expect(recipients.map(\.kind) == ["certified", "certified"])
        #expect(recipients.allSatisfy { $0.token?.count == 26 && $0.notify == nil })
        let certified = try #require(try spool.database.certifiedMessage(id: acceptedID))
        #expect(certified.units == 2 && certified.language == .catalan && certified.account == "acme")

        let ledger = try spool.database.ledger(of: "acme")
        #expect(ledger.map(\.change) == [3, -2])
        #expect(ledger.last?.queueId == acceptedID && ledger.last?.balanceAfter == 1)
        #expect(try spool.database.account(named: "acme")?.balance == 1)
        // One acceptance attested, with its certification; nothing for the refused mail.
        let entries = try spool.database.outbox(after: 0)
        #expect(entries.count == 1)
        guard case .submissionAccepted(let event) = entries.first?.event else {
            Issue.record("expected the acceptance")
            return
        }
        #expect(event.certification?.units == 2 && event.queueID == acceptedID)
    }

    @Test func theLedgerRefusesRewrites() throws {
        let database = try SpoolDatabase(DatabaseQueue())
        try database.saveAccount(Account(name: "acme", passwordHash: "$2b$04$x", createdAt: Date()))
        try database.credit(account: "acme", units: 10, actor: "test", reason: "opening")
        #expect(throws: (any Error).self) {
            try database.writer.write { db in try db.execute(sql: "UPDATE ledger SET change = 99") }
        }
        #expect(throws: (any Error).self) {
            try database.writer.write { db in try db.execute(sql: "DELETE FROM ledger") }
        }
        #expect(throws: InsufficientUnits.self) {
            try database.credit(account: "acme", units: -11, actor: "test", reason: "too much")
        }
        #expect(try database.ledger(of: "acme").map(\.balanceAfter) == [10])
    }

    @Test func aFetchIsRecordedOnceAsFirstAndUnknownTokensNotAtAll() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path, attestsEvents: true)
        defer { try? spool.close() }
        try spool.database.saveAccount(Account(name: "acme", passwordHash: "$2b$04$x", createdAt: Date()))
        try spool.database.credit(account: "acme", units: 3, actor: "test", reason: "opening")
        let submission = Self.submission(account: "acme", recipients: ["b@x.test"])
        _ = await Self.commit(spool, submission)
        let token = submission.recipients[0].token
        func fetch(_ token: String) throws -> TrackingFetched? {
            try spool.database.recordFetch(token: token) { recipient, first in
                TrackingFetched(
                    queueID: recipient.queueID,
                    recipient: recipient.address,
                    recipientRowID: recipient.rowID,
                    fetchedAt: Date(),
                    clientIP: "192.0.2.7",
                    userAgent: "Thunderbird",
                    fetcher: .mailClient,
                    likelyPrefetch: false,
                    firstFetch: first,
                    deliveryEvidenceID: nil
                )
            }
        }
        #expect(try fetch(token)?.firstFetch == true)
        #expect(try fetch(token)?.firstFetch == false)
        #expect(try fetch(TrackingToken.make()) == nil)
        #expect(try spool.database.outbox(after: 0).count == 3)  // the acceptance and two fetches
    }
}
