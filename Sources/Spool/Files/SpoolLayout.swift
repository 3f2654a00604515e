//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The folders of a spool and what each holds.
///
///     spool/queue.sqlite   the queue database (WAL)
///     spool/lock           held (flock) by the one daemon that owns the spool
///     spool/tmp/           large messages while they arrive; emptied at start-up
///     spool/seg/           segment files: small messages appended, many per fsync
///     spool/msg/           large messages, a file each, named by queue id
public struct SpoolLayout: Sendable {
    public static let temporaryFolder = "tmp"
    public static let segmentFolder = "seg"
    public static let messageFolder = "msg"
    public static let databaseFile = "queue.sqlite"
    public static let lockFile = "lock"

    public let root: String

    public init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    public func path(_ relative: String) -> String {
        self.root + "/" + relative
    }

    /// The stored octets of a message: the Received header Fefaent added, then the message as sent.
    public func contents(of message: QueuedMessage) throws -> [UInt8] {
        try POSIX.readAll(self.path(message.path), offset: message.offset, length: message.length)
    }

    /// Makes the spool's folders, and makes them (and the database files) the owner's only: 0700
    /// and 0600, whatever made them before.
    func create() throws {
        try POSIX.makeDirectory(self.root)
        for folder in [Self.temporaryFolder, Self.segmentFolder, Self.messageFolder, "openum"] {
            try POSIX.makeDirectory(self.path(folder))
        }
        for folder in ["", Self.temporaryFolder, Self.segmentFolder, Self.messageFolder, "openum", "mailboxes"] {
            POSIX.restrictMode(folder.isEmpty ? self.root : self.path(folder), to: 0o700)
        }
        for file in [Self.databaseFile, Self.databaseFile + "-wal", Self.databaseFile + "-shm", Self.lockFile] {
            POSIX.restrictMode(self.path(file), to: 0o600)
        }
    }
}
