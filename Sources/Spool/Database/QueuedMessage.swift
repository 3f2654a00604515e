//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import GRDB

/// One accepted message: where its octets are, what the envelope said, how it came in.
///
/// The `message` table; its recipients are ``QueuedRecipient`` rows.
public struct QueuedMessage: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "message"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// The queue id, given to the client in `250 2.0.0 Ok: queued as <id>`.
    public var id: String
    public var receivedAt: Date
    /// The reverse path; empty for the null sender `<>`.
    public var sender: String
    /// Octets of the message as the client sent it (without the Received header Fefaent added).
    public var size: Int
    /// SHA-256 of the message as the client sent it, lower-case hex.
    public var sha256: String
    /// Octets of the Received header in front of the stored message.
    public var headerLength: Int
    public var storage: Storage
    /// The file holding the octets, relative to the spool folder.
    public var path: String
    public var offset: Int
    /// Stored octets: header plus message.
    public var length: Int
    public var helo: String
    public var clientAddress: String
    public var listener: String
    public var protocolName: String
    public var authUser: String?
    public var tls: String?
    public var body: String?
    public var smtputf8: Bool
    public var dsnRet: String?
    public var dsnEnvid: String?
    public var state: State

    /// Where the octets of a message live.
    public enum Storage: String, Codable, Hashable, Sendable, DatabaseValueConvertible {
        /// Appended to a shared segment file (small messages, group-committed).
        case segment
        /// A file of its own (large messages).
        case file
    }

    /// The message's place in the queue.
    public enum State: String, Codable, Hashable, Sendable, DatabaseValueConvertible {
        case queued
        case hold
        case done
        /// Its file was found missing or short at start-up; see the log.
        case missing
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let receivedAt = Column("received_at")
        public static let state = Column(CodingKeys.state)
        public static let path = Column(CodingKeys.path)
    }

    static let recipients = hasMany(QueuedRecipient.self, using: ForeignKey(["message_id"]))
}

extension QueuedMessage {
    /// Reads a row column by column: the queue runner reads a message for every delivery, and the
    /// Codable decoder cost a few percent of a certified copy's CPU.
    public init(row: Row) throws {
        self.id = row["id"]
        self.receivedAt = row["received_at"]
        self.sender = row["sender"]
        self.size = row["size"]
        self.sha256 = row["sha256"]
        self.headerLength = row["header_length"]
        self.storage = row["storage"]
        self.path = row["path"]
        self.offset = row["offset"]
        self.length = row["length"]
        self.helo = row["helo"]
        self.clientAddress = row["client_address"]
        self.listener = row["listener"]
        self.protocolName = row["protocol_name"]
        self.authUser = row["auth_user"]
        self.tls = row["tls"]
        self.body = row["body"]
        self.smtputf8 = row["smtputf8"]
        self.dsnRet = row["dsn_ret"]
        self.dsnEnvid = row["dsn_envid"]
        self.state = row["state"]
    }
}
