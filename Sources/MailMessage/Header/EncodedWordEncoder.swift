//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Writes header text that any mail reader can decode: ASCII as it is, anything else as RFC 2047
/// `=?UTF-8?B?…?=` words of at most 75 characters.
///
/// - SeeAlso: [RFC 2047 §5](https://www.rfc-editor.org/rfc/rfc2047#section-5)
public enum EncodedWordEncoder {
    /// `text` as a header value (unstructured text).
    public static func encode(_ text: String) -> String {
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) else {
            return Self.words(text)
        }
        return text
    }

    /// `name` as an RFC 5322 display name: a quoted string, or encoded words when it is not ASCII.
    public static func displayName(_ name: String) -> String {
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) else {
            return Self.words(name)
        }
        var quoted = "\""
        for character in name {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// A mailbox for a header: `"Name" <local@domain>` or the bare address.
    public static func mailbox(_ address: Address, displayName: String? = nil) -> String {
        guard let name = displayName ?? address.displayName, !name.isEmpty else { return address.address }
        return "\(Self.displayName(name)) <\(address.address)>"
    }

    // Each word carries whole characters: at most 45 bytes of UTF-8 (60 base64 characters + 12 = 72).
    private static func words(_ text: String) -> String {
        var words: [String] = []
        var current: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if current.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Base64.encode(current))?=")
                current = []
            }
            current += bytes
        }
        if !current.isEmpty { words.append("=?UTF-8?B?\(Base64.encode(current))?=") }
        return words.joined(separator: " ")
    }
}
