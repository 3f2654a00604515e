//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import GRDB

extension SpoolDatabase {
    /// Adds an event to the outbox inside the caller's transaction; returns its evidence id.
    @discardableResult
    static func appendToOutbox(_ event: EncodedEvent, in db: Database) throws -> String {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO evidence_outbox (evidence_id, queue_id, kind, payload) VALUES (?, ?, ?, ?)"
        )
        try statement.execute(arguments: [event.evidenceID, event.queueID, event.kind, event.payload])
        if let notice = event.webhook {
            try Self.enqueueWebhooks(notice, in: db)
        }
        return event.evidenceID
    }

    /// Outbox entries after `sequence`, in order, at most `limit`.
    public func outbox(after sequence: Int64, limit: Int = 500) throws -> [OutboxEntry] {
        try self.writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT seq, evidence_id, payload FROM evidence_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [sequence, limit]
            ).map { row in
                OutboxEntry(
                    sequence: row["seq"],
                    evidenceID: row["evidence_id"],
                    event: try OutboxEntry.decode(row["payload"])
                )
            }
        }
    }

    /// How many entries wait in the outbox.
    public func outboxCount() throws -> Int {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM evidence_outbox") ?? 0 }
    }

    /// Drops entries up to `sequence`, once the evidence store holds their records.
    public func pruneOutbox(through sequence: Int64) throws {
        try self.writer.write { db in
            try db.execute(sql: "DELETE FROM evidence_outbox WHERE seq <= ?", arguments: [sequence])
        }
    }

    /// The evidence id the acceptance of a message was given, if it was attested.
    public func evidenceID(ofMessage queueID: String) throws -> String? {
        try self.writer.read { db in
            try String.fetchOne(db, sql: "SELECT evidence_id FROM message WHERE id = ?", arguments: [queueID])
        }
    }

    /// The evidence id of a recipient's outcome (delivery or failure), if it has one.
    public func evidenceID(ofRecipient rowID: Int64) throws -> String? {
        try self.writer.read { db in
            try String.fetchOne(db, sql: "SELECT evidence_id FROM recipient WHERE id = ?", arguments: [rowID])
        }
    }

    // MARK: - The anchor

    public func evidenceAnchor() throws -> EvidenceAnchor? {
        try self.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT size, root, note, updated_at FROM evidence_anchor WHERE id = 1").map {
                EvidenceAnchor(
                    size: $0["size"],
                    root: Array($0["root"] as Data),
                    note: $0["note"],
                    updatedAt: $0["updated_at"]
                )
            }
        }
    }

    /// Moves the anchor forward (never back: a smaller size is refused).
    public func saveEvidenceAnchor(_ anchor: EvidenceAnchor, allowingReset: Bool = false) throws {
        try self.writer.write { db in
            if !allowingReset,
                let size = try Int.fetchOne(db, sql: "SELECT size FROM evidence_anchor WHERE id = 1"),
                size > anchor.size
            {
                throw AnchorMovedBack(from: size, to: anchor.size)
            }
            try db.execute(
                sql: """
                    INSERT INTO evidence_anchor (id, size, root, note, updated_at) VALUES (1, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note,
                        updated_at = excluded.updated_at
                    """,
                arguments: [anchor.size, Data(anchor.root), anchor.note, anchor.updatedAt]
            )
        }
    }
}

/// The anchor only moves forward.
public struct AnchorMovedBack: Error, CustomStringConvertible {
    public var from: Int
    public var to: Int
    public var description: String { "the evidence anchor cannot move back from size \(self.from) to \(self.to)" }
}
