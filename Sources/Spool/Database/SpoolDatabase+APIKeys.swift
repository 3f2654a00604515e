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
    /// Stores a new key of `account` (which must exist); the token is shown once by the caller.
    public func addAPIKey(account: String, label: String, now: Date = Date()) throws -> IssuedAPIKey {
        try self.writer.write { db in
            guard try Account.fetchOne(db, key: account) != nil else {
                throw DatabaseError(message: "no account \(account)")
            }
            let issued = IssuedAPIKey.make(account: account, label: label, now: now)
            try issued.key.insert(db)
            return issued
        }
    }

    /// Every key, or one account's, oldest first.
    public func apiKeys(account: String? = nil) throws -> [APIKey] {
        try self.writer.read { db in
            var request = APIKey.order(Column("created_at"), Column("id"))
            if let account { request = request.filter(Column("account") == account) }
            return try request.fetchAll(db)
        }
    }

    public func apiKey(id: String) throws -> APIKey? {
        try self.writer.read { db in try APIKey.fetchOne(db, key: id) }
    }

    /// Revokes a key for good; `false` when there is no such key or it was revoked before.
    @discardableResult
    public func revokeAPIKey(id: String, now: Date = Date()) throws -> Bool {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [now, id]
            )
            return db.changesCount == 1
        }
    }

    /// Notes that a key was used (the caller writes this at most once a minute per key).
    public func touchAPIKey(id: String, now: Date = Date()) throws {
        try self.writer.write { db in
            try db.execute(sql: "UPDATE api_key SET last_used_at = ? WHERE id = ?", arguments: [now, id])
        }
    }

    /// The message an idempotency key of `account` named, with the digest of its request.
    public func idempotentMessage(account: String, key: String) throws -> IdempotencyKeyUsed? {
        try self.writer.read { db in
            try Self.usedIdempotencyKey(IdempotencyClaim(account: account, key: key, requestSHA256: ""), in: db)
        }
    }

    /// In the commit's transaction, before the charge: the message an earlier call took the key for.
    static func usedIdempotencyKey(_ claim: IdempotencyClaim, in db: Database) throws -> IdempotencyKeyUsed? {
        try Row.fetchOne(
            db,
            sql: "SELECT message_id, request_sha256 FROM idempotency_key WHERE account = ? AND key = ?",
            arguments: [claim.account, claim.key]
        ).map { IdempotencyKeyUsed(messageID: $0["message_id"], requestSHA256: $0["request_sha256"]) }
    }

    /// In the commit's transaction, once the message is written: the key names it for good.
    static func insertIdempotencyKey(_ claim: IdempotencyClaim, queueID: String, now: Date, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO idempotency_key (account, key, request_sha256, message_id, created_at)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [claim.account, claim.key, claim.requestSHA256, queueID, now]
        )
    }
}
