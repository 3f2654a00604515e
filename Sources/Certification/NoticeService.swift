//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Evidence
public import Foundation
import CMalloc
public import Logging
import SMTPCore
public import Spool

/// Sends the notices of certified mail, driven by the evidence log: a notice reports a record that
/// is signed, time-stamped and covered by a checkpoint, so its PDF can carry the record's proof.
///
/// - SubmissionAcceptance of a certified mail: the processing notice.
/// - RelayToNonERDS: the delivery certificate, with the message's evidence PDF.
/// - RelayToNonERDSFailure (a refusal, an expiry, a late bounce): the non-delivery certificate.
/// - The first TrackingResourceFetched of a recipient: the opening addendum (later fetches are in
///   the message's evidence PDF only).
///
/// Notices go through the queue like any mail, from `<>` (a notice that bounces is recorded by its
/// own delivery record and never answered), each with its own SenderNotification record. The log
/// index of the last record handled is kept in the queue database; a crash between queueing a
/// notice and moving that mark sends the notice again (at least once, never lost).
public struct NoticeService: Sendable {
    public let settings: CertificationSettings
    public let spool: Spool
    public let log: EvidenceLog
    /// The signed evidence PDF of a message (all its records so far); `nil` when this server cannot
    /// draw one (no fonts): the certificates then say so and name the evidence id instead.
    public let makePDF: (@Sendable (_ queueID: String) async throws -> [UInt8])?
    public let logger: Logger
    /// A notice about a message larger than this is made on its own, none beside it: its PDF embeds
    /// the message and its mail carries the PDF, so a burst of certificates for one large mail (one
    /// per recipient) must not hold several copies of it at once. After it, the memory it freed goes
    /// back to the system: glibc keeps freed blocks of up to 32 MiB in the arena of the thread that
    /// freed them, and the notices run on several threads (several hundred megabytes for 100
    /// certificates of a 20 MB mail, `CERTIFIED=1 NOTICES=1 bench/delivery-memory.sh`).
    static let largeMessage = 4 * 1024 * 1024

    public init(
        settings: CertificationSettings,
        spool: Spool,
        log: EvidenceLog,
        makePDF: (@Sendable (_ queueID: String) async throws -> [UInt8])?,
        logger: Logger
    ) {
        self.settings = settings
        self.spool = spool
        self.log = log
        self.makePDF = makePDF
        self.logger = logger
    }

    /// Queues the notices of the records written since the last call; returns how many.
    ///
    /// A batch of records is handled at once: the notices (and their PDFs) are made and queued by
    /// `concurrency` tasks, so the PDFs use every core and the spool commits the notices together.
    @discardableResult
    public func sendPending(now: Date = Date(), concurrency: Int = 4) async throws -> Int {
        let database = self.spool.database
        let start = (try database.noticeCursor() ?? -1) + 1
        // Only records whose evidence is complete: each time-stamped (CAdES-T) and inside a checkpoint
        // that is time-stamped too. A checkpoint is written a moment before the time-stamps of its
        // round land: a notice made in between would carry a PDF that does not verify.
        let covered = try self.log.store.completeSize(from: start)
        guard covered > start else { return 0 }
        let records = try self.log.store.records(from: start, limit: min(500, covered - start))
        guard let last = records.last else { return 0 }
        // Acknowledgements are decided first, in one transaction, so that the hourly limit per sender
        // holds however many are made at once.
        let acknowledgements = try database.reserveAcknowledgements(
            messageIDs: records.filter { $0.kind == EvidenceRecord.Kind.receivedFromNonERDS.rawValue }.map(\.queueID),
            now: now
        )
        let sent = try await withThrowingTaskGroup(of: (sent: Int, weight: Int).self) { group in
            var next = records.makeIterator()
            var load = 0
            var sent = 0
            while let stored = next.next() {
                let acknowledgement = acknowledgements[stored.queueID]
                if stored.kind == EvidenceRecord.Kind.receivedFromNonERDS.rawValue, acknowledgement == nil {
                    continue
                }
                // A large message's notice weighs the whole concurrency: it runs alone.
                let large = (try database.message(id: stored.queueID)?.size ?? 0) > Self.largeMessage
                let weight = large ? max(concurrency, 1) : 1
                while load + weight > concurrency, let done = try await group.next() {
                    sent += done.sent
                    load -= done.weight
                }
                load += weight
                group.addTask { [acknowledgement] in
                    defer { if large { _ = fefaent_release_free_memory() } }
                    if let acknowledgement {
                        let notice = try await self.acknowledgement(of: acknowledgement, stored: stored)
                        let queueID = try await self.enqueue(notice, about: stored, now: now)
                        try self.spool.database.setAcknowledgement(
                            receptionID: acknowledgement.id,
                            .sent,
                            reason: nil,
                            queueID: queueID
                        )
                        return (1, weight)
                    }
                    guard let notice = try await self.notice(for: stored) else { return (0, weight) }
                    try await self.enqueue(notice, about: stored, now: now)
                    return (1, weight)
                }
            }
            for try await done in group { sent += done.sent }
            return sent
        }
        try database.setNoticeCursor(last.leafIndex)
        return sent
    }

