//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import GRDB

/// One recipient of a queued message, with its DSN request and its delivery state.
public struct QueuedRecipient: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "recipient"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var messageId: String
    public var address: String
    /// Why the listener accepted it: certifier, reception, system or relay.
    public var kind: String
    /// DSN NOTIFY as given (`NEVER`, or conditions joined by commas); `nil` when not asked.
    public var notify: String?
    /// DSN ORCPT as `type;address`.
    public var orcpt: String?
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastReply: String?
    /// The server that answered the last attempt: host name, IP, TLS version.
    public var remoteHost: String? = nil
    public var remoteIp: String? = nil
    public var tls: String? = nil
    /// When the recipient was delivered or bounced.
    public var finishedAt: Date? = nil
    /// The tracking token of a certified copy (the copy is built for this recipient alone).
    public var token: String? = nil
    /// When the copy's tracking pixel was first fetched.
    public var firstFetchedAt: Date? = nil

    /// Where a recipient stands.
    public enum State: String, Codable, Hashable, Sendable, DatabaseValueConvertible {
        case queued
        case deferred
        case delivered
        case bounced
    }

    public enum Columns {
        public static let messageId = Column("message_id")
        public static let state = Column(CodingKeys.state)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        self.id = inserted.rowID
    }
}
