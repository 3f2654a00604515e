//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Assembles the lines of a server's reply into a ``Reply``.
///
///     S: 250-mx.example.test
///     S: 250-PIPELINING
///     S: 250 SIZE 10240000
///
/// Lines arrive one at a time (without their line end); a reply is complete at the line whose
/// code is followed by a space (or by nothing). An enhanced status code at the start of the text
/// (RFC 2034) is split off when every line carries the same one.
///
/// - SeeAlso: [RFC 5321 §4.2.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.2.1)
public struct ReplyParser: Sendable {
    private var code: Int?
    private var texts: [String] = []

    public init() {}

    /// Feeds one line; returns the reply when this line completed it.
    public mutating func feed(line: [UInt8]) throws -> Reply? {
        guard line.count >= 3, line.prefix(3).allSatisfy(SMTPCharacterClass.isDigit),
            let code = Int(String(decoding: line.prefix(3), as: UTF8.self)), (200..<600).contains(code)
        else {
            throw SMTPParserError(.syntax, hint: "a reply line starts with a code from 200 to 599")
        }
        if let previous = self.code, previous != code {
            throw SMTPParserError(.syntax, hint: "reply lines with different codes")
        }
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPParserError(.syntax, hint: "a reply code is followed by a space or a dash")
        }
        self.code = code
        self.texts.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        guard separator == UInt8(ascii: " ") else { return nil }
        defer {
            self.code = nil
            self.texts = []
        }
        return Self.makeReply(code: code, texts: self.texts)
    }

    static func makeReply(code: Int, texts: [String]) -> Reply {
        let enhanced = texts.map(Self.enhancedCode)
        if let first = enhanced.first, let status = first?.code, status.statusClass == code / 100,
            enhanced.allSatisfy({ $0?.code == status })
        {
            return Reply(ReplyCode(code), status, enhanced.map { $0!.text })
        }
        return Reply(ReplyCode(code), nil, texts)
    }

    // status-code = class "." subject "." detail;  class = "2" / "4" / "5";  1*3digit each
    static func enhancedCode(_ text: String) -> (code: EnhancedStatusCode, text: String)? {
        let head = text.prefix { $0 != " " }
        let parts = head.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCII) }),
            let statusClass = Int(parts[0]), [2, 4, 5].contains(statusClass),
            let subject = Int(parts[1]), let detail = Int(parts[2])
        else { return nil }
        return (EnhancedStatusCode(statusClass, subject, detail), String(text.dropFirst(head.count + 1)))
    }
}
