//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The RFC 5321 §4.1.2 grammar, one function per rule.
enum GrammarParser {}

extension GrammarParser {
    // Reverse-path = Path / "<>"
    static func parseReversePath(buffer: inout ParseBuffer) throws -> ReversePath {
        if buffer.remaining.starts(with: "<>".utf8) {
            _ = buffer.consume(UInt8(ascii: "<"))
            _ = buffer.consume(UInt8(ascii: ">"))
            return .null
        }
        return .mailbox(try self.parsePath(buffer: &buffer))
    }

    // Forward-path = Path; "<Postmaster>" is accepted on its own (RFC 5321 §4.5.1).
    static func parseForwardPath(buffer: inout ParseBuffer) throws -> ForwardPath {
        let isPostmaster = try? buffer.composite { buffer -> Bool in
            guard buffer.consumeCaseInsensitive("<postmaster>") else {
                throw SMTPParserError(.badAddress, hint: "not <Postmaster>")
            }
            return true
        }
        if isPostmaster == true {
            return .postmaster
        }
        return .mailbox(try self.parsePath(buffer: &buffer))
    }

    // Path = "<" [ A-d-l ":" ] Mailbox ">"
    // A-d-l = At-domain *( "," At-domain )   ; source routes, which RFC 5321 says to ignore
    static func parsePath(buffer: inout ParseBuffer) throws -> Mailbox {
        try buffer.expect(UInt8(ascii: "<"), .badAddress)
        if buffer.peek() == UInt8(ascii: "@") {
            repeat {
                try buffer.expect(UInt8(ascii: "@"), .badAddress)
                _ = try self.parseDomain(buffer: &buffer)
            } while buffer.consume(UInt8(ascii: ","))
            try buffer.expect(UInt8(ascii: ":"), .badAddress)
        }
        let mailbox = try self.parseMailbox(buffer: &buffer)
        try buffer.expect(UInt8(ascii: ">"), .badAddress)
        return mailbox
    }

    // Mailbox = Local-part "@" ( Domain / address-literal )
    static func parseMailbox(buffer: inout ParseBuffer) throws -> Mailbox {
        let localPart = try self.parseLocalPart(buffer: &buffer)
        try buffer.expect(UInt8(ascii: "@"), .badAddress)
        let domain: String
        if buffer.peek() == UInt8(ascii: "[") {
            domain = try self.parseAddressLiteral(buffer: &buffer)
        } else {
            domain = try self.parseDomain(buffer: &buffer)
        }
        return Mailbox(localPart: localPart, domain: domain)
    }

    // Local-part = Dot-string / Quoted-string   ; at most 64 octets (RFC 5321 §4.5.3.1.1)
    static func parseLocalPart(buffer: inout ParseBuffer) throws -> String {
        let localPart: String
        if buffer.peek() == UInt8(ascii: "\"") {
            localPart = try self.parseQuotedString(buffer: &buffer)
        } else {
            localPart = try self.parseDotString(buffer: &buffer)
        }
        guard localPart.utf8.count <= 64 else {
            throw SMTPParserError(.badAddress, hint: "local part longer than 64 octets")
        }
        return localPart
    }

    // Dot-string = Atom *("."  Atom)
    static func parseDotString(buffer: inout ParseBuffer) throws -> String {
        var octets: [UInt8] = []
        repeat {
            let atom = buffer.consume(while: SMTPCharacterClass.isAtext)
            guard !atom.isEmpty else {
                throw SMTPParserError(.badAddress, hint: "empty atom in local part")
            }
            if !octets.isEmpty { octets.append(UInt8(ascii: ".")) }
            octets.append(contentsOf: atom)
        } while buffer.consume(UInt8(ascii: "."))
        return try String(validatingSMTP: octets, .badAddress)
    }

    // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
    // QcontentSMTP = qtextSMTP / quoted-pairSMTP;  quoted-pairSMTP = %d92 %d32-126
    static func parseQuotedString(buffer: inout ParseBuffer) throws -> String {
        try buffer.expect(UInt8(ascii: "\""), .badAddress)
        var octets: [UInt8] = []
        while true {
            guard let byte = buffer.next() else {
                throw SMTPParserError(.badAddress, hint: "unterminated quoted string")
            }
            switch byte {
            case UInt8(ascii: "\""):
                return try String(validatingSMTP: octets, .badAddress)
            case UInt8(ascii: "\\"):
                guard let escaped = buffer.next(), (32...126).contains(escaped) else {
                    throw SMTPParserError(.badAddress, hint: "bad quoted pair")
                }
                octets.append(escaped)
            case let byte where SMTPCharacterClass.isQtextSMTP(byte):
                octets.append(byte)
            default:
                throw SMTPParserError(.badAddress, hint: "control character in quoted string")
            }
        }
    }

    // Domain = sub-domain *("." sub-domain);  sub-domain = Let-dig [Ldh-str] / U-label
    // At most 255 octets (RFC 5321 §4.5.3.1.2).
    static func parseDomain(buffer: inout ParseBuffer) throws -> String {
        var octets: [UInt8] = []
        repeat {
            let label = buffer.consume(while: SMTPCharacterClass.isDomainCharacter)
            guard let first = label.first, let last = label.last,
                first != UInt8(ascii: "-"), last != UInt8(ascii: "-"), label.count <= 63
            else {
                throw SMTPParserError(.badAddress, hint: "bad domain label")
            }
            if !octets.isEmpty { octets.append(UInt8(ascii: ".")) }
            octets.append(contentsOf: label)
        } while buffer.consume(UInt8(ascii: "."))
        guard octets.count <= 255 else {
            throw SMTPParserError(.badAddress, hint: "domain longer than 255 octets")
        }
        return try String(validatingSMTP: octets, .badAddress)
    }

    // address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]"
    // The inside is kept as written: dcontent = %d33-90 / %d94-126.
    static func parseAddressLiteral(buffer: inout ParseBuffer) throws -> String {
        try buffer.expect(UInt8(ascii: "["), .badAddress)
        let content = buffer.consume { (33...90).contains($0) || (94...126).contains($0) }
        guard !content.isEmpty else {
            throw SMTPParserError(.badAddress, hint: "empty address literal")
        }
        try buffer.expect(UInt8(ascii: "]"), .badAddress)
        return "[" + (try String(validatingSMTP: content, .badAddress)) + "]"
    }
}
