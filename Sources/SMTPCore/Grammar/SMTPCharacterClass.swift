//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The character classes of the RFC 5321 / RFC 5322 grammar, on octets.
enum SMTPCharacterClass {
    static func isAlpha(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    // atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
    // RFC 6531 adds UTF8-non-ascii; the parser checks that such octets form valid UTF-8.
    static func isAtext(_ byte: UInt8) -> Bool {
        if isAlpha(byte) || isDigit(byte) || byte >= 0x80 { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
            UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    // qtextSMTP = %d32-33 / %d35-91 / %d93-126, plus UTF8-non-ascii (RFC 6531)
    static func isQtextSMTP(_ byte: UInt8) -> Bool {
        (byte >= 32 && byte <= 126 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")) || byte >= 0x80
    }

    // Let-dig = ALPHA / DIGIT; Ldh-str adds "-"; U-labels (RFC 6531) bring UTF-8.
    static func isDomainCharacter(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte >= 0x80
    }

    // esmtp-value = 1*(%d33-60 / %d62-126), plus UTF8-non-ascii (RFC 6531)
    static func isESMTPValueCharacter(_ byte: UInt8) -> Bool {
        (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || byte >= 0x80
    }

    // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    static func isKeywordCharacter(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "-")
    }
}
