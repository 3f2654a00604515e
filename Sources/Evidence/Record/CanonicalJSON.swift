//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A JSON value with the RFC 8785 (JCS) canonical serialisation: object members sorted by the UTF-16
/// code units of their names, no insignificant whitespace, strings escaped minimally, numbers in
/// ECMAScript form.
///
/// Evidence uses integers only (sizes, counts, milliseconds), so numbers are `Int64`; their
/// ECMAScript form is the decimal integer, exact within ±2^53.
///
/// - SeeAlso: [RFC 8785](https://www.rfc-editor.org/rfc/rfc8785)
public indirect enum CanonicalJSON: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([CanonicalJSON])
    case object([String: CanonicalJSON])

    /// The canonical UTF-8 bytes.
    public var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        self.write(into: &output)
        return output
    }

    private func write(into output: inout [UInt8]) {
        switch self {
        case .null: output += Array("null".utf8)
        case .bool(let value): output += Array((value ? "true" : "false").utf8)
        case .integer(let value): output += Array(String(value).utf8)
        case .string(let value): Self.writeString(value, into: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                value.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let names = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, name) in names.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(name, into: &output)
                output.append(UInt8(ascii: ":"))
                members[name]!.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    // RFC 8785 §3.2.2.2: \" \\ \b \f \n \r \t, other controls as \u00xx (lowercase hex), the rest as is.
    private static func writeString(_ value: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for byte in value.utf8 {
            switch byte {
            case 0x22: output += [0x5C, 0x22]
            case 0x5C: output += [0x5C, 0x5C]
            case 0x08: output += [0x5C, UInt8(ascii: "b")]
            case 0x0C: output += [0x5C, UInt8(ascii: "f")]
            case 0x0A: output += [0x5C, UInt8(ascii: "n")]
            case 0x0D: output += [0x5C, UInt8(ascii: "r")]
            case 0x09: output += [0x5C, UInt8(ascii: "t")]
            case 0x00..<0x20: output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    // MARK: - Reading

    /// Something that is not the canonical JSON Fefaent writes.
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses JSON (the subset evidence uses: no fractions or exponents).
    public init(parsing bytes: [UInt8]) throws(Malformed) {
        var parser = Parser(bytes: bytes)
        self = try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw Malformed(description: "trailing bytes after the JSON value") }
    }

    public subscript(key: String) -> CanonicalJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var arrayValue: [CanonicalJSON]? {
        if case .array(let values) = self { return values }
        return nil
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while self.index < self.bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(self.bytes[self.index]) {
                self.index += 1
            }
        }

        mutating func value() throws(Malformed) -> CanonicalJSON {
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw Malformed(description: "unexpected end of JSON") }
            switch self.bytes[self.index] {
            case UInt8(ascii: "{"):
                self.index += 1
                var members: [String: CanonicalJSON] = [:]
                self.skipWhitespace()
                if self.peek(UInt8(ascii: "}")) {
                    self.index += 1
                    return .object(members)
                }
                while true {
                    self.skipWhitespace()
                    guard case .string(let name) = try self.value() else {
                        throw Malformed(description: "object key is not a string")
                    }
                    self.skipWhitespace()
                    try self.expect(UInt8(ascii: ":"))
                    guard members[name] == nil else { throw Malformed(description: "duplicate key \(name)") }
                    members[name] = try self.value()
                    self.skipWhitespace()
                    if self.peek(UInt8(ascii: "}")) {
                        self.index += 1
                        return .object(members)
                    }
                    try self.expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "["):
                self.index += 1
                var values: [CanonicalJSON] = []
                self.skipWhitespace()
                if self.peek(UInt8(ascii: "]")) {
                    self.index += 1
                    return .array(values)
                }
                while true {
                    values.append(try self.value())
                    self.skipWhitespace()
                    if self.peek(UInt8(ascii: "]")) {
                        self.index += 1
                        return .array(values)
                    }
                    try self.expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "\""):
                return .string(try self.string())
            case UInt8(ascii: "t"):
                try self.literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try self.literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try self.literal("null")
                return .null
            default:
                let start = self.index
                if self.peek(UInt8(ascii: "-")) { self.index += 1 }
                while self.index < self.bytes.count,
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[self.index])
                {
                    self.index += 1
                }
                guard let number = Int64(String(decoding: self.bytes[start..<self.index], as: UTF8.self)) else {
                    throw Malformed(description: "unsupported number at offset \(start)")
                }
                return .integer(number)
            }
        }

        func peek(_ byte: UInt8) -> Bool { self.index < self.bytes.count && self.bytes[self.index] == byte }

        mutating func expect(_ byte: UInt8) throws(Malformed) {
            guard self.peek(byte) else {
                throw Malformed(description: "expected \(Character(Unicode.Scalar(byte))) at offset \(self.index)")
            }
            self.index += 1
        }

        mutating func literal(_ word: String) throws(Malformed) {
            let bytes = Array(word.utf8)
            guard self.index + bytes.count <= self.bytes.count,
                Array(self.bytes[self.index..<(self.index + bytes.count)]) == bytes
            else {
                throw Malformed(description: "bad literal at offset \(self.index)")
            }
            self.index += bytes.count
        }

        mutating func string() throws(Malformed) -> String {
            self.index += 1
            var output: [UInt8] = []
            while self.index < self.bytes.count {
                let byte = self.bytes[self.index]
                self.index += 1
                if byte == UInt8(ascii: "\"") {
                    guard let text = String(validating: output, as: UTF8.self) else {
                        throw Malformed(description: "string is not UTF-8")
                    }
                    return text
                }
                guard byte == UInt8(ascii: "\\") else {
                    output.append(byte)
                    continue
                }
                guard self.index < self.bytes.count else { break }
                let escape = self.bytes[self.index]
                self.index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "u"):
                    guard self.index + 4 <= self.bytes.count,
                        var code = UInt32(
                            String(decoding: self.bytes[self.index..<(self.index + 4)], as: UTF8.self),
                            radix: 16
                        )
                    else { throw Malformed(description: "bad \\u escape") }
                    self.index += 4
                    if (0xD800..<0xDC00).contains(code), self.index + 6 <= self.bytes.count,
                        self.bytes[self.index] == UInt8(ascii: "\\"),
                        let low = UInt32(
                            String(decoding: self.bytes[(self.index + 2)..<(self.index + 6)], as: UTF8.self),
                            radix: 16
                        )
                    {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        self.index += 6
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw Malformed(description: "bad \\u escape") }
                    output += Array(String(Character(scalar)).utf8)
                default:
                    throw Malformed(description: "bad escape")
                }
            }
            throw Malformed(description: "unterminated string")
        }
    }
}
