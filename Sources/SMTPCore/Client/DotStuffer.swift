//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Dot-stuffs message content for DATA, chunk by chunk, so a large message is never copied whole.
///
/// Every line that starts with "." gets a second "."; ``finish(into:)`` makes sure the content
/// ends with CRLF and writes the terminating "." CRLF.
///
/// - SeeAlso: [RFC 5321 §4.5.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.2)
public struct DotStuffer: Sendable {
    private var atLineStart = true
    private var previous: UInt8?

    public init() {}

    /// `chunk` stuffed: the chunk itself when none of its lines starts with "." (the usual case: no
    /// copy, no allocation), else a copy from `allocator` with the dots added.
    public mutating func stuffed(_ chunk: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard self.firstDotLine(in: chunk) != nil else {
            self.advance(past: chunk)
            return chunk
        }
        var output = allocator.buffer(capacity: chunk.readableBytes + 64)
        self.stuff(chunk, into: &output)
        return output
    }

    /// Appends `chunk` to `output`, a "." before every line that starts with one. Lines are found
    /// with `memchr`, so the content is copied in runs, not examined octet by octet in Swift.
    public mutating func stuff(_ chunk: ByteBuffer, into output: inout ByteBuffer) {
        var rest = chunk
        while let dot = self.firstDotLine(in: rest) {
            // Up to the line's ".", then a second one; the line (with its ".") starts the rest.
            output.writeImmutableBuffer(rest.readSlice(length: dot)!)
            output.writeInteger(UInt8(ascii: "."))
            let line = rest.readSlice(length: 1)!
            self.atLineStart = false
            self.previous = UInt8(ascii: ".")
            output.writeImmutableBuffer(line)
        }
        self.advance(past: rest)
        output.writeImmutableBuffer(rest)
    }

    /// The offset in `chunk` of the first "." that starts a line, given where the octets before
    /// `chunk` left off.
    private func firstDotLine(in chunk: ByteBuffer) -> Int? {
        chunk.withUnsafeReadableBytes { bytes -> Int? in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
            let count = bytes.count
            if self.atLineStart && bytes[0] == UInt8(ascii: ".") { return 0 }
            var searchFrom = 0
            while searchFrom < count, let found = memchr(base + searchFrom, 0x0A, count - searchFrom) {
                let lineFeed = base.distance(to: UnsafeRawPointer(found))
                let carriageReturnBefore =
                    lineFeed > 0 ? bytes[lineFeed - 1] == UInt8(ascii: "\r") : self.previous == UInt8(ascii: "\r")
                if carriageReturnBefore && lineFeed + 1 < count && bytes[lineFeed + 1] == UInt8(ascii: ".") {
                    return lineFeed + 1
                }
                searchFrom = lineFeed + 1
            }
            return nil
        }
    }

    /// Where `chunk` leaves off: at a line start or not, and its last octet.
    private mutating func advance(past chunk: ByteBuffer) {
        let count = chunk.readableBytes
        guard count > 0, let last = chunk.getInteger(at: chunk.readerIndex + count - 1, as: UInt8.self) else { return }
        let beforeLast = count > 1 ? chunk.getInteger(at: chunk.readerIndex + count - 2, as: UInt8.self) : self.previous
        self.atLineStart = last == UInt8(ascii: "\n") && beforeLast == UInt8(ascii: "\r")
        self.previous = last
    }

    public mutating func finish(into output: inout ByteBuffer) {
        if !self.atLineStart && self.previous != nil {
            output.writeStaticString("\r\n")
        }
        output.writeStaticString(".\r\n")
        self.atLineStart = true
        self.previous = nil
    }
}
