//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

/// One SMTP reply: a code, an optional enhanced status code, and one or more lines of text.
///
///     S: 250-mx.example.test
///     S: 250 PIPELINING
///
/// - SeeAlso: [RFC 5321 §4.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.2)
public struct Reply: Hashable, Sendable {
    public var code: ReplyCode
    public var enhancedCode: EnhancedStatusCode?
    public var lines: [String]

    public init(_ code: ReplyCode, _ enhancedCode: EnhancedStatusCode? = nil, _ lines: [String]) {
        precondition(!lines.isEmpty, "a reply has at least one line")
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines
    }

    public init(_ code: ReplyCode, _ enhancedCode: EnhancedStatusCode? = nil, _ text: String) {
        self.init(code, enhancedCode, [text])
    }

    /// Whether the reply tells the client the command succeeded (2xx or 3xx).
    public var isPositive: Bool { self.code.isPositive }
}

extension Reply: CustomStringConvertible {
    public var description: String {
        var buffer = ByteBuffer()
        buffer.writeReply(self)
        return String(buffer: buffer)
    }
}

// MARK: - Encoding

extension ByteBuffer {
    /// Writes a reply, every line but the last with a `-` after the code, each ending in CRLF.
    /// Control characters in the text are replaced by spaces so a reply is never split by its own text.
    @discardableResult
    public mutating func writeReply(_ reply: Reply) -> Int {
        var written = 0
        for (index, line) in reply.lines.enumerated() {
            written += self.writeString(String(reply.code.rawValue))
            written += self.writeInteger(index == reply.lines.count - 1 ? UInt8(ascii: " ") : UInt8(ascii: "-"))
            if let enhanced = reply.enhancedCode {
                written += self.writeString(enhanced.description)
                written += self.writeInteger(UInt8(ascii: " "))
            }
            for byte in line.utf8 {
                written += self.writeInteger(byte < 0x20 || byte == 0x7F ? UInt8(ascii: " ") : byte)
            }
            written += self.writeStaticString("\r\n")
        }
        return written
    }
}
