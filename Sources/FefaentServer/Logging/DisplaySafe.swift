//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Text from the network made safe to print on one line of a log or a terminal: control characters
/// (C0, DEL, C1: a newline that would forge a log line, an escape sequence that would repaint a
/// terminal) and the Unicode bidirectional controls (which reorder what a reader sees, CVE-2021-42574)
/// become visible escapes. Backslash is escaped too, so an escape in the input cannot pass for one
/// of ours.
public enum DisplaySafe {
    public static func escape(_ text: some StringProtocol) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x5C: output += "\\\\"
            case 0x0A: output += "\\n"
            case 0x0D: output += "\\r"
            case 0x09: output += "\\t"
            case 0x00..<0x20, 0x7F, 0x80..<0xA0:
                output += "\\x" + Self.hex(scalar.value, width: 2)
            case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                output += "\\u{" + Self.hex(scalar.value, width: 4) + "}"
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Whether `text` would be printed as it is.
    public static func isSafe(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x5C, 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                return false
            default:
                return true
            }
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
