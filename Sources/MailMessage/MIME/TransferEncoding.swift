//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A part's `Content-Transfer-Encoding`, read leniently (`Quoted-Printable;`, ` base64 `).
///
/// - SeeAlso: [RFC 2045 §6](https://www.rfc-editor.org/rfc/rfc2045#section-6)
public enum TransferEncoding: Hashable, Sendable {
    case sevenBit
    case eightBit
    case binary
    case quotedPrintable
    case base64
    /// `x-uuencode` (and its other spellings): mail clients of the 1990s and some gateways still send
    /// it; decoded like base64, so a part's digest is of its content, not of its encoding.
    case uuencode
    /// Anything else, kept as written (lowercased); the body is taken as it is.
    case other(String)

    public init(headerValue: [UInt8]) {
        var token = headerValue[...]
        if let end = token.firstIndex(where: { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "(") }) {
            token = token[..<end]
        }
        let name = String(decoding: trimmingWhitespace(token), as: UTF8.self).lowercased()
        switch name {
        case "", "7bit", "7-bit": self = .sevenBit
        case "8bit", "8-bit": self = .eightBit
        case "binary": self = .binary
        case "quoted-printable": self = .quotedPrintable
        case "base64": self = .base64
        case "x-uuencode", "uuencode", "x-uue", "uue": self = .uuencode
        default: self = .other(name)
        }
    }

    /// The name to write in a header.
    public var name: String {
        switch self {
        case .sevenBit: return "7bit"
        case .eightBit: return "8bit"
        case .binary: return "binary"
        case .quotedPrintable: return "quoted-printable"
        case .base64: return "base64"
        case .uuencode: return "x-uuencode"
        case .other(let name): return name
        }
    }

    /// Whether the body is the content itself, not an encoding of it.
    public var isIdentity: Bool {
        switch self {
        case .quotedPrintable, .base64, .uuencode: return false
        case .sevenBit, .eightBit, .binary, .other: return true
        }
    }
}
