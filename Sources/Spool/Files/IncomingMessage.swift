//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import MailMessage
public import NIOCore
import Crypto

/// A message while it streams in: its octets, their SHA-256, its MIME structure, and where they are kept.
///
/// The content (not the Received field in front) also goes through a ``MessageParser`` as it arrives,
/// so every part is decoded and hashed once, here: the checks at the end of DATA and the evidence read
/// the result instead of reading the message back and parsing it again.
///
/// Small messages stay in one memory buffer (they go to a shared segment file at commit, many per
/// fsync). Once a message grows past the spill threshold it moves to a file of its own under
/// `tmp/` and every later octet is written straight there, so a 20 MB message never sits whole in
/// memory. It belongs to one session on one event loop until ``seal()`` hands it to the committer;
/// ``abort()`` removes what was written.
public struct IncomingMessage {
    public let queueID: String
    private let headerLength: Int
    private var buffer: ByteBuffer
    private var hasher = SHA256()
    private var parser: MessageParser
    private var hasEightBitOctets = false
    private var size = 0
    private var spillFile: (fd: Int32, path: String)?
    private let spillThreshold: Int
    private let temporaryPath: String

    init(
        queueID: String,
        header: ByteBuffer,
        temporaryPath: String,
        spillThreshold: Int,
        parserOptions: MessageParser.Options = MessageParser.Options()
    ) {
        self.queueID = queueID
        self.parser = MessageParser(options: parserOptions)
        self.headerLength = header.readableBytes
        self.buffer = header
        self.temporaryPath = temporaryPath
        self.spillThreshold = spillThreshold
    }

    /// Octets of message content received so far (the Received header not counted).
    public var contentSize: Int { self.size }

    /// Appends content. Writes to the spill file are plain `write(2)` calls into the page cache;
    /// the fsync that makes them durable happens off the event loop, in the committer.
    public mutating func append(_ bytes: ByteBuffer) throws {
        bytes.withUnsafeReadableBytes {
            self.hasher.update(bufferPointer: $0)
            self.parser.parse($0)
            if !self.hasEightBitOctets {
                self.hasEightBitOctets = $0.contains { $0 >= 0x80 }
            }
        }
        self.size += bytes.readableBytes
        var bytes = bytes
        self.buffer.writeBuffer(&bytes)
        if self.spillFile == nil && self.buffer.readableBytes > self.spillThreshold {
            let fd = try POSIX.open(self.temporaryPath, flags: O_WRONLY | O_CREAT | O_EXCL)
            self.spillFile = (fd, self.temporaryPath)
        }
        if let file = self.spillFile, self.buffer.readableBytes >= 256 * 1024 {
            try self.flush(to: file)
        }
    }

    private mutating func flush(to file: (fd: Int32, path: String)) throws {
        try self.buffer.withUnsafeReadableBytes { try POSIX.writeAll(file.fd, $0, path: file.path) }
        self.buffer.clear()
    }

    /// Ends reception: the octets are complete and their digest final.
    public consuming func seal() throws -> SealedMessage {
        let digest = Hex.encode(self.hasher.finalize())
        let parsed = self.parser.finish()
        if let file = self.spillFile {
            try self.flush(to: file)
            return SealedMessage(
                queueID: self.queueID,
                content: .file(fd: file.fd, temporaryPath: file.path),
                headerLength: self.headerLength,
                size: self.size,
                sha256: digest,
                parsed: parsed,
                hasEightBitOctets: self.hasEightBitOctets
            )
        }
        return SealedMessage(
            queueID: self.queueID,
            content: .memory(self.buffer),
            headerLength: self.headerLength,
            size: self.size,
            sha256: digest,
            parsed: parsed,
            hasEightBitOctets: self.hasEightBitOctets
        )
    }

    /// Drops the message: nothing of it stays on disk.
    public consuming func abort() {
        if let file = self.spillFile {
            POSIX.close(file.fd)
            POSIX.unlink(file.path)
        }
    }
}

/// A received message, complete, on its way to the committer.
public struct SealedMessage: Sendable {
    enum Content: Sendable {
        case memory(ByteBuffer)
        case file(fd: Int32, temporaryPath: String)
    }

    public let queueID: String
    let content: Content
    let headerLength: Int
    public let size: Int
    public let sha256: String
    /// The content's MIME structure, every part decoded and hashed while it streamed in.
    public let parsed: ParsedMessage
    /// Whether any octet of the content is over 127 (it then needs 8BITMIME onward).
    public let hasEightBitOctets: Bool

    /// The message as the client sent it (without the Received field Fefaent puts in front), read
    /// once, for the checks that need all of it (DKIM's body hash, the certification's parts).
    public func receivedContent() throws -> [UInt8] {
        switch self.content {
        case .memory(let buffer):
            return Array(buffer.readableBytesView.dropFirst(self.headerLength))
        case .file(_, let path):
            return try POSIX.readAll(path, offset: self.headerLength, length: self.size)
        }
    }

    /// Whether the content is in memory (``receivedContent()`` then reads no file).
    public var isInMemory: Bool {
        if case .memory = self.content { return true }
        return false
    }

    /// Drops a message that will not be committed (refused after it was read): nothing is kept.
    public func refuse() {
        self.discard()
    }

    /// Releases what the message holds when it will not be committed.
    func discard(closingDescriptor: Bool = true) {
        if case .file(let fd, let path) = self.content {
            if closingDescriptor { POSIX.close(fd) }
            POSIX.unlink(path)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
