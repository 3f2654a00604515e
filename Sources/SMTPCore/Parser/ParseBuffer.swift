//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A read cursor over the octets of one command line (CRLF already removed).
///
/// Sub-parsers take it `inout` and either consume what they parsed or throw; `composite` restores
/// the position when the closure throws, so alternatives can be tried in turn.
public struct ParseBuffer: Sendable {
    let bytes: [UInt8]
    private(set) var index: Int

    public init<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        self.bytes = Array(bytes)
        self.index = 0
    }

    var isAtEnd: Bool { self.index >= self.bytes.count }
    var remaining: ArraySlice<UInt8> { self.bytes[self.index...] }

    func peek() -> UInt8? {
        self.isAtEnd ? nil : self.bytes[self.index]
    }

    mutating func next() -> UInt8? {
        guard let byte = self.peek() else { return nil }
        self.index += 1
        return byte
    }

    /// Consumes `byte` if it is next; returns whether it did.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard self.peek() == byte else { return false }
        self.index += 1
        return true
    }

    mutating func expect(
        _ byte: UInt8,
        _ kind: SMTPParserError.Kind = .syntax,
        file: String = #fileID,
        line: Int = #line
    )
        throws
    {
        guard self.consume(byte) else {
            throw SMTPParserError(kind, hint: "expected '\(Character(Unicode.Scalar(byte)))'", file: file, line: line)
        }
    }

    /// Consumes the longest run of octets that satisfy `predicate` (possibly empty).
    mutating func consume(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = self.index
        while let byte = self.peek(), predicate(byte) {
            self.index += 1
        }
        return self.bytes[start..<self.index]
    }

    /// Consumes `literal` case-insensitively (ASCII) if it is next.
    mutating func consumeCaseInsensitive(_ literal: String) -> Bool {
        let literalBytes = Array(literal.utf8)
        guard self.bytes.count - self.index >= literalBytes.count else { return false }
        for (offset, expected) in literalBytes.enumerated()
        where Self.lowercased(self.bytes[self.index + offset]) != Self.lowercased(expected) {
            return false
        }
        self.index += literalBytes.count
        return true
    }

    /// Runs `body`; if it throws, the position is restored and the error rethrown.
    mutating func composite<T>(_ body: (inout ParseBuffer) throws -> T) rethrows -> T {
        let saved = self.index
        do {
            return try body(&self)
        } catch {
            self.index = saved
            throw error
        }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

extension String {
    /// Decodes UTF-8 octets, throwing a parser error of `kind` when they are not valid UTF-8.
    init<Bytes: Collection>(validatingSMTP bytes: Bytes, _ kind: SMTPParserError.Kind) throws
    where Bytes.Element == UInt8 {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw SMTPParserError(kind, hint: "invalid UTF-8")
        }
        self = string
    }
}
