//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Quoted-printable decoding (bodies, line by line) and the `Q` encoding of RFC 2047 headers.
///
/// Decoding follows what mail software does with broken input: `=XX` with two hex digits is a byte,
/// `==` is `=`, an `=` before anything else is kept as written, and `=` at the end of a line is a soft
/// line break.
///
/// - SeeAlso: [RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7),
///   [RFC 2047 §4.2](https://www.rfc-editor.org/rfc/rfc2047#section-4.2)
public enum QuotedPrintable {
    /// Decodes one line's content (without its line ending). Returns whether the line ended in a soft break.
    @discardableResult
    public static func decodeLine(
        _ line: UnsafeBufferPointer<UInt8>,
        into output: inout [UInt8]
    ) -> Bool {
        var index = 0
        let count = line.count
        while index < count {
            let byte = line[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            index += 1
            if index >= count {
                return true
            }
            let next = line[index]
            if next == UInt8(ascii: "\r") {
                // "=\r" before the line's real end: a soft break written with a stray CR.
                return true
            }
            if next == UInt8(ascii: "=") {
                output.append(UInt8(ascii: "="))
                index += 1
            } else if index + 1 < count, let high = hexValue(next), let low = hexValue(line[index + 1]) {
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(UInt8(ascii: "="))
            }
        }
        return false
    }

    /// Decodes the `Q` encoding of an RFC 2047 encoded word (`_` is a space).
    static func decodeQ(_ text: some Collection<UInt8>) -> [UInt8] {
        let text = Array(text)
        var output: [UInt8] = []
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                output.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "="), index + 2 < text.count, let high = hexValue(text[index + 1]),
                let low = hexValue(text[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
