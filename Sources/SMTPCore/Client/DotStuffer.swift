//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

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

    public mutating func stuff(_ chunk: ByteBuffer, into output: inout ByteBuffer) {
        var start = chunk.readerIndex
        let view = chunk.readableBytesView
        for index in view.indices {
            let byte = view[index]
            if self.atLineStart && byte == UInt8(ascii: ".") {
                output.writeBytes(view[start..<index])
                output.writeInteger(UInt8(ascii: "."))
                start = index
            }
            self.atLineStart = byte == UInt8(ascii: "\n") && self.previous == UInt8(ascii: "\r")
            self.previous = byte
        }
        output.writeBytes(view[start..<view.endIndex])
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
