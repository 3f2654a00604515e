//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import GRDB
import SMTPCore

/// A recipient whose delivery is due, with what the delivery attempt needs of its message.
public struct DueRecipient: Hashable, Sendable {
    public var recipientID: Int64
    public var messageID: String
    public var address: String
    public var notify: String?
    public var orcpt: String?
    public var attempts: Int
    public var sender: String
    public var receivedAt: Date
    public var smtputf8: Bool
    public var body: String?
    public var dsnRet: String?
    public var dsnEnvid: String?
    /// Whether the sender was already told that this recipient is delayed.
    public var delayNotified: Bool
    /// The tracking token of a certified recipient: it gets a certified copy of its own.
    public var token: String? = nil
    /// The message's queue row, read in the claim's transaction (so a delivery needs no read of its
    /// own); `nil` for a recipient made by hand, whose message is then looked up.
    public var message: QueuedMessage? = nil

    /// The recipient's domain, lower-cased (what routing looks at).
    public var domain: String {
        self.address.split(separator: "@").last.map { String($0).lowercased() } ?? ""
    }
}

/// The result of one delivery attempt for one recipient, as the queue records it.
public struct RecordedAttempt: Hashable, Sendable {
    public var recipientID: Int64
    public var state: QueuedRecipient.State
    /// The reply that decided it, as `code enhanced text`.
    public var reply: String
    /// When to try again, for a deferral.
    public var nextAttemptAt: Date?
    public var remoteHost: String?
    public var remoteIP: String?
    public var tls: TLSFacts?
    /// The sender has now been told this recipient is delayed.
    public var delayNotified: Bool
    /// For a delivery or a permanent failure: what the evidence attests, written in the same
    /// transaction as the recipient's new state.
    public var outcome: RelayOutcome?

    public init(
        recipientID: Int64,
        state: QueuedRecipient.State,
        reply: String,
        nextAttemptAt: Date?,
        remoteHost: String?,
        remoteIP: String?,
        tls: TLSFacts?,
        delayNotified: Bool = false,
        outcome: RelayOutcome? = nil
    ) {
        self.delayNotified = delayNotified
        self.outcome = outcome
        self.recipientID = recipientID
        self.state = state
        self.reply = reply
        self.nextAttemptAt = nextAttemptAt
        self.remoteHost = remoteHost
        self.remoteIP = remoteIP
        self.tls = tls
    }
}

extension SpoolDatabase {
    /// Takes up to `limit` due relay recipients and leases them until `now + lease`: a daemon that
    /// dies mid-delivery tries them again when the lease ends (delivered twice at worst, never lost).
    public func claimDueRecipients(now: Date, lease: TimeInterval, limit: Int) async throws -> [DueRecipient] {
        // GRDB's asynchronous write: the transaction (and its WAL sync) runs on the database's own
        // queue, not on the cooperative thread of the queue runner that awaits it.
        try await self.writer.write { db in
            let select = try db.cachedStatement(
                sql: """
                    SELECT r.id, r.message_id, r.address, r.notify, r.orcpt, r.attempts, m.sender, m.received_at,
                        m.smtputf8, m.body, m.dsn_ret, m.dsn_envid, r.delay_notified, r.token
                    FROM recipient r JOIN message m ON m.id = r.message_id
                    WHERE r.state IN ('queued', 'deferred') AND r.kind IN ('relay', 'certified')
                        AND m.state = 'queued'
                        AND r.next_attempt_at <= ?
                    ORDER BY r.next_attempt_at, r.id
                    LIMIT ?
                    """
            )
            let rows = try Row.fetchAll(select, arguments: [now, limit])
            var due = rows.map { row in
                DueRecipient(
                    recipientID: row["id"],
                    messageID: row["message_id"],
                    address: row["address"],
                    notify: row["notify"],
                    orcpt: row["orcpt"],
                    attempts: row["attempts"],
                    sender: row["sender"],
                    receivedAt: row["received_at"],
                    smtputf8: row["smtputf8"],
                    body: row["body"],
                    dsnRet: row["dsn_ret"],
                    dsnEnvid: row["dsn_envid"],
                    delayNotified: row["delay_notified"],
                    token: row["token"]
                )
            }
            let renew = try db.cachedStatement(
                sql: "UPDATE recipient SET next_attempt_at = ?, claimed_at = ? WHERE id = ?"
            )
            for recipient in due {
                try renew.execute(arguments: [now.addingTimeInterval(lease), now, recipient.recipientID])
            }
            let message = try db.cachedStatement(sql: "SELECT * FROM message WHERE id = ?")
            var messages: [String: QueuedMessage] = [:]
            for index in due.indices {
                let id = due[index].messageID
                if messages[id] == nil {
                    messages[id] = try QueuedMessage.fetchOne(message, arguments: [id])
                }
                due[index].message = messages[id]
            }
            return due
        }
    }

