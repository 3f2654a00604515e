//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// One header field as the message wrote it.
///
///     Subject: =?UTF-8?Q?caf=C3=A9?=
///      and more
///
/// ``raw`` keeps every byte (folding, line endings) so a rewriter can copy it unchanged and DKIM's
/// `simple` canonicalisation can hash it; ``value`` is the unfolded, RFC 2047-decoded text.
///
/// - SeeAlso: [RFC 5322 §2.2](https://www.rfc-editor.org/rfc/rfc5322#section-2.2)
public struct HeaderField: Hashable, Sendable {
    /// The field name as written (compare with ``hasName(_:)``, which ignores case).
    public let name: String
    /// The whole field, name through the last line ending, byte for byte.
    public let raw: [UInt8]

    public init(raw: [UInt8]) {
        self.raw = raw
        let colon = raw.firstIndex(of: UInt8(ascii: ":")) ?? raw.endIndex
        var nameEnd = colon
        while nameEnd > raw.startIndex, raw[nameEnd - 1] == UInt8(ascii: " ") || raw[nameEnd - 1] == UInt8(ascii: "\t")
        {
            nameEnd -= 1
        }
        self.name = String(decoding: raw[..<nameEnd], as: UTF8.self)
    }

    /// Builds a field from a name and an already encoded value, folding long values and ending in CRLF.
    public init(name: String, encodedValue: String) {
        self.init(raw: HeaderFolding.fold(name: name, value: encodedValue))
    }

    /// Whether this field is named `name`, ignoring ASCII case.
    public func hasName(_ name: String) -> Bool {
        self.name.utf8.count == name.utf8.count
            && zip(self.name.utf8, name.utf8).allSatisfy { asciiLowercase($0) == asciiLowercase($1) }
    }

    /// The bytes after the colon with folding removed (line endings dropped) and outer whitespace trimmed.
    public var unfoldedValue: [UInt8] {
        let colon = self.raw.firstIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? self.raw.endIndex
        var value: [UInt8] = []
        value.reserveCapacity(self.raw.count - colon)
        for byte in self.raw[colon...] where byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") {
            value.append(byte)
        }
        return Array(trimmingWhitespace(value[...]))
    }

    /// The value as text: unfolded, RFC 2047 encoded words decoded, raw UTF-8 (RFC 6532) accepted.
    public var value: String {
        EncodedWordDecoder.decode(self.unfoldedValue)
    }
}

@inline(__always)
func asciiLowercase(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
}

@inline(__always)
func isWhitespace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
}

func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var start = bytes.startIndex
    var end = bytes.endIndex
    while start < end, isWhitespace(bytes[start]) { start += 1 }
    while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
    return bytes[start..<end]
}

/// Text from bytes that should be UTF-8, keeping anything else as Latin-1 rather than dropping it.
func lenientString(_ bytes: some Collection<UInt8>) -> String {
    if let text = String(validating: Array(bytes), as: UTF8.self) {
        return text
    }
    return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
}
