//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import GRDB
import Foundation

/// The queue database: messages, their recipients, and the accounts that may authenticate.
///
/// Each method is one transaction that keeps the spool's invariants. Production opens a
/// `DatabasePool` (WAL, `synchronous=FULL`: a commit is on disk when it returns); tests may pass
/// an in-memory `DatabaseQueue`.
public struct SpoolDatabase: Sendable {
    let writer: any DatabaseWriter

    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// Opens (or creates) the database file with the durability the spool needs.
    public static func open(path: String) throws -> SpoolDatabase {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // FULL: every commit syncs the WAL before it returns, so a `250` is never sent for rows a
        // power loss could take back. Set on the pool's writer once it is open: GRDB turns WAL on
        // after `prepareDatabase` and sets `synchronous = NORMAL` with it (commits then reach the disk
        // only at checkpoints).
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        return try SpoolDatabase(pool)
    }

    /// A message's rows as the committer writes them.
    struct NewMessage {
        var message: QueuedMessage
        var recipients: [QueuedRecipient]
        var event: EncodedEvent?
        var certification: CertifiedSubmission?
        var reception: ReceptionDelivery? = nil
        /// An API call's idempotency key, taken in the same transaction as the message.
        var idempotency: IdempotencyClaim? = nil
    }

    /// What became of one message of a batch.
    enum InsertResult {
        /// Written; for a mail to reception mailboxes, whether it was certified.
        case inserted(ReceptionCertification?)
        /// Not written (a certified mail its balance does not cover).
        case refused(any Error)
    }

    /// Inserts the messages, their recipients and the events that attest them in one transaction
    /// (cached statements: this is the acceptance hot path, run once per group commit).
    ///
    /// A certified mail is charged first: when its account's balance does not cover it, nothing of
    /// it is written and its entry in the result says why; the other mails of the batch go on. A
    /// mail to reception mailboxes is always written: charged when the balance covers it, else
    /// written without its event (not certified) and its owner is due an alert. `storedReceptions`:
    /// messages whose Maildir copies are stored since the last transaction.
    func insert(_ messages: [NewMessage], storedReceptions: [String] = []) throws -> [InsertResult] {
        try self.writer.write { db in
            var results: [InsertResult] = []
            results.reserveCapacity(messages.count)
            if !storedReceptions.isEmpty {
                try Self.markStored(storedReceptions, in: db)
            }
            for new in messages {
                if let reception = new.reception {
                    results.append(.inserted(try Self.insertReception(new, reception, in: db)))
                    continue
                }
                guard let certification = new.certification else {
                    try Self.insert(new, in: db)
                    results.append(.inserted(nil))
                    continue
                }
                if let claim = new.idempotency, let used = try Self.usedIdempotencyKey(claim, in: db) {
                    // A retried call whose first one committed: nothing of this one is written.
                    results.append(.refused(used))
                    continue
                }
                do {
                    // The charge comes first: refused, it has written nothing of this mail.
                    try Self.charge(
                        certification.units,
                        account: certification.account,
                        queueID: new.message.id,
                        now: new.message.receivedAt,
                        in: db
                    )
                } catch let refusal as InsufficientUnits {
                    results.append(.refused(refusal))
                    continue
                }
                try Self.insert(new, in: db)
                try Self.insertCertification(certification, queueID: new.message.id, in: db)
                if let document = certification.document {
                    try Self.insertOpenum(document, certification: certification, queueID: new.message.id, in: db)
                }
                if let claim = new.idempotency {
                    try Self.insertIdempotencyKey(claim, queueID: new.message.id, now: new.message.receivedAt, in: db)
                }
                results.append(.inserted(nil))
            }
            return results
        }
    }

