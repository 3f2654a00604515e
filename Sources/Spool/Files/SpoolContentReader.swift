//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore
import NIOConcurrencyHelpers
public import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads one stored message a piece at a time, on a thread pool (never on an event loop or the
/// cooperative pool), so that sending a 20 MB message holds one piece of it in memory, not all.
///
/// The file is opened at the first read and stays open until ``close()``: a segment or message file
/// is never rewritten in place, so every piece comes from the same octets the digest was taken over.
public final class SpoolContentReader: Sendable {
    /// The message's octets (the Received field Fefaent put in front included).
    public let size: Int
    private let path: String
    private let offset: Int
    private let threadPool: NIOThreadPool
    private let descriptor = NIOLockedValueBox<Int32?>(nil)

    init(path: String, offset: Int, size: Int, threadPool: NIOThreadPool) {
        self.path = path
        self.offset = offset
        self.size = size
        self.threadPool = threadPool
    }

    /// At most `count` octets from `position` (0 is the message's first octet); fewer only at its end.
    public func read(at position: Int, count: Int, eventLoop: any EventLoop) -> EventLoopFuture<ByteBuffer> {
        self.threadPool.runIfActive(eventLoop: eventLoop) {
            let wanted = max(0, min(count, self.size - position))
            var buffer = ByteBufferAllocator().buffer(capacity: wanted)
            try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { target in
                try self.readBlocking(at: position, into: UnsafeMutableRawBufferPointer(rebasing: target[..<wanted]))
                return wanted
            }
            return buffer
        }
    }

    /// The octets in `range` (clamped to the message), read on the calling thread: for work that runs
    /// on a thread pool already (building a certified copy from the original).
    public func bytes(in range: Range<Int>) throws -> [UInt8] {
        let wanted = max(0, min(range.upperBound, self.size) - range.lowerBound)
        return try [UInt8](unsafeUninitializedCapacity: wanted) { target, initialized in
            try self.readBlocking(at: range.lowerBound, into: UnsafeMutableRawBufferPointer(target))
            initialized = wanted
        }
    }

    /// The message's header block (through the empty line that ends it), read on the calling thread
    /// 16 KiB at a time and never more than `limit` octets: a delivery status notification returns a
    /// large message by its headers without reading the rest. Without an empty line within `limit`,
    /// what was read up to its last line end.
    public func headerBlock(limit: Int = 1024 * 1024) throws -> [UInt8] {
        let piece = 16 * 1024
        var block: [UInt8] = []
        var searched = 0
        while block.count < min(limit, self.size) {
            block += try self.bytes(in: block.count..<min(block.count + piece, limit, self.size))
            // The empty line may straddle two pieces: look again from three octets back.
            if let end = block[max(0, searched - 3)...].firstRange(of: [13, 10, 13, 10])?.upperBound {
                return Array(block[..<end])
            }
            searched = block.count
        }
        guard let lastLineEnd = block.lastIndex(of: UInt8(ascii: "\n")) else { return block }
        return Array(block[...lastLineEnd])
    }

    /// Fills `target` from `position` with `pread`, on the calling thread.
    private func readBlocking(at position: Int, into target: UnsafeMutableRawBufferPointer) throws {
        let fd = try self.descriptor.withLockedValue { descriptor in
            if let fd = descriptor { return fd }
            let fd = try POSIX.open(self.path, flags: O_RDONLY)
            descriptor = fd
            return fd
        }
        var done = 0
        while done < target.count {
            let count = Glibc.pread(
                fd,
                target.baseAddress! + done,
                target.count - done,
                off_t(self.offset + position + done)
            )
            if count < 0 && errno == EINTR { continue }
            if count == 0 { throw CutShort(path: self.path, octets: position + done, expected: self.size) }
            guard count > 0 else { throw POSIX.Failure(call: "pread", path: self.path, errno: errno) }
            done += count
        }
    }

    /// The file ends before the octets its queue row names (someone truncated it).
    public struct CutShort: Error, CustomStringConvertible {
        public var path: String
        public var octets: Int
        public var expected: Int
        public var description: String {
            "the stored message ends after \(self.octets) of its \(self.expected) octets (\(self.path) was cut short)"
        }
    }

    /// Closes the file (reads after this open it again).
    public func close() {
        self.descriptor.withLockedValue { descriptor in
            if let fd = descriptor { POSIX.close(fd) }
            descriptor = nil
        }
    }

    deinit {
        self.close()
    }
}

extension Spool {
    /// A reader of `message`'s stored octets, piece by piece on `threadPool`.
    public func reader(of message: QueuedMessage, threadPool: NIOThreadPool) -> SpoolContentReader {
        SpoolContentReader(
            path: self.layout.path(message.path),
            offset: message.offset,
            size: message.length,
            threadPool: threadPool
        )
    }
}
