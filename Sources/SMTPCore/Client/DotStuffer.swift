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

    /// Appends `chunk` to `output`, a "." before every line that starts with one. Lines are found
    /// with `memchr`, so the content is copied in runs, not examined octet by octet in Swift.
    public mutating func stuff(_ chunk: ByteBuffer, into output: inout ByteBuffer) {
        chunk.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            let count = bytes.count
            var copiedUpTo = 0
            var searchFrom = 0
            // Where the current line starts, if it starts in this chunk.
            var lineStart: Int? = self.atLineStart ? 0 : nil
            while true {
                if let start = lineStart, start < count, bytes[start] == UInt8(ascii: ".") {
                    output.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[copiedUpTo..<start]))
                    output.writeInteger(UInt8(ascii: "."))
                    copiedUpTo = start
                }
                guard searchFrom < count, let found = memchr(base + searchFrom, 0x0A, count - searchFrom) else { break }
                let lineFeed = base.distance(to: UnsafeRawPointer(found))
                let carriageReturnBefore =
                    lineFeed > 0 ? bytes[lineFeed - 1] == UInt8(ascii: "\r") : self.previous == UInt8(ascii: "\r")
                lineStart = carriageReturnBefore ? lineFeed + 1 : nil
                searchFrom = lineFeed + 1
            }
            output.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[copiedUpTo..<count]))
            let last = bytes[count - 1]
            let beforeLast = count > 1 ? bytes[count - 2] : self.previous
            self.atLineStart = last == UInt8(ascii: "\n") && beforeLast == UInt8(ascii: "\r")
            self.previous = last
        }
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
