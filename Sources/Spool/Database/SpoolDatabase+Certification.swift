//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import GRDB

/// A certified mail as the queue keeps it: whose it is and where its notices go.
public struct CertifiedMessage: Hashable, Sendable {
    public var queueID: String
    public var account: String
    public var mode: CertifiedSubmission.Mode
    public var invoice: Bool
    public var senderAddress: String
    public var senderName: String?
    public var language: Account.Language
    public var subject: String?
    public var units: Int
    public var certifier: String
}

/// A certified recipient found by its copy's tracking token.
public struct CertifiedRecipient: Hashable, Sendable {
    public var rowID: Int64
    public var queueID: String
    public var address: String
    public var state: QueuedRecipient.State
    public var finishedAt: Date?
    public var firstFetchedAt: Date?
    /// The evidence id of its delivery outcome, once it has one.
    public var outcomeEvidenceID: String?
}

extension SpoolDatabase {
    /// Writes one event alone (a refusal: nothing else changes); returns its evidence id.
    @discardableResult
    public func attest(_ event: AttestedEvent) throws -> String {
        let encoded = EncodedEvent(event)
        return try self.writer.write { db in try Self.appendToOutbox(encoded, in: db) }
    }

    public func certifiedMessage(id: String) throws -> CertifiedMessage? {
        try self.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM certified_message WHERE message_id = ?", arguments: [id]).map(
                Self.certifiedMessage
            )
        }
    }

    static func certifiedMessage(_ row: Row) -> CertifiedMessage {
        CertifiedMessage(
            queueID: row["message_id"],
            account: row["account"],
            mode: CertifiedSubmission.Mode(rawValue: row["mode"]) ?? .carbonCopy,
            invoice: row["invoice"],
            senderAddress: row["sender_address"],
            senderName: row["sender_name"],
            language: Account.Language(rawValue: row["language"]) ?? .english,
            subject: row["subject"],
            units: row["units"],
            certifier: row["certifier"]
        )
    }

    /// What a certified copy states of its message: the certifier address it was sent to and the
    /// evidence id of its acceptance (one read with a cached statement: it runs for every copy).
    public func copyFacts(ofMessage id: String) throws -> (certifier: String, evidenceID: String?, openum: Bool)? {
        try self.writer.read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT c.certifier, m.evidence_id, c.mode FROM certified_message c JOIN message m ON m.id = c.message_id
                    WHERE c.message_id = ?
                    """
            )
            return try Row.fetchOne(statement, arguments: [id]).map {
                ($0[0], $0[1], ($0[2] as String) == CertifiedSubmission.Mode.openum.rawValue)
            }
        }
    }

    /// The certified recipient whose copy carries `token`.
    public func certifiedRecipient(token: String) throws -> CertifiedRecipient? {
        try self.writer.read { db in try Self.certifiedRecipient(token: token, in: db) }
    }

    private static func certifiedRecipient(token: String, in db: Database) throws -> CertifiedRecipient? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT id, message_id, address, state, finished_at, first_fetched_at, evidence_id
                FROM recipient WHERE token = ?
                """,
            arguments: [token]
        ).map {
            CertifiedRecipient(
                rowID: $0["id"],
                queueID: $0["message_id"],
                address: $0["address"],
                state: QueuedRecipient.State(rawValue: $0["state"]) ?? .queued,
                finishedAt: $0["finished_at"],
                firstFetchedAt: $0["first_fetched_at"],
                outcomeEvidenceID: $0["evidence_id"]
            )
        }
    }

    /// Records a fetch of the pixel of the copy that carries `token`: the event and the recipient's
    /// first fetch in one transaction. Returns `nil` (and writes nothing) for an unknown token.
    public func recordFetch(
        token: String,
        _ makeEvent: (CertifiedRecipient, _ firstFetch: Bool) -> TrackingFetched
    ) throws -> TrackingFetched? {
        try self.writer.write { db in
            guard let recipient = try Self.certifiedRecipient(token: token, in: db) else { return nil }
            let event = makeEvent(recipient, recipient.firstFetchedAt == nil)
            try Self.appendToOutbox(EncodedEvent(.trackingFetched(event)), in: db)
            if event.firstFetch {
                try db.execute(
                    sql: "UPDATE recipient SET first_fetched_at = ? WHERE id = ?",
                    arguments: [event.fetchedAt, recipient.rowID]
                )
            }
            return event
        }
    }

    /// Recipients waiting for delivery (queued or deferred), for the queue-size gauge.
    public func waitingRecipientCount() throws -> Int {
        try self.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recipient WHERE state IN ('queued', 'deferred')") ?? 0
        }
    }

    /// Whether certified copies wait for delivery or are being delivered (the notices wait for them
    /// under load). Copies deferred by a remote server (`4xx`) do not hold the notices back.
    public func certifiedCopiesPending() throws -> Bool {
        try self.writer.read { db in
            let statement = try db.cachedStatement(
                sql: "SELECT EXISTS (SELECT 1 FROM recipient WHERE state = 'queued' AND kind = 'certified')"
            )
            return try Bool.fetchOne(statement) ?? false
        }
    }

    /// Where the notices of certified mail stand: the index of the last evidence record handled.
    public func noticeCursor() throws -> Int? {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT log_index FROM notice_cursor WHERE id = 1") }
    }

    public func setNoticeCursor(_ index: Int) throws {
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT INTO notice_cursor (id, log_index) VALUES (1, ?) "
                    + "ON CONFLICT(id) DO UPDATE SET log_index = excluded.log_index",
                arguments: [index]
            )
        }
    }
}

extension SpoolDatabase {
    /// Records a bounce that came back for the copy with `token` after its server had accepted it:
    /// the recipient becomes bounced and a failure superseding its delivery record is attested, in
    /// one transaction. Returns the event, or `nil` when there is nothing to supersede (an unknown
    /// token, a copy not delivered, a bounce already recorded).
    public func recordLateBounce(
        token: String,
        _ makeEvent: (CertifiedRecipient, _ deliveryEvidenceID: String, _ submittedAt: Date) -> RelayOutcome
    ) throws -> RelayOutcome? {
        try self.writer.write { db in
            guard let recipient = try Self.certifiedRecipient(token: token, in: db),
                recipient.state == .delivered,
                let delivery = recipient.outcomeEvidenceID,
                let submittedAt = try Date.fetchOne(
                    db,
                    sql: "SELECT received_at FROM message WHERE id = ?",
                    arguments: [recipient.queueID]
                )
            else { return nil }
            let event = makeEvent(recipient, delivery, submittedAt)
            let evidenceID = try Self.appendToOutbox(EncodedEvent(.relayOutcome(event)), in: db)
            try db.execute(
                sql: "UPDATE recipient SET state = 'bounced', evidence_id = ?, last_reply = ? WHERE id = ?",
                arguments: [evidenceID, event.reply.description, recipient.rowID]
            )
            return event
        }
    }
}
