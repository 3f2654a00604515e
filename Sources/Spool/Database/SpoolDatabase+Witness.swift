//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import GRDB

/// Where a checkpoint witness stands: the largest checkpoint it cosigned, and the last try.
public struct WitnessState: Hashable, Sendable {
    public var url: String
    /// The tree size of the last checkpoint the witness cosigned (0: none yet).
    public var acknowledgedSize: Int
    /// Its cosignature lines for that checkpoint.
    public var cosignature: String?
    public var acknowledgedAt: Date?
    public var lastAttemptAt: Date?
    /// Why the last try failed; nil when it succeeded.
    public var lastError: String?

    public init(url: String) {
        self.url = url
        self.acknowledgedSize = 0
    }
}

extension SpoolDatabase {
    public func witnessStates() throws -> [WitnessState] {
        try self.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM witness ORDER BY url").map { row in
                var state = WitnessState(url: row["url"])
                state.acknowledgedSize = row["acknowledged_size"]
                state.cosignature = row["cosignature"]
                state.acknowledgedAt = row["acknowledged_at"]
                state.lastAttemptAt = row["last_attempt_at"]
                state.lastError = row["last_error"]
                return state
            }
        }
    }

    public func saveWitnessState(_ state: WitnessState) throws {
        try self.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO witness (url, acknowledged_size, cosignature, acknowledged_at, last_attempt_at, last_error)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (url) DO UPDATE SET acknowledged_size = excluded.acknowledged_size,
                        cosignature = excluded.cosignature, acknowledged_at = excluded.acknowledged_at,
                        last_attempt_at = excluded.last_attempt_at, last_error = excluded.last_error
                    """,
                arguments: [
                    state.url, state.acknowledgedSize, state.cosignature, state.acknowledgedAt, state.lastAttemptAt,
                    state.lastError
                ]
            )
        }
    }
}
