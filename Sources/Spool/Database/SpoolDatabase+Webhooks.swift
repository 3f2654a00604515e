//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import GRDB

extension SpoolDatabase {
    /// Queues `notice` for every webhook of its account that chose its event, inside the caller's
    /// transaction (the one that writes the event itself): an event is never lost or told twice.
    static func enqueueWebhooks(_ notice: WebhookNotice, in db: Database) throws {
        // One statement on the hot path of every event: the account (named by the event, or the
        // certified mail's) and its webhooks; a plain relay's outcome finds none at once.
        let hooks = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, events FROM webhook WHERE disabled_at IS NULL
                        AND account = COALESCE(?, (SELECT account FROM certified_message WHERE message_id = ?))
                    """
            ),
            arguments: [notice.account, notice.data.messageId]
        )
        let chosen = hooks.filter { row in
            (row["events"] as String).split(separator: ",").contains { $0 == notice.event.rawValue }
        }
        guard !chosen.isEmpty else { return }
        let payload = Data(notice.payload)
        for row in chosen {
            try Self.insertWebhookDelivery(
                webhookID: row["id"],
                eventID: "msg_" + notice.data.evidenceId,
                type: notice.event.type,
                payload: payload,
                now: Date(),
                in: db
            )
        }
    }

    private static func insertWebhookDelivery(
        webhookID: Int64,
        eventID: String,
        type: String,
        payload: Data,
        now: Date,
        in db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO webhook_delivery (webhook_id, event_id, event_type, payload, created_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (webhook_id, event_id) DO NOTHING
                """
        ).execute(arguments: [webhookID, eventID, type, payload, now, now])
    }

    // MARK: - Administration

    public func addWebhook(account: String, url: String, events: [WebhookEvent], now: Date = Date()) throws -> Webhook {
        try self.writer.write { db in
            guard try Account.fetchOne(db, key: account) != nil else {
                throw DatabaseError(message: "no account \(account)")
            }
            var hook = Webhook(
                id: nil,
                account: account,
                url: url,
                secret: Webhook.makeSecret(),
                events: events.map(\.rawValue).joined(separator: ","),
                createdAt: now,
                disabledAt: nil
            )
            try hook.insert(db)
            hook.id = db.lastInsertedRowID
            return hook
        }
    }

    public func webhooks(account: String? = nil) throws -> [Webhook] {
        try self.writer.read { db in
            var request = Webhook.order(Column("id"))
            if let account { request = request.filter(Column("account") == account) }
            return try request.fetchAll(db)
        }
    }

    public func webhook(id: Int64) throws -> Webhook? {
        try self.writer.read { db in try Webhook.fetchOne(db, key: id) }
    }

    /// Stops a webhook: nothing more is queued or sent to it (its log stays).
    @discardableResult
    public func disableWebhook(id: Int64, now: Date = Date()) throws -> Bool {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE webhook SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
                arguments: [now, id]
            )
            let disabled = db.changesCount == 1
            try db.execute(
                sql:
                    "UPDATE webhook_delivery SET state = 'failed', next_attempt_at = NULL WHERE webhook_id = ? AND state = 'pending'",
                arguments: [id]
            )
            return disabled
        }
    }

    /// Queues a `webhook.test` event for `id`; returns the delivery's id.
    public func queueWebhookTest(id: Int64, now: Date = Date()) throws -> Int64 {
        try self.writer.write { db in
            let eventID = "msg_test_" + RandomIdentifier.base32(digits: 20).lowercased()
            struct TestFacts: Encodable { var message: String }
            try Self.insertWebhookDelivery(
                webhookID: id,
                eventID: eventID,
                type: WebhookEvent.test.type,
                payload: Data(
                    WebhookNotice.payload(
                        type: WebhookEvent.test.type,
                        time: now,
                        data: TestFacts(message: "a test event from fefaent webhook test")
                    )
                ),
                now: now,
                in: db
            )
            return db.lastInsertedRowID
        }
    }

    // MARK: - Sending

    /// Pending deliveries due at `now` of enabled webhooks, oldest first, with their webhook.
    public func dueWebhookDeliveries(now: Date, limit: Int) throws -> [(WebhookDelivery, Webhook)] {
        try self.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.*, w.account, w.url, w.secret, w.events, w.created_at AS hook_created_at
                    FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
                    WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND w.disabled_at IS NULL
                    ORDER BY d.next_attempt_at, d.id LIMIT ?
                    """,
                arguments: [now, limit]
            ).map { row in
                (
                    Self.delivery(row),
                    Webhook(
                        id: row["webhook_id"],
                        account: row["account"],
                        url: row["url"],
                        secret: row["secret"],
                        events: row["events"],
                        createdAt: row["hook_created_at"],
                        disabledAt: nil
                    )
                )
            }
        }
    }

    /// Logs an attempt and moves the delivery on: delivered, due again at `retryAt`, or failed when
    /// `retryAt` is `nil` (given up).
    public func recordWebhookAttempt(_ attempt: WebhookAttempt, retryAt: Date?) throws {
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT INTO webhook_attempt (delivery_id, at, status, error, duration_ms) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    attempt.deliveryID, attempt.at, attempt.status, attempt.error, attempt.durationMilliseconds
                ]
            )
            let state: WebhookDelivery.State = attempt.succeeded ? .delivered : retryAt == nil ? .failed : .pending
            try db.execute(
                sql: """
                    UPDATE webhook_delivery SET attempts = attempts + 1, state = ?, next_attempt_at = ?,
                        delivered_at = ? WHERE id = ?
                    """,
                arguments: [
                    state.rawValue, state == .pending ? retryAt : nil, attempt.succeeded ? attempt.at : nil,
                    attempt.deliveryID
                ]
            )
        }
    }

    /// A webhook's deliveries, newest first, each with its attempts in order.
    public func webhookLog(id: Int64, limit: Int) throws -> [(WebhookDelivery, [WebhookAttempt])] {
        try self.writer.read { db in
            let deliveries = try Row.fetchAll(
                db,
                sql: "SELECT * FROM webhook_delivery WHERE webhook_id = ? ORDER BY id DESC LIMIT ?",
                arguments: [id, limit]
            ).map(Self.delivery)
            return try deliveries.map { delivery in
                let attempts = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM webhook_attempt WHERE delivery_id = ? ORDER BY id",
                    arguments: [delivery.id]
                ).map {
                    WebhookAttempt(
                        deliveryID: $0["delivery_id"],
                        at: $0["at"],
                        status: $0["status"],
                        error: $0["error"],
                        durationMilliseconds: $0["duration_ms"]
                    )
                }
                return (delivery, attempts)
            }
        }
    }

    private static func delivery(_ row: Row) -> WebhookDelivery {
        WebhookDelivery(
            id: row["id"],
            webhookID: row["webhook_id"],
            eventID: row["event_id"],
            eventType: row["event_type"],
            payload: Array(row["payload"] as Data),
            createdAt: row["created_at"],
            nextAttemptAt: row["next_attempt_at"],
            attempts: row["attempts"],
            state: WebhookDelivery.State(rawValue: row["state"]) ?? .pending,
            deliveredAt: row["delivered_at"]
        )
    }
}
