//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOCore
import Testing

@testable import SMTPCore

@Suite("CommandParser")
struct CommandParserTests {
    static let valid: [(String, Command)] = [
        ("EHLO client.example.test", .ehlo("client.example.test")),
        ("ehlo [192.0.2.1]", .ehlo("[192.0.2.1]")),
        ("HELO x", .helo("x")),
        (
            "MAIL FROM:<a@example.test>",
            .mail(.mailbox(Mailbox(localPart: "a", domain: "example.test")), MailParameters())
        ),
        (
            "mail from: <a@Example.TEST>",
            .mail(.mailbox(Mailbox(localPart: "a", domain: "example.test")), MailParameters())
        ),
        ("MAIL FROM:<>", .mail(.null, MailParameters())),
        (
            "MAIL FROM:<@relay.test,@r2.test:a@example.test>",
            .mail(.mailbox(Mailbox(localPart: "a", domain: "example.test")), MailParameters())
        ),
        (
            "MAIL FROM:<\"john doe\\\"x\"@example.test> SIZE=1000 BODY=8BITMIME",
            .mail(
                .mailbox(Mailbox(localPart: "john doe\"x", domain: "example.test")),
                MailParameters(size: 1000, body: .eightBitMIME)
            )
        ),
        (
            "MAIL FROM:<josé@ejemplo.test> SMTPUTF8 RET=HDRS ENVID=QQ+2B314",
            .mail(
                .mailbox(Mailbox(localPart: "josé", domain: "ejemplo.test")),
                MailParameters(smtpUTF8: true, dsnReturn: .headers, envelopeID: "QQ+314")
            )
        ),
        (
            "MAIL FROM:<a@[127.0.0.1]>",
            .mail(.mailbox(Mailbox(localPart: "a", domain: "[127.0.0.1]")), MailParameters())
        ),
        ("RCPT TO:<Postmaster>", .rcpt(.postmaster, RcptParameters())),
        (
            "RCPT TO:<b@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@example.test",
            .rcpt(
                .mailbox(Mailbox(localPart: "b", domain: "example.test")),
                RcptParameters(
                    notify: [.success, .failure],
                    originalRecipient: OriginalRecipient(addressType: "rfc822", address: "b+x@example.test")
                )
            )
        ),
        (
            "RCPT TO:<b@example.test> NOTIFY=NEVER",
            .rcpt(.mailbox(Mailbox(localPart: "b", domain: "example.test")), RcptParameters(notify: []))
        ),
        ("DATA", .data),
        ("BDAT 1000", .bdat(size: 1000, last: false)),
        ("BDAT 0 LAST", .bdat(size: 0, last: true)),
        ("RSET", .rset),
        ("NOOP", .noop),
        ("NOOP anything", .noop),
        ("QUIT", .quit),
        ("VRFY bob", .vrfy("bob")),
        ("HELP", .help),
        ("STARTTLS", .startTLS),
        ("AUTH PLAIN", .auth(mechanism: "PLAIN", initialResponse: nil)),
        ("auth login dXNlcg==", .auth(mechanism: "LOGIN", initialResponse: "dXNlcg=="))
    ]

    @Test(arguments: Self.valid)
    func parses(_ input: String, _ expected: Command) throws {
        #expect(try CommandParser.parseCommand(line: ByteBuffer(string: input)) == expected)
    }

    static let invalid: [(String, SMTPParserError.Kind)] = [
        ("", .unrecognizedCommand),
        ("FROB x", .unrecognizedCommand),
        ("MAIL1 FROM:<a@b.test>", .unrecognizedCommand),
        ("EHLO", .syntax),
        ("MAIL TO:<a@b.test>", .syntax),
        ("MAIL FROM:a@b.test", .badAddress),
        ("MAIL FROM:<a@b.test", .badAddress),
        ("MAIL FROM:<a..b@b.test>", .badAddress),
        ("MAIL FROM:<a@-b.test>", .badAddress),
        ("MAIL FROM:<a@>", .badAddress),
        ("MAIL FROM:<@b.test>", .badAddress),
        ("MAIL FROM:<\(String(repeating: "x", count: 65))@b.test>", .badAddress),
        ("MAIL FROM:<a@b.test> SIZE=x", .badParameterValue("SIZE")),
        ("MAIL FROM:<a@b.test> SIZE=1 SIZE=2", .badParameterValue("SIZE")),
        ("MAIL FROM:<a@b.test> BODY=9BIT", .badParameterValue("BODY")),
        ("MAIL FROM:<a@b.test> FOO=bar", .unknownParameter("FOO")),
        ("RCPT TO:<b@b.test> NOTIFY=NEVER,SUCCESS", .badParameterValue("NOTIFY")),
        ("RCPT TO:<b@b.test> ORCPT=nosemicolon", .badParameterValue("ORCPT")),
        ("RCPT TO:<>", .badAddress),
        ("BDAT", .syntax),
        ("BDAT x", .syntax),
        ("BDAT 10 FIRST", .syntax),
        ("DATA now", .syntax),
        ("MAIL FROM:<\u{FF}@b.test>", .badAddress)
    ]

    @Test(arguments: Self.invalid)
    func refuses(_ input: String, _ kind: SMTPParserError.Kind) {
        var bytes = ByteBuffer(string: input)
        if input.contains("\u{FF}") {
            bytes = ByteBuffer(bytes: Array("MAIL FROM:<".utf8) + [0xFF] + Array("@b.test>".utf8))
        }
        #expect {
            try CommandParser.parseCommand(line: bytes)
        } throws: { error in
            (error as? SMTPParserError)?.kind == kind
        }
    }

    @Test func mailboxQuotesWhenNeeded() {
        #expect(Mailbox(localPart: "john doe", domain: "x.test").address == "\"john doe\"@x.test")
        #expect(Mailbox(localPart: "a.b+c", domain: "X.Test").address == "a.b+c@x.test")
        #expect(Mailbox(localPart: "josé", domain: "x.test").isInternationalized)
    }

    @Test func xtextRoundTrips() {
        #expect(XText.encode("a+b=c d") == "a+2Bb+3Dc+20d")
        #expect(XText.decode("a+2Bb+3Dc+20d") == "a+b=c d")
        #expect(XText.decode("a+2") == nil)
        #expect(XText.decode("a+zz") == nil)
    }
}
