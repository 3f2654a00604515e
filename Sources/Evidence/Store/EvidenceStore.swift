//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
public import GRDB
public import X509

/// The evidence database: records, their time-stamps, and log checkpoints, append-only.
///
/// Triggers refuse every UPDATE and DELETE on the evidence tables, so not even a bug (or a careless
/// operator with the sqlite3 shell, short of dropping the triggers) rewrites history; and if someone
/// does, the log's checkpoints and the signatures show it.
public struct EvidenceStore: Sendable {
    let writer: any DatabaseWriter

    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    public static func open(path: String) throws -> EvidenceStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // FULL on the writer, once it is open (GRDB's WAL setup sets NORMAL after `prepareDatabase`):
        // a record or time-stamp is on disk when its transaction returns.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        let store = try EvidenceStore(pool)
        // The evidence is the owner's only, however the file was made (SQLite gives -wal and -shm the same mode).
        for file in [path, path + "-wal", path + "-shm"] {
            guard let mode = (try? FileManager.default.attributesOfItem(atPath: file))?[.posixPermissions] as? Int,
                mode & 0o077 != 0
            else { continue }
            try? FileManager.default.setAttributes([.posixPermissions: mode & 0o700], ofItemAtPath: file)
        }
        return store
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE record (
                        leaf_index INTEGER PRIMARY KEY,
                        evidence_id TEXT NOT NULL UNIQUE,
                        queue_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        time_ms INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        signed_attributes BLOB NOT NULL,
                        signature BLOB NOT NULL,
                        leaf_hash BLOB NOT NULL
                    );
                    CREATE INDEX record_queue ON record(queue_id);
                    CREATE TABLE record_timestamp (
                        evidence_id TEXT PRIMARY KEY REFERENCES record(evidence_id),
                        token BLOB NOT NULL,
                        stamped_at_ms INTEGER NOT NULL
                    );
                    CREATE TABLE checkpoint (
                        size INTEGER PRIMARY KEY,
                        root BLOB NOT NULL,
                        note TEXT NOT NULL,
                        created_at_ms INTEGER NOT NULL
                    );
                    CREATE TABLE checkpoint_timestamp (
                        size INTEGER PRIMARY KEY REFERENCES checkpoint(size),
                        token BLOB NOT NULL,
                        stamped_at_ms INTEGER NOT NULL
                    );
                    """
            )
            for table in ["record", "record_timestamp", "checkpoint", "checkpoint_timestamp"] {
                for operation in ["UPDATE", "DELETE"] {
                    try db.execute(
                        sql: """
                            CREATE TRIGGER \(table)_no_\(operation.lowercased()) BEFORE \(operation) ON \(table)
                            BEGIN SELECT RAISE(ABORT, 'evidence is append-only: \(operation) on \(table) refused'); END
                            """
                    )
                }
            }
        }
        migrator.registerMigration("v2: outbox sequence") { db in
            // The outbox row a record was made from: the writer resumes after the highest.
            try db.execute(
                sql: """
                    ALTER TABLE record ADD COLUMN outbox_seq INTEGER;
                    CREATE UNIQUE INDEX record_outbox_seq ON record(outbox_seq);
                    """
            )
        }
        migrator.registerMigration("v3: archive time-stamps") { db in
            try db.execute(
                sql: """
                    CREATE TABLE record_archive_timestamp (
                        evidence_id TEXT NOT NULL REFERENCES record(evidence_id),
                        position INTEGER NOT NULL CHECK (position >= 1),
                        token BLOB NOT NULL,
                        stamped_at_ms INTEGER NOT NULL,
                        PRIMARY KEY (evidence_id, position)
                    );
                    """
            )
            for operation in ["UPDATE", "DELETE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER record_archive_timestamp_no_\(operation.lowercased())
                        BEFORE \(operation) ON record_archive_timestamp
                        BEGIN SELECT RAISE(ABORT, 'evidence is append-only: \(operation) on record_archive_timestamp refused'); END
                        """
                )
            }
        }
        return migrator
    }

    // MARK: - Writing

    func insert(_ records: [StoredRecord]) throws {
        try self.writer.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO record (leaf_index, evidence_id, queue_id, kind, time_ms, body, signed_attributes,
                        signature, leaf_hash, outbox_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for record in records {
                try statement.execute(arguments: [
                    record.leafIndex, record.evidenceID, record.queueID, record.kind, record.timeMs, Data(record.body),
                    Data(record.signature.signedAttributes), Data(record.signature.signature), Data(record.leafHash),
                    record.outboxSequence
                ])
            }
        }
    }

    func insert(checkpoint: Checkpoint, at time: UTCDateTime) throws {
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT INTO checkpoint (size, root, note, created_at_ms) VALUES (?, ?, ?, ?)",
                arguments: [checkpoint.size, Data(checkpoint.root), checkpoint.note, time.millisecondsSinceEpoch]
            )
        }
    }

    func insertTimestamps(records: [(String, [UInt8])], checkpoints: [(Int, [UInt8])], at time: UTCDateTime) throws {
        try self.writer.write { db in
            for (id, token) in records {
                try db.execute(
                    sql: "INSERT INTO record_timestamp (evidence_id, token, stamped_at_ms) VALUES (?, ?, ?)",
                    arguments: [id, Data(token), time.millisecondsSinceEpoch]
                )
            }
            for (size, token) in checkpoints {
                try db.execute(
                    sql: "INSERT INTO checkpoint_timestamp (size, token, stamped_at_ms) VALUES (?, ?, ?)",
                    arguments: [size, Data(token), time.millisecondsSinceEpoch]
                )
            }
        }
    }

    // MARK: - Reading

    public func record(id: String) throws -> StoredRecord? {
        try self.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM record WHERE evidence_id = ?", arguments: [id]).map(
                StoredRecord.init(row:)
            )
        }
    }

    public func records(queueID: String) throws -> [StoredRecord] {
        try self.writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM record WHERE queue_id = ? ORDER BY leaf_index",
                arguments: [queueID]
            )
            .map(StoredRecord.init(row:))
        }
    }

    /// Records from leaf `index` on, in log order, at most `limit`.
    public func records(from index: Int, limit: Int) throws -> [StoredRecord] {
        try self.writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM record WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?",
                arguments: [index, limit]
            ).map(StoredRecord.init(row:))
        }
    }

    /// Every record in log order, handed over in batches (for audits of large logs).
    public func forEachRecord(batch: Int = 10_000, _ body: ([StoredRecord]) throws -> Void) throws {
        var next = 0
        while true {
            let records = try self.writer.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM record WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?",
                    arguments: [next, batch]
                ).map(StoredRecord.init(row:))
            }
            guard let last = records.last else { return }
            try body(records)
            next = last.leafIndex + 1
        }
    }

    public func leafHashes(upTo size: Int? = nil) throws -> [MerkleTree.Hash] {
        try self.writer.read { db in
            try Data.fetchAll(
                db,
                sql: "SELECT leaf_hash FROM record WHERE leaf_index < ? ORDER BY leaf_index",
                arguments: [size ?? Int.max]
            ).map { Array($0) }
        }
    }

    public func recordCount() throws -> Int {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record") ?? 0 }
    }

    public func lastLeafIndex() throws -> Int? {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT MAX(leaf_index) FROM record") }
    }

    public func timestamp(evidenceID: String) throws -> (token: [UInt8], stampedAt: UTCDateTime)? {
        try self.writer.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT token, stamped_at_ms FROM record_timestamp WHERE evidence_id = ?",
                arguments: [evidenceID]
            )
            .map { (Array($0["token"] as Data), UTCDateTime(millisecondsSinceEpoch: $0["stamped_at_ms"])) }
        }
    }

    /// Records without a time-stamp token from leaf `start` on, oldest first, and the highest leaf
    /// index when they were read (the caller's next `start` when none is left).
    ///
    /// Reading from `start`, not from the first leaf: every record below it is stamped already (stamps
    /// are never removed), and a scan from the first leaf would read the whole log at every round.
    public func unstampedRecords(from start: Int, limit: Int) throws -> (records: [StoredRecord], lastLeafIndex: Int?) {
        try self.writer.read { db in
            let records = try Row.fetchAll(
                db,
                sql: """
                    SELECT record.* FROM record
                    WHERE leaf_index >= ?
                        AND NOT EXISTS (SELECT 1 FROM record_timestamp t WHERE t.evidence_id = record.evidence_id)
                    ORDER BY leaf_index LIMIT ?
                    """,
                arguments: [start, limit]
            ).map(StoredRecord.init(row:))
            return (records, try Int.fetchOne(db, sql: "SELECT MAX(leaf_index) FROM record"))
        }
    }

    /// Checkpoints, oldest first: size, root, note, created, and the time-stamp token if any.
    public func checkpoints() throws -> [StoredCheckpoint] {
        try self.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT checkpoint.*, checkpoint_timestamp.token FROM checkpoint
                    LEFT JOIN checkpoint_timestamp USING (size) ORDER BY size
                    """
            ).map(StoredCheckpoint.init(row:))
        }
    }

    /// The newest checkpoint, with its token if it has one.
    public func latestCheckpoint() throws -> StoredCheckpoint? {
        try self.writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT checkpoint.*, checkpoint_timestamp.token FROM checkpoint
                    LEFT JOIN checkpoint_timestamp USING (size) ORDER BY size DESC LIMIT 1
                    """
            ).map(StoredCheckpoint.init(row:))
        }
    }

    /// Checkpoints larger than `size`, oldest first.
    public func checkpoints(after size: Int, limit: Int = 1_000) throws -> [StoredCheckpoint] {
        try self.checkpoints(where: "checkpoint.size > ?", size, limit: limit)
    }

    /// The first checkpoint that covers `leafIndex`.
    public func checkpoint(covering leafIndex: Int) throws -> StoredCheckpoint? {
        try self.checkpoints(where: "checkpoint.size > ?", leafIndex, limit: 1).first
    }

    /// The newest checkpoint's tree size, 0 before the first.
    public func lastCheckpointSize() throws -> Int {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT MAX(size) FROM checkpoint") ?? 0 }
    }

    /// Checkpoints that have no time-stamp yet, oldest first.
    /// The size of the largest checkpoint that has its time-stamp token, 0 before the first.
    public func lastStampedCheckpointSize() throws -> Int {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT MAX(size) FROM checkpoint_timestamp") ?? 0 }
    }

    /// Where complete evidence ends, looking from leaf `start` on: records below it are time-stamped
    /// and inside a time-stamped checkpoint (what a notice or a PDF may carry, and still verify).
    public func completeSize(from start: Int) throws -> Int {
        let firstUnstamped = try self.unstampedRecords(from: start, limit: 1).records.first?.leafIndex
        return min(try self.lastStampedCheckpointSize(), firstUnstamped ?? Int.max)
    }

    /// Checkpoints without a time-stamp token of size `start` or more, oldest first, and the largest
    /// size when they were read (see ``unstampedRecords(from:limit:)``).
    public func unstampedCheckpoints(from start: Int = 0) throws -> (checkpoints: [StoredCheckpoint], lastSize: Int?) {
        try self.writer.read { db in
            let found = try self.checkpoints(
                where: "checkpoint.size >= ? AND checkpoint_timestamp.token IS NULL",
                start,
                limit: 1_000,
                in: db
            )
            return (found, try Int.fetchOne(db, sql: "SELECT MAX(size) FROM checkpoint"))
        }
    }

    private func checkpoints(
        where condition: String,
        _ arguments: (any DatabaseValueConvertible)...,
        limit: Int
    ) throws
        -> [StoredCheckpoint]
    {
        try self.writer.read { db in
            try self.checkpoints(where: condition, arguments, limit: limit, in: db)
        }
    }

    private func checkpoints(
        where condition: String,
        _ arguments: (any DatabaseValueConvertible)...,
        limit: Int,
        in db: Database
    ) throws -> [StoredCheckpoint] {
        try self.checkpoints(where: condition, arguments, limit: limit, in: db)
    }

    private func checkpoints(
        where condition: String,
        _ arguments: [any DatabaseValueConvertible],
        limit: Int,
        in db: Database
    ) throws -> [StoredCheckpoint] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT checkpoint.*, checkpoint_timestamp.token FROM checkpoint
                LEFT JOIN checkpoint_timestamp USING (size) WHERE \(condition) ORDER BY size LIMIT \(limit)
                """,
            arguments: StatementArguments(arguments)
        ).map(StoredCheckpoint.init(row:))
    }
}

/// A record as stored: its canonical JSON, signature parts and log position.
public struct StoredRecord: Hashable, Sendable {
    public var leafIndex: Int
    public var evidenceID: String
    public var queueID: String
    public var kind: String
    public var timeMs: Int64
    public var body: [UInt8]
    public var signature: CMSSignature
    public var leafHash: MerkleTree.Hash
    /// The queue database's outbox row the record was made from, if any.
    public var outboxSequence: Int64?

    init(row: Row) {
        self.outboxSequence = row["outbox_seq"]
        self.leafIndex = row["leaf_index"]
        self.evidenceID = row["evidence_id"]
        self.queueID = row["queue_id"]
        self.kind = row["kind"]
        self.timeMs = row["time_ms"]
        self.body = Array(row["body"] as Data)
        self.signature = CMSSignature(
            signedAttributes: Array(row["signed_attributes"] as Data),
            signature: Array(row["signature"] as Data)
        )
        self.leafHash = Array(row["leaf_hash"] as Data)
    }

    init(leafIndex: Int, record: EvidenceRecord, body: [UInt8], signature: CMSSignature, outboxSequence: Int64?) {
        self.outboxSequence = outboxSequence
        self.leafIndex = leafIndex
        self.evidenceID = record.evidenceID
        self.queueID = record.queueID
        self.kind = record.kind.rawValue
        self.timeMs = record.time.millisecondsSinceEpoch
        self.body = body
        self.signature = signature
        self.leafHash = LogLeaf.hash(body: body, signature: signature)
    }
}

extension EvidenceStore {
    /// The record's time-stamp token (over the SHA-256 of its signature value, CAdES-T), verified
    /// against `trustedRoots`: nil when it has none yet; throws when it does not verify.
    public func verifiedTimeStamp(of record: StoredRecord, trustedRoots: [Certificate]) throws -> TimeStampToken? {
        guard let stamp = try self.timestamp(evidenceID: record.evidenceID) else { return nil }
        return try TimeStampToken(
            verifying: stamp.token,
            for: Array(SHA256.hash(data: record.signature.signature)),
            trustedRoots: trustedRoots
        )
    }
}

/// A checkpoint as stored.
public struct StoredCheckpoint: Hashable, Sendable {
    public var size: Int
    public var root: MerkleTree.Hash
    public var note: String
    public var createdAt: UTCDateTime
    public var token: [UInt8]?

    init(row: Row) {
        self.size = row["size"]
        self.root = Array(row["root"] as Data)
        self.note = row["note"]
        self.createdAt = UTCDateTime(millisecondsSinceEpoch: row["created_at_ms"])
        self.token = (row["token"] as Data?).map { Array($0) }
    }
}

extension EvidenceStore {
    public func stampedRecordCount() throws -> Int {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM record_timestamp") ?? 0 }
    }

    /// Time-stamp tokens of the given records, by evidence id.
    public func timestamps(for ids: [String]) throws -> [String: [UInt8]] {
        guard !ids.isEmpty else { return [:] }
        return try self.writer.read { db in
            var tokens: [String: [UInt8]] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let slice = Array(ids[chunk..<min(chunk + 500, ids.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db,
                    sql: "SELECT evidence_id, token FROM record_timestamp WHERE evidence_id IN (\(marks))",
                    arguments: StatementArguments(slice)
                ) {
                    tokens[row["evidence_id"]] = Array(row["token"] as Data)
                }
            }
            return tokens
        }
    }
}

extension EvidenceStore {
    /// A record's archive time-stamps, oldest first (each covers the record and the tokens before it).
    public func archiveTokens(evidenceID: String) throws -> [[UInt8]] {
        try self.writer.read { db in
            try Data.fetchAll(
                db,
                sql: "SELECT token FROM record_archive_timestamp WHERE evidence_id = ? ORDER BY position",
                arguments: [evidenceID]
            ).map { Array($0) }
        }
    }

    /// Every token of a record, in chain order: the CAdES-T token, then its archive time-stamps.
    public func tokenChain(evidenceID: String) throws -> [[UInt8]] {
        guard let first = try self.timestamp(evidenceID: evidenceID)?.token else { return [] }
        return [first] + (try self.archiveTokens(evidenceID: evidenceID))
    }

    func insertArchiveTimestamps(
        _ tokens: [(evidenceID: String, position: Int, token: [UInt8])],
        at time: UTCDateTime
    )
        throws
    {
        try self.writer.write { db in
            for item in tokens {
                try db.execute(
                    sql: """
                        INSERT INTO record_archive_timestamp (evidence_id, position, token, stamped_at_ms)
                        VALUES (?, ?, ?, ?)
                        """,
                    arguments: [item.evidenceID, item.position, Data(item.token), time.millisecondsSinceEpoch]
                )
            }
        }
    }

    /// The highest outbox row turned into a record, 0 before the first.
    public func lastOutboxSequence() throws -> Int64 {
        try self.writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(outbox_seq) FROM record") ?? 0 }
    }

    /// All records, newest last, at most `limit`.
    public func allRecords(limit: Int = 1_000) throws -> [StoredRecord] {
        try self.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM record ORDER BY leaf_index DESC LIMIT ?", arguments: [limit])
                .map(StoredRecord.init(row:)).reversed()
        }
    }
}
