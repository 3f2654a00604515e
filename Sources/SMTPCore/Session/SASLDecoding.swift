//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Decoding of the SASL responses of AUTH PLAIN and AUTH LOGIN.
///
/// - SeeAlso: [RFC 4616](https://www.rfc-editor.org/rfc/rfc4616) PLAIN, [RFC 4954](https://www.rfc-editor.org/rfc/rfc4954)
public enum SASLDecoding {
    /// Credentials a client presented; the password never appears in `description`.
    public struct Credentials: Hashable, Sendable, CustomStringConvertible {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        public var description: String { "Credentials(username: \(self.username), password: <redacted>)" }
    }

    // message = [authzid] UTF8NUL authcid UTF8NUL passwd
    public static func decodePlain(_ base64: String) -> Credentials? {
        guard let octets = Base64.decode(base64) else { return nil }
        let fields = octets.split(separator: 0, omittingEmptySubsequences: false)
        guard fields.count == 3,
            let authorization = String(validating: fields[0], as: UTF8.self),
            let username = String(validating: fields[1], as: UTF8.self),
            let password = String(validating: fields[2], as: UTF8.self),
            !username.isEmpty
        else { return nil }
        // Acting for another identity is not supported: the authorization identity must be empty or the user.
        guard authorization.isEmpty || authorization == username else { return nil }
        return Credentials(username: username, password: password)
    }

    public static func decodeText(_ base64: String) -> String? {
        Base64.decode(base64).flatMap { String(validating: $0, as: UTF8.self) }
    }
}

/// Strict base64 (RFC 4648 §4) for SASL: padding required, no whitespace.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        if input == [UInt8(ascii: "=")] { return [] }  // RFC 4954: "=" is an empty response
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let quad = input[index..<index + 4]
            let padding = quad.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            guard padding <= 2, index + 4 == input.count || padding == 0 else { return nil }
            var value: UInt32 = 0
            for (offset, byte) in quad.enumerated() {
                let sextet: UInt8
                if offset >= 4 - padding {
                    sextet = 0
                } else {
                    sextet = self.reverse[Int(byte)]
                    guard sextet != 0xFF else { return nil }
                }
                value = value << 6 | UInt32(sextet)
            }
            output.append(UInt8(value >> 16 & 0xFF))
            if padding < 2 { output.append(UInt8(value >> 8 & 0xFF)) }
            if padding < 1 { output.append(UInt8(value & 0xFF)) }
            index += 4
        }
        return output
    }

    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            let chunk = input[index..<min(index + 3, input.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for sextet in 0..<4 {
                if sextet <= chunk.count {
                    output.append(self.alphabet[Int(value >> (18 - 6 * sextet) & 0x3F)])
                } else {
                    output.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