    /// Makes recipients a previous process claimed but never finished due now. Only the spool's
    /// owner calls it, at start-up, so every claim it finds belongs to a process that died.
    @discardableResult
    public func releaseStaleClaims(now: Date) throws -> Int {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE recipient SET next_attempt_at = ?, claimed_at = NULL WHERE claimed_at IS NOT NULL",
                arguments: [now]
            )
            return db.changesCount
        }
    }

    /// Records attempts, with the outbox row of every delivery or permanent failure (the evidence of
    /// an outcome commits with the outcome); a message whose every recipient is delivered or bounced
    /// leaves the active queue.
    public func record(_ attempts: [RecordedAttempt], now: Date) throws {
        try self.record(batches: [(attempts, now)])
    }

    /// Records several delivery jobs' outcomes in one transaction (one WAL sync for all of them).
    public func record(batches: [(attempts: [RecordedAttempt], now: Date)]) throws {
        let batches = batches.filter { !$0.attempts.isEmpty }
        guard !batches.isEmpty else { return }
        let events = batches.map { batch in batch.attempts.map { $0.outcome.map { EncodedEvent(.relayOutcome($0)) } } }
        try self.writer.write { db in
            let update = try db.cachedStatement(
                sql: """
                    UPDATE recipient SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_reply = ?,
                        remote_host = ?, remote_ip = ?, tls = ?, finished_at = ?,
                        delay_notified = delay_notified OR ?, claimed_at = NULL, evidence_id = coalesce(?, evidence_id)
                    WHERE id = ?
                    """
            )
            for (batch, events) in zip(batches, events) {
                for (attempt, event) in zip(batch.attempts, events) {
                    let finished = attempt.state == .delivered || attempt.state == .bounced
                    let evidenceID = try event.map { try Self.appendToOutbox($0, in: db) }
                    try update.execute(arguments: [
                        attempt.state.rawValue, attempt.nextAttemptAt, attempt.reply, attempt.remoteHost,
                        attempt.remoteIP, attempt.tls?.description, finished ? batch.now : nil, attempt.delayNotified,
                        evidenceID, attempt.recipientID
                    ])
                }
            }
            // One prepared statement per recipient rather than one statement with the batch's ids
            // spelled out: SQLite parsed that one anew for every batch.
            let done = try db.cachedStatement(
                sql: """
                    UPDATE message SET state = 'done'
                    WHERE id = (SELECT message_id FROM recipient WHERE id = ?) AND state = 'queued'
                    AND NOT EXISTS (
                        SELECT 1 FROM recipient r WHERE r.message_id = message.id AND r.state IN ('queued', 'deferred')
                    )
                    """
            )
            for batch in batches {
                for attempt in batch.attempts where attempt.state == .delivered || attempt.state == .bounced {
                    try done.execute(arguments: [attempt.recipientID])
                }
            }
        }
    }
}

extension QueuedRecipient {
    /// Whether the queue runner delivers it now: a relay recipient or a certified copy, still queued
    /// (the kinds `claimDueRecipients` takes).
    var isDeliverable: Bool {
        self.state == .queued
            && (self.kind == RecipientKind.relay.rawValue || self.kind == RecipientKind.certified.rawValue)
    }
}
