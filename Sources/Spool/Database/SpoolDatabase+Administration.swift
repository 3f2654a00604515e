//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import GRDB

/// Queue administration (`fefaent queue flush|hold|release|delete`), safe while the daemon runs:
/// each is one transaction, and the queue runner reads the queue afresh on every scan.
extension SpoolDatabase {
    /// Makes deferred recipients due now: of one message, or of all. Returns how many.
    @discardableResult
    public func flush(messageID: String?, now: Date) throws -> Int {
        try self.writer.write { db in
            var sql = "UPDATE recipient SET next_attempt_at = ? WHERE state IN ('queued', 'deferred')"
            var arguments: StatementArguments = [now]
            if let messageID {
                sql += " AND message_id = ?"
                arguments += [messageID]
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }

    /// Keeps a queued message from being delivered until it is released.
    public func hold(messageID: String) throws -> Bool {
        try self.setState(messageID, from: "queued", to: "hold")
    }

    public func release(messageID: String) throws -> Bool {
        try self.setState(messageID, from: "hold", to: "queued")
    }

    /// Removes a message from the active queue; its recipients not yet delivered are marked so.
    public func delete(messageID: String, now: Date) throws -> Bool {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE message SET state = 'done' WHERE id = ? AND state IN ('queued', 'hold', 'missing')",
                arguments: [messageID]
            )
            guard db.changesCount == 1 else { return false }
            try db.execute(
                sql: """
                    UPDATE recipient SET last_reply = 'deleted by the administrator', next_attempt_at = NULL,
                        finished_at = ?
                    WHERE message_id = ? AND state IN ('queued', 'deferred')
                    """,
                arguments: [now, messageID]
            )
            return true
        }
    }

    private func setState(_ messageID: String, from: String, to: String) throws -> Bool {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE message SET state = ? WHERE id = ? AND state = ?",
                arguments: [to, messageID, from]
            )
            return db.changesCount == 1
        }
    }
}
