//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Evidence
public import Foundation
public import Logging
import MailMessage
public import ServiceLifecycle
public import Spool

/// Turns what happened in the spool into evidence, every `checkpoint_interval_ms`:
///
/// - a message accepted → `SubmissionAcceptance` (`ReceivedFromNonERDS` for a reception mailbox),
///   with the SHA-256 of the message and of each part (read from the spool by the MIME parser);
/// - a recipient delivered → `RelayToNonERDS` with the remote host, IP, TLS and reply;
///   bounced → `RelayToNonERDSFailure`;
///
/// then writes a signed checkpoint if the log grew, and time-stamps what is not stamped yet. Evidence
/// ids are derived from the queue id, so a restart never writes a record twice, and evidence never
/// delays the SMTP path: a record follows its event within one interval.
public final class EvidenceService: Service, Sendable {
    public let log: EvidenceLog
    let spool: Spool
    let stamper: any TimeStamping
    let interval: Duration
    let logger: Logger

    public init(log: EvidenceLog, spool: Spool, stamper: any TimeStamping, interval: Duration, logger: Logger) {
        self.log = log
        self.spool = spool
        self.stamper = stamper
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // Look back a minute before the last record: ids make the overlap harmless.
        let lastTime = try self.log.store.lastRecordTime().map { $0.date.addingTimeInterval(-60) }
        var cursor = lastTime ?? Date(timeIntervalSince1970: 0)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            cursor = await self.tick(since: cursor)
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: self.interval)
            }
        }
        _ = await self.tick(since: cursor)  // what happened during the drain
    }

    /// One round; returns the cursor for the next.
    @discardableResult
    public func tick(since cursor: Date) async -> Date {
        let started = Date()
        do {
            let records = try self.collect(since: cursor)
            if !records.isEmpty {
                try self.log.append(records)
                self.logger.debug("evidence written", metadata: ["count": "\(records.count)"])
            }
            if let checkpoint = try self.log.checkpoint() {
                self.logger.debug("checkpoint", metadata: ["size": "\(checkpoint.size)"])
            }
        } catch {
            self.logger.error("cannot write evidence", metadata: ["error": "\(error)"])
            return cursor
        }
        let (stamped, failure) = await self.log.stamp(with: self.stamper)
        if let failure {
            self.logger.warning(
                "time-stamping deferred",
                metadata: ["error": "\(failure)", "stamped": "\(stamped)"]
            )
        }
        return started.addingTimeInterval(-2)
    }

    func collect(since cursor: Date) throws -> [EvidenceRecord] {
        var records: [EvidenceRecord] = []
        var messages: [String: (QueuedMessage, ParsedMessage)] = [:]
        func load(_ id: String) throws -> (QueuedMessage, ParsedMessage)? {
            if let known = messages[id] { return known }
            guard let message = try self.spool.database.message(id: id) else { return nil }
            let content = try self.spool.contents(of: message)
            let parsed = MessageParser.parse(content[message.headerLength...])
            messages[id] = (message, parsed)
            return (message, parsed)
        }
        for message in try self.spool.database.messages(receivedSince: cursor) where !message.sender.isEmpty {
            let queuedRecipients = try self.spool.database.recipients(of: message.id)
            let kind: EvidenceRecord.Kind =
                queuedRecipients.allSatisfy({ $0.kind == "reception" }) ? .receivedFromNonERDS : .submissionAcceptance
            let id = "\(message.id).\(kind == .receivedFromNonERDS ? "R" : "A")"
            guard try self.log.store.record(id: id) == nil, let (queued, parsed) = try load(message.id) else {
                continue
            }
            let recipients = queuedRecipients.map(\.address)
            records.append(
                Self.record(
                    kind: kind,
                    id: id,
                    time: UTCDateTime(queued.receivedAt),
                    message: queued,
                    parsed: parsed,
                    recipients: recipients,
                    details: .submission(
                        clientIP: queued.clientAddress,
                        authenticatedAs: queued.authUser,
                        reply: "250 2.0.0 Ok: queued as \(queued.id)"
                    )
                )
            )
        }
        for recipient in try self.spool.database.finishedRecipients(since: cursor) {
            guard let rowID = recipient.id else { continue }
            let delivered = recipient.state == .delivered
            let id = "\(recipient.messageId).\(delivered ? "D" : "F")\(rowID)"
            guard try self.log.store.record(id: id) == nil, let (queued, parsed) = try load(recipient.messageId),
                !queued.sender.isEmpty
            else { continue }
            let tls = recipient.tls.map {
                EvidenceRecord.TLSDetails(version: $0, cipher: nil, peerVerified: $0.contains("verified"))
            }
            records.append(
                Self.record(
                    kind: delivered ? .relayToNonERDS : .relayToNonERDSFailure,
                    id: id,
                    time: UTCDateTime(recipient.finishedAt ?? Date()),
                    message: queued,
                    parsed: parsed,
                    recipients: [recipient.address],
                    details: .relay(
                        remoteHost: recipient.remoteHost ?? "",
                        remoteIP: recipient.remoteIp ?? "",
                        tls: tls,
                        reply: recipient.lastReply ?? ""
                    ),
                    supersedes: delivered ? nil : try self.deliveryRecord(of: recipient)
                )
            )
        }
        return records.sorted { $0.time < $1.time }
    }

    /// A bounce after a delivery (a late DSN) supersedes the delivery record.
    private func deliveryRecord(of recipient: QueuedRecipient) throws -> String? {
        guard let rowID = recipient.id else { return nil }
        let id = "\(recipient.messageId).D\(rowID)"
        return try self.log.store.record(id: id) == nil ? nil : id
    }

    static func record(
        kind: EvidenceRecord.Kind,
        id: String,
        time: UTCDateTime,
        message: QueuedMessage,
        parsed: ParsedMessage,
        recipients: [String],
        details: EvidenceRecord.Details,
        supersedes: String? = nil
    ) -> EvidenceRecord {
        EvidenceRecord(
            kind: kind,
            time: time,
            evidenceID: id,
            queueID: message.id,
            messageID: parsed.messageID,
            sender: message.sender,
            recipients: recipients,
            subject: parsed.subject,
            messageSHA256: message.sha256,
            messageSize: Int64(message.size),
            attachments: parsed.leaves.map {
                EvidenceRecord.Attachment(
                    name: $0.fileName,
                    contentType: $0.mimeType,
                    size: Int64($0.decodedSize),
                    sha256: $0.sha256Hex
                )
            },
            details: details,
            supersedes: supersedes
        )
    }
}
