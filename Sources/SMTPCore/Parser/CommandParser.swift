//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

/// Parses one SMTP command line into a ``Command``.
///
/// The line arrives without its CRLF (the framer removed it and already refused bare CR and LF).
/// Verbs are case-insensitive; a space after `MAIL FROM:` / `RCPT TO:` is tolerated, as Postfix
/// and every deployed MTA do, since many clients send it.
public enum CommandParser {
    public static func parseCommand(line: ByteBuffer) throws -> Command {
        try self.parseCommand(buffer: ParseBuffer(line.readableBytesView))
    }

    public static func parseCommand(buffer: ParseBuffer) throws -> Command {
        var buffer = buffer
        let verbBytes = buffer.consume(while: SMTPCharacterClass.isAlpha)
        let verb = String(decoding: verbBytes, as: UTF8.self).uppercased()
        guard buffer.isAtEnd || buffer.peek() == UInt8(ascii: " ") else {
            throw SMTPParserError(.unrecognizedCommand, hint: "command verb is not a word")
        }
        let command: Command
        switch verb {
        case "EHLO", "HELO":
            let domain = try self.parseHeloArgument(buffer: &buffer)
            command = verb == "EHLO" ? .ehlo(domain) : .helo(domain)
        case "MAIL":
            try self.expectKeyword("FROM:", buffer: &buffer)
            let path = try GrammarParser.parseReversePath(buffer: &buffer)
            command = .mail(path, try GrammarParser.parseMailParameters(buffer: &buffer))
        case "RCPT":
            try self.expectKeyword("TO:", buffer: &buffer)
            let path = try GrammarParser.parseForwardPath(buffer: &buffer)
            command = .rcpt(path, try GrammarParser.parseRcptParameters(buffer: &buffer))
        case "DATA":
            command = .data
        case "BDAT":
            command = try self.parseBDAT(buffer: &buffer)
        case "RSET":
            command = .rset
        case "NOOP":
            _ = buffer.consume { _ in true }  // NOOP [ SP String ]: the argument is ignored
            command = .noop
        case "QUIT":
            command = .quit
        case "VRFY":
            command = .vrfy(try self.parseStringArgument(buffer: &buffer))
        case "EXPN":
            command = .expn(try self.parseStringArgument(buffer: &buffer))
        case "HELP":
            _ = buffer.consume { _ in true }
            command = .help
        case "STARTTLS":
            command = .startTLS
        case "AUTH":
            command = try self.parseAuth(buffer: &buffer)
        default:
            throw SMTPParserError(.unrecognizedCommand, hint: "unknown command")
        }
        guard buffer.isAtEnd else {
            throw SMTPParserError(.syntax, hint: "unexpected text after the command")
        }
        return command
    }

    private static func expectKeyword(_ keyword: String, buffer: inout ParseBuffer) throws {
        guard buffer.consume(UInt8(ascii: " ")), buffer.consumeCaseInsensitive(keyword) else {
            throw SMTPParserError(.syntax, hint: "expected \(keyword)")
        }
        _ = buffer.consume(while: { $0 == UInt8(ascii: " ") })
    }

    // "EHLO" SP ( Domain / address-literal ): kept as written, any printable word, like Postfix
    // (rejecting odd HELO names is a policy decision, not a syntax one).
    private static func parseHeloArgument(buffer: inout ParseBuffer) throws -> String {
        guard buffer.consume(UInt8(ascii: " ")) else {
            throw SMTPParserError(.syntax, hint: "EHLO/HELO needs a domain")
        }
        let word = buffer.consume { $0 > 32 && $0 != 127 }
        guard !word.isEmpty, word.count <= 255 else {
            throw SMTPParserError(.syntax, hint: "EHLO/HELO needs a domain")
        }
        _ = buffer.consume(while: { $0 == UInt8(ascii: " ") })
        return try String(validatingSMTP: word, .syntax)
    }

    private static func parseStringArgument(buffer: inout ParseBuffer) throws -> String {
        guard buffer.consume(UInt8(ascii: " ")) else {
            throw SMTPParserError(.syntax, hint: "argument required")
        }
        let rest = buffer.consume { _ in true }
        guard !rest.isEmpty else {
            throw SMTPParserError(.syntax, hint: "argument required")
        }
        return String(decoding: rest, as: UTF8.self)
    }

    // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ];  chunk-size = 1*DIGIT;  end-marker = "LAST"
    private static func parseBDAT(buffer: inout ParseBuffer) throws -> Command {
        guard buffer.consume(UInt8(ascii: " ")) else {
            throw SMTPParserError(.syntax, hint: "BDAT needs a chunk size")
        }
        let digits = buffer.consume(while: SMTPCharacterClass.isDigit)
        guard !digits.isEmpty, digits.count <= 18, let size = Int(String(decoding: digits, as: UTF8.self)) else {
            throw SMTPParserError(.syntax, hint: "BDAT needs a chunk size")
        }
        var last = false
        if buffer.consume(UInt8(ascii: " ")) {
            guard buffer.consumeCaseInsensitive("LAST") else {
                throw SMTPParserError(.syntax, hint: "BDAT end marker is LAST")
            }
            last = true
        }
        return .bdat(size: size, last: last)
    }

    // auth-command = "AUTH" SP sasl-mech [SP initial-response];  initial-response = base64 / "="
    private static func parseAuth(buffer: inout ParseBuffer) throws -> Command {
        guard buffer.consume(UInt8(ascii: " ")) else {
            throw SMTPParserError(.syntax, hint: "AUTH needs a mechanism")
        }
        let mechanism = buffer.consume { SMTPCharacterClass.isKeywordCharacter($0) || $0 == UInt8(ascii: "_") }
        guard !mechanism.isEmpty else {
            throw SMTPParserError(.syntax, hint: "AUTH needs a mechanism")
        }
        var initialResponse: String?
        if buffer.consume(UInt8(ascii: " ")) {
            let response = buffer.consume { $0 > 32 && $0 < 127 }
            guard !response.isEmpty else {
                throw SMTPParserError(.syntax, hint: "empty initial response")
            }
            initialResponse = String(decoding: response, as: UTF8.self)
        }
        return .auth(
            mechanism: String(decoding: mechanism, as: UTF8.self).uppercased(),
            initialResponse: initialResponse
        )
    }
}