    func notice(for stored: StoredRecord) async throws -> (Notice, [String], Date)? {
        let record = try EvidenceRecord(json: try CanonicalJSON(parsing: stored.body))
        guard let certified = try self.spool.database.certifiedMessage(id: record.queueID) else { return nil }
        let text = NoticeText(language: certified.language)
        let time = record.time.description
        let kind: NoticeQueued.Kind
        var lines: [(label: String, value: String)] = []
        var withPDF = true
        switch record.kind {
        case .submissionAcceptance:
            kind = .processingNotice
            withPDF = false
            lines.append((text.label(.recipients), record.recipients.joined(separator: ", ")))
            lines.append((text.label(.units), "\(record.certification?.units ?? certified.units)"))
        case .relayToNonERDS, .relayToNonERDSFailure:
            kind = record.kind == .relayToNonERDS ? .deliveryCertificate : .nonDeliveryCertificate
            lines.append((text.label(.recipient), record.recipients.joined(separator: ", ")))
            if case .relay(_, _, _, let reply) = record.details {
                lines.append((text.label(.reply), reply))
            }
        case .trackingResourceFetched:
            let recipient = record.recipients.first ?? ""
            let earlier = try self.log.store.records(queueID: record.queueID).contains { other in
                other.leafIndex < stored.leafIndex && other.kind == EvidenceRecord.Kind.trackingResourceFetched.rawValue
                    && (try? EvidenceRecord(json: try CanonicalJSON(parsing: other.body)))?.recipients.first
                        == recipient
            }
            guard !earlier else { return nil }
            kind = .openingAddendum
            lines.append((text.label(.recipient), recipient))
            if case .fetch(let ip, let agent, let classification, let prefetch) = record.details {
                lines.append(
                    (
                        text.label(.fetchedBy),
                        "\(classification)\(prefetch ? " (pre-fetch)" : ""), \(ip), \(agent)"
                    )
                )
            }
        case .contentHandover, .contentHandoverFailure:
            // The first handover of each recipient, and each expiry, get a certificate.
            if record.kind == .contentHandover {
                let recipient = record.recipients.first ?? ""
                let earlier = try self.log.store.records(queueID: record.queueID).contains { other in
                    other.leafIndex < stored.leafIndex && other.kind == EvidenceRecord.Kind.contentHandover.rawValue
                        && (try? EvidenceRecord(json: try CanonicalJSON(parsing: other.body)))?.recipients.first
                            == recipient
                }
                guard !earlier else { return nil }
            }
            kind = record.kind == .contentHandover ? .accessCertificate : .nonAccessCertificate
            lines.append((text.label(.recipient), record.recipients.joined(separator: ", ")))
            if let document = record.attachments.first {
                lines.append((text.label(.document), "\(document.name ?? "") (SHA-256 \(document.sha256))"))
            }
            if case .fetch(let ip, let agent, _, _) = record.details {
                lines.append((text.label(.fetchedBy), "\(ip), \(agent)"))
            }
        default:
            return nil
        }
        lines.append((text.label(.time), time))
        var pdf: (name: String, bytes: [UInt8])? = nil
        if withPDF, let makePDF = self.makePDF {
            pdf = ("fefaent-\(record.queueID)-\(record.evidenceID).pdf", try await makePDF(record.queueID))
        } else if withPDF {
            lines.append((text.label(.noPDF), record.evidenceID))
        }
        let notice = Notice(
            kind: kind,
            language: certified.language,
            to: certified.senderAddress,
            toName: certified.senderName,
            originalSubject: certified.subject ?? "",
            lines: lines,
            evidenceID: record.evidenceID,
            queueID: record.queueID,
            invoice: certified.invoice,
            pdf: pdf
        )
        return (notice, record.recipients, record.submissionTime?.date ?? record.time.date)
    }

    @discardableResult
    func enqueue(_ item: (Notice, [String], Date), about stored: StoredRecord?, now: Date) async throws -> String? {
        let (notice, reported, submittedAt) = item
        guard let recipient = ForwardPath(stored: notice.to) else {
            self.logger.warning(
                "notice not sent: no usable sender address",
                metadata: ["queue_id": "\(notice.queueID)"]
            )
            return nil
        }
        let content = try notice.render(settings: self.settings, now: now)
        let envelope = Envelope(
            reversePath: .null,
            mailParameters: MailParameters(smtpUTF8: notice.to.utf8.contains { $0 >= 0x80 }),
            recipients: [
                AcceptedRecipient(forwardPath: recipient, parameters: RcptParameters(notify: []), kind: .relay)
            ],
            heloName: self.settings.hostname,
            protocolName: "local",
            authenticatedUser: nil,
            chunked: false
        )
        let noticeID = try await self.spool.enqueueLocal(content, envelope: envelope, now: now) { spooled in
            .noticeQueued(
                NoticeQueued(
                    kind: notice.kind,
                    notice: spooled,
                    aboutQueueID: notice.queueID,
                    aboutSubmittedAt: submittedAt,
                    noticeRecipient: notice.to,
                    reportedRecipients: reported,
                    queuedAt: now
                )
            )
        }
        self.logger.info(
            "notice queued",
            metadata: [
                "notice": "\(notice.kind.rawValue)", "about": "\(notice.queueID)", "queue_id": "\(noticeID)",
                "evidence_id": "\(stored?.evidenceID ?? "")"
            ]
        )
        return noticeID
    }
}
