//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import GRDB
import SMTPCore
import Testing

@testable import Spool

@Suite("Evidence outbox")
struct OutboxTests {
    @Test func anAcceptedMessageCommitsWithItsTypedEvent() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path, attestsEvents: true)
        defer { try? spool.close() }
        let content = Array("Subject: hi\r\n\r\nbody\r\n".utf8)
        let id = try await receive(content, into: spool, recipients: ["certify@fefaent.test", "inbox@acme.test"])

        let entries = try spool.database.outbox(after: 0)
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        guard case .submissionAccepted(let event) = entry.event else {
            Issue.record("expected a SubmissionAccepted event, got \(entry.event)")
            return
        }
        let message = try #require(try spool.database.message(id: id))
        #expect(event.queueID == id && event.messageSHA256 == message.sha256 && event.messageSize == content.count)
        #expect(event.recipients.map(\.kind) == [.certifier, .certifier])
        #expect(event.session.listener == "mx" && event.session.tls == nil && event.session.authenticatedAs == nil)
        // The queue row names the evidence id given in the same transaction, and both say the same time.
        #expect(try spool.database.evidenceID(ofMessage: id) == entry.evidenceID)
        func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        #expect(milliseconds(event.receivedAt) == milliseconds(message.receivedAt))
        #expect(entry.evidenceID.count == 27 && entry.evidenceID.hasPrefix("E"))
    }

    @Test func withoutEvidenceNothingIsAttested() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path)
        defer { try? spool.close() }
        _ = try await receive(Array("Subject: x\r\n\r\ny\r\n".utf8), into: spool)
        #expect(try spool.database.outboxCount() == 0)
    }

    @Test func aDeliveryOutcomeAndItsEventAreOneTransaction() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path, attestsEvents: true)
        defer { try? spool.close() }
        let id = try await receive(Array("Subject: x\r\n\r\ny\r\n".utf8), into: spool)
        let recipient = try #require(try spool.database.recipients(of: id).first?.id)
        // Whole seconds: the stored event carries times in milliseconds, compared exactly below.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let outcome = RelayOutcome(
            queueID: id,
            recipient: "certify@fefaent.test",
            recipientRowID: recipient,
            result: .failed,
            failureReason: .rejectedByRemoteServer,
            reply: ReplyFacts(code: 550, enhancedCode: "5.1.1", text: "no such user"),
            remoteHost: "mx.example",
            remoteIP: "192.0.2.1",
            tls: TLSFacts(version: "TLSv1.3", peerCertificateVerified: false),
            attempts: 1,
            submittedAt: now,
            finishedAt: now
        )
        let attempt = RecordedAttempt(
            recipientID: recipient,
            state: .bounced,
            reply: "550 5.1.1 no such user",
            nextAttemptAt: nil,
            remoteHost: "mx.example",
            remoteIP: "192.0.2.1",
            tls: outcome.tls,
            outcome: outcome
        )
        try spool.database.record([attempt], now: now)
        let entries = try spool.database.outbox(after: 0)
        #expect(entries.count == 2)
        #expect(entries.last?.event == .relayOutcome(outcome))
        #expect(try spool.database.evidenceID(ofRecipient: recipient) == entries.last?.evidenceID)
        #expect(try spool.database.recipients(of: id).first?.tls == "TLSv1.3, certificate not verified")
        // Entries come back in order after a sequence, and go once the evidence holds them.
        #expect(try spool.database.outbox(after: entries[0].sequence).map(\.sequence) == [entries[1].sequence])
        try spool.database.pruneOutbox(through: entries[0].sequence)
        #expect(try spool.database.outboxCount() == 1)
    }

    @Test func theAnchorOnlyMovesForward() throws {
        let database = try SpoolDatabase(DatabaseQueue())
        let anchor = EvidenceAnchor(size: 5, root: Array(repeating: 1, count: 32), note: "n", updatedAt: Date())
        try database.saveEvidenceAnchor(anchor)
        #expect(throws: AnchorMovedBack.self) {
            try database.saveEvidenceAnchor(EvidenceAnchor(size: 3, root: [], note: "m", updatedAt: Date()))
        }
        #expect(try database.evidenceAnchor()?.size == 5)
        try database.saveEvidenceAnchor(
            EvidenceAnchor(size: 1, root: [2], note: "after an incident", updatedAt: Date()),
            allowingReset: true
        )
        #expect(try database.evidenceAnchor()?.note == "after an incident")
    }

    @Test(arguments: [
        AttestedEvent.submissionAccepted(
            SubmissionAccepted(
                queueID: "Q1",
                receivedAt: Date(timeIntervalSince1970: 1_795_000_000.123),
                envelopeSender: "ali\"ce\\@acme.test",
                recipients: [
                    .init(address: "certify@fefaent.test", kind: .certifier),
                    .init(address: "jos\u{E9}@x", kind: .relay)
                ],
                messageSHA256: String(repeating: "ab", count: 32),
                messageSize: 4096,
                session: SessionFacts(
                    clientAddress: "::1",
                    heloName: "line\nbreak\u{1}",
                    listener: "mx",
                    protocolName: "ESMTPS",
                    tls: TLSFacts(version: "TLSv1.3", peerCertificateVerified: false),
                    authenticatedAs: nil,
                    clientInTrustedNetwork: true
                )
            )
        ),
        .relayOutcome(
            RelayOutcome(
                queueID: "Q2",
                recipient: "bob@example.test",
                recipientRowID: 7,
                result: .delivered,
                failureReason: nil,
                reply: ReplyFacts(code: 250, enhancedCode: nil, text: "Ok \u{65E5}\u{672C}"),
                remoteHost: nil,
                remoteIP: "192.0.2.1",
                tls: nil,
                attempts: 3,
                submittedAt: Date(timeIntervalSince1970: 1_795_000_000),
                finishedAt: Date(timeIntervalSince1970: 1_795_000_100.5)
            )
        ),
        .relayOutcome(
            RelayOutcome(
                queueID: "Q2",
                recipient: "bob@example.test",
                recipientRowID: 7,
                result: .failed,
                failureReason: .bouncedAfterDelivery,
                reply: ReplyFacts(code: 552, enhancedCode: "5.2.2", text: "mailbox full"),
                remoteHost: "mx.example.test",
                remoteIP: "192.0.2.1",
                tls: nil,
                attempts: 1,
                submittedAt: Date(timeIntervalSince1970: 1_795_000_000),
                finishedAt: Date(timeIntervalSince1970: 1_795_000_100.5),
                supersedes: "E0123456789ABCDEFGHJKMNPQRS"
            )
        ),
        .submissionAccepted(
            SubmissionAccepted(
                queueID: "Q4",
                receivedAt: Date(timeIntervalSince1970: 1_795_000_000.125),
                envelopeSender: "alice@acme.test",
                recipients: [.init(address: "certify@fefaent.test", kind: .certifier)],
                messageSHA256: String(repeating: "cd", count: 32),
                messageSize: 10,
                session: SessionFacts(
                    clientAddress: "127.0.0.1",
                    heloName: "mail.acme.test",
                    listener: "mx",
                    protocolName: "ESMTP",
                    tls: nil,
                    authenticatedAs: nil
                ),
                certification: CertifiedCommitTests.submission(account: "acme", recipients: ["b@x.test"])
            )
        ),
        .submissionRejected(
            SubmissionRejected(
                queueID: "Q5",
                rejectedAt: Date(timeIntervalSince1970: 1_795_000_000.5),
                envelopeSender: "mallory@evil.test",
                envelopeRecipients: ["certify@fefaent.test"],
                headerFrom: nil,
                account: nil,
                reason: .senderNotRegistered,
                reply: ReplyFacts(code: 550, enhancedCode: "5.7.1", text: "not registered"),
                messageSHA256: "00",
                messageSize: 1,
                session: SessionFacts(
                    clientAddress: "192.0.2.9",
                    heloName: "evil",
                    listener: "mx",
                    protocolName: "SMTP",
                    tls: nil,
                    authenticatedAs: nil
                )
            )
        ),
        .submissionAccepted(
            SubmissionAccepted(
                queueID: "Q5",
                receivedAt: Date(timeIntervalSince1970: 1_795_000_400.5),
                envelopeSender: "frank@supplier.test",
                recipients: [.init(address: "claims@acme.test", kind: .reception)],
                messageSHA256: String(repeating: "c", count: 64),
                messageSize: 900,
                session: SessionFacts(
                    clientAddress: "192.0.2.7",
                    heloName: "mail.supplier.test",
                    listener: "mx",
                    protocolName: "ESMTPS",
                    tls: TLSFacts(version: "TLSv1.3", peerCertificateVerified: false),
                    authenticatedAs: nil
                ),
                reception: ReceptionFacts(
                    mailboxes: ["claims@acme.test"],
                    account: nil,
                    units: 1,
                    headerFrom: "Frank \"F\" <frank@supplier.test>",
                    authentication: AuthenticationFacts(
                        fromDomain: "supplier.test",
                        spf: .softfail,
                        spfDomain: "supplier.test",
                        dkim: [.init(result: .pass, domain: "supplier.test"), .init(result: .permerror, domain: nil)],
                        dmarc: .fail,
                        dmarcPolicy: nil
                    )
                )
            ).withContent(
                ContentFacts(
                    messageID: "<claim-1@supplier.test>",
                    subject: "Claim \"17\" \u{2014} due",
                    parts: [
                        .init(
                            name: nil,
                            contentType: "text/plain",
                            size: 12,
                            sha256: String(repeating: "d", count: 64)
                        ),
                        .init(name: "factura ñ.pdf", contentType: "application/pdf", size: 4096, sha256: "e")
                    ]
                )
            )
        ),
        .trackingFetched(
            TrackingFetched(
                queueID: "Q4",
                recipient: "b@x.test",
                recipientRowID: 3,
                fetchedAt: Date(timeIntervalSince1970: 1_795_000_300),
                clientIP: "66.249.84.1",
                userAgent: "GoogleImageProxy",
                fetcher: .googleImageProxy,
                likelyPrefetch: true,
                firstFetch: true,
                deliveryEvidenceID: nil
            )
        ),
        .noticeQueued(
            NoticeQueued(
                kind: .delayReport,
                notice: SpooledContent(queueID: "Q3", sha256: "00", size: 1),
                aboutQueueID: "Q2",
                aboutSubmittedAt: Date(timeIntervalSince1970: 1_795_000_000),
                noticeRecipient: "alice@acme.test",
                reportedRecipients: ["a@b", "c@d"],
                queuedAt: Date(timeIntervalSince1970: 1_795_000_200.25)
            )
        )
    ])
    func thePayloadDecodesToTheSameEvent(_ event: AttestedEvent) throws {
        #expect(try OutboxEntry.decode(EncodedEvent(event).payload) == event)
    }

    @Test func evidenceIDsAreRandomAndWellFormed() {
        let ids = (0..<1_000).map { _ in EvidenceID.make() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 27 && $0.utf8.allSatisfy { $0 < 0x80 } })
    }
}

extension SubmissionAccepted {
    /// The event with the facts the ingress read of the message.
    fileprivate func withContent(_ content: ContentFacts) -> SubmissionAccepted {
        var event = self
        event.content = content
        return event
    }
}