    static func insert(_ new: NewMessage, in db: Database) throws {
        let insertMessage = try db.cachedStatement(
            sql: """
                INSERT INTO message (id, received_at, sender, size, sha256, header_length, storage, path, offset,
                    length, helo, client_address, listener, protocol_name, auth_user, tls, body, smtputf8, dsn_ret,
                    dsn_envid, state, evidence_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        let insertRecipient = try db.cachedStatement(
            sql: """
                INSERT INTO recipient (message_id, address, kind, notify, orcpt, state, attempts, next_attempt_at,
                    last_reply, token)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        let message = new.message
        let evidenceID = try new.event.map { try Self.appendToOutbox($0, in: db) }
        try insertMessage.execute(arguments: [
            message.id, message.receivedAt, message.sender, message.size, message.sha256,
            message.headerLength, message.storage.rawValue, message.path, message.offset, message.length,
            message.helo, message.clientAddress, message.listener, message.protocolName, message.authUser,
            message.tls, message.body, message.smtputf8, message.dsnRet, message.dsnEnvid,
            message.state.rawValue, evidenceID
        ])
        for recipient in new.recipients {
            try insertRecipient.execute(arguments: [
                recipient.messageId, recipient.address, recipient.kind, recipient.notify, recipient.orcpt,
                recipient.state.rawValue, recipient.attempts, recipient.nextAttemptAt, recipient.lastReply,
                recipient.token
            ])
        }
    }

    private static func insertCertification(
        _ certification: CertifiedSubmission,
        queueID: String,
        in db: Database
    ) throws {
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO certified_message (message_id, account, mode, invoice, sender_address, sender_name,
                    language, subject, units, certifier)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        try insert.execute(
            arguments: [
                queueID, certification.account, certification.mode.rawValue, certification.invoice,
                certification.senderAddress, certification.senderName, certification.language.rawValue,
                certification.subject, certification.units, certification.certifier
            ]
        )
    }

    /// Active messages, oldest first.
    public func messages(limit: Int = 1_000) throws -> [QueuedMessage] {
        try self.writer.read { db in
            try QueuedMessage
                .filter(QueuedMessage.Columns.state != QueuedMessage.State.done.rawValue)
                .order(QueuedMessage.Columns.receivedAt, QueuedMessage.Columns.id)
                .limit(limit)
                .fetchAll(db)
        }
    }

    public func message(id: String) throws -> QueuedMessage? {
        // A cached statement: the queue runner reads a message for every delivery.
        try self.writer.read { db in
            try QueuedMessage.fetchOne(
                try db.cachedStatement(sql: "SELECT * FROM message WHERE id = ?"),
                arguments: [id]
            )
        }
    }

    public func recipients(of messageID: String) throws -> [QueuedRecipient] {
        try self.writer.read { db in
            try QueuedRecipient
                .filter(QueuedRecipient.Columns.messageId == messageID)
                .order(Column("id"))
                .fetchAll(db)
        }
    }

    public func recipientCounts() throws -> [String: Int] {
        try self.writer.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT message_id, count(*) AS n FROM recipient GROUP BY message_id")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["message_id"] as String, $0["n"] as Int) })
        }
    }

    /// Every (path, end offset) the active messages need, for the start-up consistency check.
    func storageExtents() throws -> [(id: String, path: String, end: Int)] {
        try self.writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, path, offset + length AS end FROM message WHERE state IN ('queued', 'hold')"
            ).map { (id: $0["id"], path: $0["path"], end: $0["end"]) }
        }
    }

    /// Every file any message row names, whatever its state.
    func referencedPaths() throws -> Set<String> {
        try self.writer.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT path FROM message")) }
    }

    func markMissing(ids: [String]) throws {
        guard !ids.isEmpty else { return }
        _ = try self.writer.write { db in
            try QueuedMessage
                .filter(ids.contains(QueuedMessage.Columns.id))
                .updateAll(db, QueuedMessage.Columns.state.set(to: QueuedMessage.State.missing.rawValue))
        }
    }

    // MARK: - Accounts

    public func saveAccount(_ account: Account) throws {
        try self.writer.write { db in try account.save(db) }
    }

    public func account(named name: String) throws -> Account? {
        try self.writer.read { db in try Account.fetchOne(db, key: name) }
    }

    @discardableResult
    public func deleteAccount(named name: String) throws -> Bool {
        try self.writer.write { db in try Account.deleteOne(db, key: name) }
    }

    /// The account that certifies for `address` (one of its sender addresses, or its domain).
    public func account(certifyingFor address: String) throws -> Account? {
        let lowered = address.lowercased()
        guard let at = lowered.lastIndex(of: "@") else { return nil }
        let domain = String(lowered[lowered.index(after: at)...])
        return try self.writer.read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT * FROM account
                    WHERE instr(' ' || sender_addresses || ' ', ' ' || ? || ' ') > 0
                        OR instr(' ' || sender_domains || ' ', ' ' || ? || ' ') > 0
                    ORDER BY instr(' ' || sender_addresses || ' ', ' ' || ? || ' ') > 0 DESC, name
                    LIMIT 1
                    """
            )
            return try Account.fetchOne(statement, arguments: [lowered, domain, lowered])
        }
    }

    public func accounts() throws -> [Account] {
        try self.writer.read { db in try Account.order(Column("name")).fetchAll(db) }
    }
}
