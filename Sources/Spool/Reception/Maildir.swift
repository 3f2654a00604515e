//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A Maildir (https://cr.yp.to/proto/maildir.html): a message is written to `tmp/`, synced, then
/// renamed into `new/`; the folder is synced once for all the messages of a commit.
public struct Maildir: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Makes the Maildir's folders when missing.
    public func create() throws {
        var built = self.path.hasPrefix("/") ? "" : "."
        for component in self.path.split(separator: "/") {
            built += "/" + component
            try POSIX.makeDirectory(built)
        }
        for folder in ["tmp", "new", "cur"] {
            try POSIX.makeDirectory(self.path + "/" + folder)
        }
    }

    /// A unique file name: `seconds.MmicrosPpidQqueueidNn.host`, with the queue id so that recovery
    /// and an operator can find a stored copy by it.
    public static func fileName(queueID: String, copy: Int, hostname: String, now: Date = Date()) -> String {
        let time = now.timeIntervalSince1970
        let seconds = Int(time)
        let micros = Int((time - Double(seconds)) * 1_000_000)
        // `/` and `:` may not appear in the host part (the Maildir specification's escapes).
        let host = hostname.replacingOccurrences(of: "/", with: "\\057").replacingOccurrences(of: ":", with: "\\072")
        return "\(seconds).M\(micros)P\(getpid())Q\(queueID)N\(copy).\(host)"
    }

    /// Writes `header` then the octets `source` yields into `tmp/NAME`, syncs the file and renames it
    /// to `new/NAME`. The caller syncs `new/` (``syncNew()``) before it reports the copy stored.
    public func deliver(name: String, header: [UInt8], source: MaildirSource) throws {
        if let failure = Self.deliver([Delivery(maildir: self, name: name, header: header, source: source)]).first {
            throw failure.1
        }
    }

    /// One message for a Maildir.
    public struct Delivery: Sendable {
        public var maildir: Maildir
        public var name: String
        public var header: [UInt8]
        public var source: MaildirSource

        public init(maildir: Maildir, name: String, header: [UInt8], source: MaildirSource) {
            self.maildir = maildir
            self.name = name
            self.header = header
            self.source = source
        }
    }

    /// Delivers many messages the way ``deliver(name:header:source:)`` delivers one, in three rounds:
    /// every file written, then every file synced (after the first sync the file system has little
    /// left to write: it commits them together), then every file renamed into `new/`. Returns the
    /// deliveries that failed (by index) and why; those leave nothing in `tmp/` or `new/`.
    public static func deliver(_ deliveries: [Delivery]) -> [(Int, any Error)] {
        var failures = Self.writeTemporary(deliveries)
        let failed = Set(failures.map(\.0))
        let written = deliveries.indices.filter { !failed.contains($0) }
        failures += Self.publish(written.map { deliveries[$0] }).map { (written[$0.0], $0.1) }
        return failures
    }

    /// The first two rounds of ``deliver(_:)``: each file written to `tmp/` and synced, not yet
    /// visible to readers.
    static func writeTemporary(_ deliveries: [Delivery]) -> [(Int, any Error)] {
        var failures: [(Int, any Error)] = []
        var open: [(index: Int, fd: Int32, temporary: String)] = []
        for (index, delivery) in deliveries.enumerated() {
            let temporary = delivery.maildir.path + "/tmp/" + delivery.name
            do {
                let fd: Int32
                do {
                    fd = try POSIX.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
                } catch let failure as POSIX.Failure where failure.errno == ENOENT {
                    // A Maildir made since (or removed by hand): its folders are made on the first delivery.
                    try delivery.maildir.create()
                    fd = try POSIX.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
                } catch let failure as POSIX.Failure where failure.errno == EEXIST {
                    // Names are unique per message and copy: this is our own write a crash cut off.
                    POSIX.unlink(temporary)
                    fd = try POSIX.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
                }
                do {
                    try delivery.header.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: temporary) }
                    try delivery.source.write(to: fd, path: temporary)
                } catch {
                    POSIX.close(fd)
                    POSIX.unlink(temporary)
                    throw error
                }
                open.append((index, fd, temporary))
            } catch {
                failures.append((index, error))
            }
        }
        for file in open {
            do {
                try POSIX.fsync(file.fd, path: file.temporary)
            } catch {
                POSIX.unlink(file.temporary)
                failures.append((file.index, error))
            }
            POSIX.close(file.fd)
        }
        return failures
    }

    /// The last round of ``deliver(_:)``: files written by ``writeTemporary(_:)`` renamed into `new/`.
    static func publish(_ deliveries: [Delivery]) -> [(Int, any Error)] {
        var failures: [(Int, any Error)] = []
        for (index, delivery) in deliveries.enumerated() {
            let temporary = delivery.maildir.path + "/tmp/" + delivery.name
            do {
                try POSIX.rename(temporary, delivery.maildir.path + "/new/" + delivery.name)
            } catch {
                POSIX.unlink(temporary)
                failures.append((index, error))
            }
        }
        return failures
    }

    /// Makes the names renamed into `new/` durable.
    public func syncNew() throws {
        try POSIX.syncDirectory(self.path + "/new")
    }

    /// Whether a message of this name is in `new/` or `cur/` (where a reader moves it, adding `:2,…`).
    public func holds(name: String) -> Bool {
        if POSIX.fileSize(self.path + "/new/" + name) != nil { return true }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: self.path + "/cur") else {
            return false
        }
        return entries.contains { $0 == name || $0.hasPrefix(name + ":") }
    }
}

/// Where a stored copy's octets come from: the bytes in memory, or a range of a spool file.
public enum MaildirSource: Sendable {
    case bytes([UInt8])
    case file(path: String, offset: Int, length: Int)

    func write(to fd: Int32, path: String) throws {
        switch self {
        case .bytes(let bytes):
            try bytes.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: path) }
        case .file(let source, let offset, let length):
            // In chunks: a 20 MB message never sits whole in memory here.
            let input = try POSIX.open(source, flags: O_RDONLY)
            defer { POSIX.close(input) }
            var buffer = [UInt8](repeating: 0, count: 256 * 1024)
            var done = 0
            while done < length {
                let count = try buffer.withUnsafeMutableBytes { chunk -> Int in
                    let wanted = min(chunk.count, length - done)
                    while true {
                        let read = pread(input, chunk.baseAddress!, wanted, off_t(offset + done))
                        if read < 0 && errno == EINTR { continue }
                        guard read > 0 else {
                            throw POSIX.Failure(call: "pread", path: source, errno: read == 0 ? EIO : errno)
                        }
                        return read
                    }
                }
                try buffer.withUnsafeBytes {
                    try POSIX.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[..<count]), path: path)
                }
                done += count
            }
        }
    }
}
