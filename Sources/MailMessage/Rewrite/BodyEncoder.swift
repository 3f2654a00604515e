//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Encoders for rewritten bodies: base64 and quoted-printable in lines of at most 76 characters.
///
/// - SeeAlso: [RFC 2045 §6.7 and §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.7)
public enum BodyEncoder {
    /// Base64 in lines of 76 characters, each ended by `lineEnding`, the last one included.
    public static func base64(_ bytes: [UInt8], lineEnding: [UInt8]) -> [UInt8] {
        let table = Base64Alphabet.encodingTable
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 3 * 4 + bytes.count / 57 * lineEnding.count + 8)
        var lineLength = 0
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output.append(table[Int(group >> 18 & 63)])
            output.append(table[Int(group >> 12 & 63)])
            output.append(remaining > 1 ? table[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? table[Int(group & 63)] : UInt8(ascii: "="))
            index += 3
            lineLength += 4
            if lineLength == MailMessageDefaults.encodedLineLength {
                output += lineEnding
                lineLength = 0
            }
        }
        if lineLength > 0 {
            output += lineEnding
        }
        return output
    }

    /// Quoted-printable. Line breaks in `bytes` (CRLF or LF) become hard breaks written as `lineEnding`;
    /// long lines get soft breaks. With `softBreakEverywhere` no hard break is written at all (for a
    /// fragment spliced into an existing line).
    public static func quotedPrintable(_ bytes: [UInt8], lineEnding: [UInt8], fragment: Bool = false) -> [UInt8] {
        let limit = MailMessageDefaults.encodedLineLength - 1  // room for the soft-break "="
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        var lineLength = 0
        let hex = Array("0123456789ABCDEF".utf8)

        func softBreak() {
            output.append(UInt8(ascii: "="))
            output += lineEnding
            lineLength = 0
        }

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if !fragment, byte == 0x0A || (byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A) {
                // Whitespace right before a hard break must be encoded; it was, below.
                output += lineEnding
                lineLength = 0
                index += byte == 0x0D ? 2 : 1
                continue
            }
            let nextIsBreak =
                index + 1 >= bytes.count ? !fragment : (bytes[index + 1] == 0x0A || bytes[index + 1] == 0x0D)
            // Written in place (no array per byte: this runs over every generated HTML part). No line
            // starts with "." (mail software mangles those) or "-" (a line starting "--" could read as a
            // boundary of the enclosing multipart: the fuzzer found one right after a soft break).
            let printable =
                (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || ((byte == 0x20 || byte == 0x09) && !nextIsBreak)
            let risky = byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            var literal = printable && !(lineLength == 0 && risky)
            if lineLength + (literal ? 1 : 3) > limit {
                softBreak()
                literal = printable && !risky
            }
            let width = literal ? 1 : 3
            if literal {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            }
            lineLength += width
            index += 1
        }
        if fragment {
            softBreak()
        }
        return output
    }
}
