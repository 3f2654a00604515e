//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import GRDB

/// A certified mail as its sender follows it: the submission and each recipient's copy.
public struct CertifiedMessageStatus: Hashable, Sendable {
    /// One certified recipient's copy.
    public struct Recipient: Hashable, Sendable {
        public var address: String
        public var state: QueuedRecipient.State
        public var attempts: Int
        /// The last SMTP reply, as the receiving server sent it (`250 2.0.0 Ok: queued`).
        public var lastReply: String?
        public var remoteHost: String?
        public var finishedAt: Date?
        public var firstFetchedAt: Date?
        /// The record of the delivery or of the failure.
        public var outcomeEvidenceID: String?
        /// Openum: when the recipient first opened the document, or when the link expired unopened.
        public var documentOpenedAt: Date? = nil
        public var documentExpiredAt: Date? = nil
    }

    /// Where the mail as a whole stands.
    public enum State: String, Hashable, Sendable {
        case queued
        case delivering
        case delivered
        case partiallyDelivered = "partially_delivered"
        case failed
    }

    public var message: CertifiedMessage
    public var receivedAt: Date
    public var recipients: [Recipient]
    /// Openum: the document.
    public var document: OpenumDocument? = nil

    /// Every copy delivered: delivered; none will be: failed; both: partially delivered; an attempt
    /// made or a copy delivered while others wait: delivering.
    public var state: State {
        let delivered = self.recipients.filter { $0.state == .delivered }.count
        let failed = self.recipients.filter { $0.state == .bounced }.count
        if delivered + failed == self.recipients.count, !self.recipients.isEmpty {
            return failed == 0 ? .delivered : delivered == 0 ? .failed : .partiallyDelivered
        }
        return delivered > 0 || failed > 0 || self.recipients.contains { $0.attempts > 0 } ? .delivering : .queued
    }
}

extension SpoolDatabase {
    /// The certified mail `id` if `account` sent it (another account's mail is as good as absent).
    public func certifiedMessageStatus(id: String, account: String) throws -> CertifiedMessageStatus? {
        try self.writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT c.*, m.received_at FROM certified_message c JOIN message m ON m.id = c.message_id
                        WHERE c.message_id = ? AND c.account = ?
                        """,
                    arguments: [id, account]
                )
            else { return nil }
            let recipients = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.address, r.state, r.attempts, r.last_reply, r.remote_host, r.finished_at,
                        r.first_fetched_at, r.evidence_id, l.opened_at, l.expired_at
                    FROM recipient r LEFT JOIN openum_link l ON l.token = r.token
                    WHERE r.message_id = ? AND r.kind = 'certified' ORDER BY r.id
                    """,
                arguments: [id]
            ).map {
                CertifiedMessageStatus.Recipient(
                    address: $0["address"],
                    state: QueuedRecipient.State(rawValue: $0["state"]) ?? .queued,
                    attempts: $0["attempts"],
                    lastReply: $0["last_reply"],
                    remoteHost: $0["remote_host"],
                    finishedAt: $0["finished_at"],
                    firstFetchedAt: $0["first_fetched_at"],
                    outcomeEvidenceID: $0["evidence_id"],
                    documentOpenedAt: $0["opened_at"],
                    documentExpiredAt: $0["expired_at"]
                )
            }
            let document = try Row.fetchOne(
                db,
                sql: "SELECT * FROM openum_document WHERE message_id = ?",
                arguments: [id]
            ).map {
                OpenumDocument(
                    name: $0["name"],
                    contentType: $0["content_type"],
                    size: $0["size"],
                    sha256: $0["sha256"],
                    expiresAt: $0["expires_at"],
                    reminderAt: $0["reminder_at"]
                )
            }
            return CertifiedMessageStatus(
                message: Self.certifiedMessage(row),
                receivedAt: row["received_at"],
                recipients: recipients,
                document: document
            )
        }
    }

    /// One page of an account's ledger, newest first: entries with an id below `before`.
    public func ledgerPage(of account: String, before: Int64?, limit: Int) throws -> [LedgerEntry] {
        try self.writer.read { db in
            try LedgerEntry.fetchAll(
                db,
                sql: """
                    SELECT * FROM ledger WHERE account = ? AND id < ? ORDER BY id DESC LIMIT ?
                    """,
                arguments: [account, before ?? Int64.max, limit]
            )
        }
    }
}

extension SpoolDatabase {
    /// Whether `account` sent the message (a certified mail) or owns a mailbox that received it.
    public func account(_ account: String, owns messageID: String) throws -> Bool {
        try self.writer.read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM certified_message WHERE message_id = ? AND account = ?)
                        OR EXISTS (SELECT 1 FROM reception WHERE message_id = ? AND account = ?)
                    """,
                arguments: [messageID, account, messageID, account]
            ) ?? false
        }
    }
}
