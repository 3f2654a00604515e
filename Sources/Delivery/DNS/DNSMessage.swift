//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The answers of a DNS response, read from its wire format (RFC 1035 §4.1), names decompressed.
///
/// Only what mail needs: MX, A, AAAA and TXT records of the answer section.
public struct DNSMessage: Hashable, Sendable {
    /// A resource record of the answer section.
    public enum Record: Hashable, Sendable {
        case mx(preference: Int, exchange: String)
        case a([UInt8])
        case aaaa([UInt8])
        /// A TXT record's character-strings, joined (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
        case txt([UInt8])
        case other(type: Int)
    }

    public var responseCode: Int
    public var answers: [Record]

    public struct MalformedMessage: Error, Hashable, Sendable {
        public var hint: String
    }

    public static let typeA = 1
    public static let typeMX = 15
    public static let typeAAAA = 28
    public static let typeTXT = 16

    public init(parsing bytes: [UInt8]) throws {
        var reader = Reader(bytes: bytes)
        guard bytes.count >= 12 else { throw MalformedMessage(hint: "shorter than a header") }
        let flags = Int(try reader.uint16(at: 2))
        self.responseCode = flags & 0xF
        let questions = Int(try reader.uint16(at: 4))
        let answerCount = Int(try reader.uint16(at: 6))
        reader.position = 12
        for _ in 0..<questions {
            _ = try reader.name()
            reader.position += 4
        }
        self.answers = []
        for _ in 0..<answerCount {
            _ = try reader.name()
            let type = Int(try reader.uint16(at: reader.position))
            let length = Int(try reader.uint16(at: reader.position + 8))
            reader.position += 10
            let start = reader.position
            guard start + length <= bytes.count else { throw MalformedMessage(hint: "record past the end") }
            switch type {
            case Self.typeMX:
                let preference = Int(try reader.uint16(at: start))
                reader.position = start + 2
                self.answers.append(.mx(preference: preference, exchange: try reader.name()))
            case Self.typeA where length == 4:
                self.answers.append(.a(Array(bytes[start..<start + 4])))
            case Self.typeAAAA where length == 16:
                self.answers.append(.aaaa(Array(bytes[start..<start + 16])))
            case Self.typeTXT:
                var text: [UInt8] = []
                var offset = start
                while offset < start + length {
                    let count = Int(bytes[offset])
                    guard offset + 1 + count <= start + length else {
                        throw MalformedMessage(hint: "TXT string past its record")
                    }
                    text += bytes[(offset + 1)..<(offset + 1 + count)]
                    offset += 1 + count
                }
                self.answers.append(.txt(text))
            default:
                self.answers.append(.other(type: type))
            }
            reader.position = start + length
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        func uint16(at offset: Int) throws -> UInt16 {
            guard offset >= 0, offset + 2 <= self.bytes.count else { throw MalformedMessage(hint: "truncated") }
            return UInt16(self.bytes[offset]) << 8 | UInt16(self.bytes[offset + 1])
        }

        // A name: labels, each a length octet then that many octets, ending with 0, or a
        // compression pointer (two octets, top bits 11) to the rest of the name elsewhere.
        mutating func name() throws -> String {
            var labels: [String] = []
            var offset = self.position
            var jumped = false
            var jumps = 0
            while true {
                guard offset < self.bytes.count else { throw MalformedMessage(hint: "name past the end") }
                let length = Int(self.bytes[offset])
                if length == 0 {
                    if !jumped { self.position = offset + 1 }
                    return labels.joined(separator: ".")
                }
                if length & 0xC0 == 0xC0 {
                    let target = Int(try self.uint16(at: offset)) & 0x3FFF
                    if !jumped { self.position = offset + 2 }
                    jumped = true
                    jumps += 1
                    guard jumps < 64, target < self.bytes.count else { throw MalformedMessage(hint: "pointer loop") }
                    offset = target
                    continue
                }
                guard length < 64, offset + 1 + length <= self.bytes.count else {
                    throw MalformedMessage(hint: "bad label")
                }
                labels.append(
                    String(decoding: self.bytes[offset + 1..<offset + 1 + length], as: UTF8.self).lowercased()
                )
                offset += 1 + length
                guard labels.count < 128 else { throw MalformedMessage(hint: "too many labels") }
            }
        }
    }
}
