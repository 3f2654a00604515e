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

extension Reply {
    static func parse(_ lines: String...) -> Reply {
        var parser = ReplyParser()
        for line in lines {
            if let reply = try! parser.feed(line: Array(line.utf8)) { return reply }
        }
        preconditionFailure("incomplete reply")
    }
}

@Suite("ClientSessionStateMachine")
struct ClientSessionStateMachineTests {
    let full = Reply.parse(
        "250-mx.example.test",
        "250-PIPELINING",
        "250-SIZE 1000",
        "250-8BITMIME",
        "250-SMTPUTF8",
        "250-DSN",
        "250 ENHANCEDSTATUSCODES"
    )

    func transaction(_ recipients: String...) -> OutboundTransaction {
        OutboundTransaction(
            reversePath: .mailbox(Mailbox(localPart: "bounces+t1", domain: "fefaent.test")),
            recipients: recipients.map {
                let parts = $0.split(separator: "@")
                return .init(
                    forwardPath: .mailbox(Mailbox(localPart: String(parts[0]), domain: String(parts[1]))),
                    parameters: RcptParameters(notify: [.failure])
                )
            },
            size: 500,
            eightBit: true,
            dsnReturn: .headers,
            envelopeID: "E 1"
        )
    }

    func ready(_ ehlo: Reply) -> ClientSessionStateMachine {
        var m = ClientSessionStateMachine(configuration: .init(heloName: "fefaent.test", tlsPolicy: .disabled))
        _ = m.receivedReply(.parse("220 mx.example.test ESMTP"))
        _ = m.receivedReply(ehlo)
        return m
    }

    @Test func parsesRepliesWithEnhancedCodes() throws {
        let reply = Reply.parse("550-5.1.1 No such user", "550 5.1.1 here")
        #expect(reply.code == .mailboxUnavailable && reply.enhancedCode == EnhancedStatusCode(5, 1, 1))
        #expect(reply.lines == ["No such user", "here"])
        var parser = ReplyParser()
        #expect(throws: SMTPParserError.self) { try parser.feed(line: Array("hello".utf8)) }
        #expect(try parser.feed(line: Array("250".utf8)) == Reply(.ok, nil, ""))
    }

    @Test func pipelinedTransactionWithDSNAndSize() {
        var m = ClientSessionStateMachine(configuration: .init(heloName: "fefaent.test", tlsPolicy: .disabled))
        #expect(m.receivedReply(.parse("220 mx.example.test ESMTP")) == .send(["EHLO fefaent.test"]))
        guard case .ready(let capabilities) = m.receivedReply(full) else {
            Issue.record("ready")
            return
        }
        #expect(capabilities.pipelining && capabilities.size == 1000 && capabilities.dsn)
        #expect(
            m.startTransaction(self.transaction("a@x.test", "b@x.test"))
                == .send([
                    "MAIL FROM:<bounces+t1@fefaent.test> SIZE=500 BODY=8BITMIME RET=HDRS ENVID=E+201",
                    "RCPT TO:<a@x.test> NOTIFY=FAILURE",
                    "RCPT TO:<b@x.test> NOTIFY=FAILURE"
                ])
        )
        #expect(m.receivedReply(.parse("250 2.1.0 Ok")) == .none)
        #expect(m.receivedReply(.parse("250 2.1.5 Ok")) == .none)
        let unknown = Reply.parse("550 5.1.1 <b@x.test>: User unknown")
        #expect(m.receivedReply(unknown) == .send(["DATA"]))
        #expect(m.receivedReply(.parse("354 go ahead")) == .sendMessage(chunked: false))
        let queued = Reply.parse("250 2.0.0 Ok: queued as ABC")
        #expect(m.receivedReply(queued) == .transactionCompleted([.delivered(queued), .bounced(unknown)]))
        #expect(m.isReady)
        #expect(m.quit() == .send(["QUIT"]))
        #expect(m.receivedReply(.parse("221 2.0.0 Bye")) == .close(failure: nil))
    }

    @Test func withoutPipeliningRecipientsGoOneByOne() {
        var m = self.ready(.parse("250-mx", "250 8BITMIME"))
        #expect(
            m.startTransaction(self.transaction("a@x.test", "b@x.test"))
                == .send(["MAIL FROM:<bounces+t1@fefaent.test> BODY=8BITMIME"])
        )
        #expect(m.receivedReply(.parse("250 ok")) == .send(["RCPT TO:<a@x.test>"]))
        #expect(m.receivedReply(.parse("451 4.3.0 try later")) == .send(["RCPT TO:<b@x.test>"]))
        #expect(m.receivedReply(.parse("250 ok")) == .send(["DATA"]))
    }

    @Test func helloFallbackForOldServers() {
        var m = ClientSessionStateMachine(configuration: .init(heloName: "f.test", tlsPolicy: .disabled))
        _ = m.receivedReply(.parse("220 old"))
        #expect(m.receivedReply(.parse("502 what?")) == .send(["HELO f.test"]))
        #expect(m.receivedReply(.parse("250 old")) == .ready(ServerCapabilities()))
    }

    @Test func startTLSWhenOffered() {
        var m = ClientSessionStateMachine(configuration: .init(heloName: "f.test", tlsPolicy: .opportunistic))
        _ = m.receivedReply(.parse("220 mx"))
        #expect(m.receivedReply(.parse("250-mx", "250 STARTTLS")) == .send(["STARTTLS"]))
        #expect(m.receivedReply(.parse("220 2.0.0 Ready")) == .startTLS)
        #expect(m.tlsEstablished() == .send(["EHLO f.test"]))
        guard case .ready = m.receivedReply(.parse("250-mx", "250 PIPELINING")) else {
            Issue.record("ready")
            return
        }
        #expect(m.session?.isTLS == true)
    }

    @Test func requiredTLSThatIsNotOfferedDefers() {
        var m = ClientSessionStateMachine(configuration: .init(heloName: "f.test", tlsPolicy: .required))
        _ = m.receivedReply(.parse("220 mx"))
        guard case .close(let failure?) = m.receivedReply(.parse("250 mx")) else {
            Issue.record("close")
            return
        }
        #expect(failure.code.kind == 4 && failure.enhancedCode == EnhancedStatusCode(4, 7, 4))
    }

    @Test func smtputf8NeededButNotOfferedBounces() {
        var m = self.ready(.parse("250-mx", "250 PIPELINING"))
        var transaction = self.transaction("a@x.test")
        transaction.needsSMTPUTF8 = true
        guard case .transactionCompleted(let outcomes) = m.startTransaction(transaction),
            case .bounced(let reply)? = outcomes.first
        else {
            Issue.record("bounce")
            return
        }
        #expect(reply.enhancedCode == EnhancedStatusCode(5, 6, 7))
        #expect(m.isReady)
    }

    @Test func tooBigForTheServerBounces() {
        var m = self.ready(.parse("250-mx", "250 SIZE 100"))
        guard case .transactionCompleted(let outcomes) = m.startTransaction(self.transaction("a@x.test")),
            case .bounced(let reply)? = outcomes.first
        else {
            Issue.record("bounce")
            return
        }
        #expect(reply.code == .exceededStorage)
    }

    @Test func aRefusedSenderDecidesForEveryone() {
        var m = self.ready(full)
        _ = m.startTransaction(self.transaction("a@x.test", "b@x.test"))
        let refused = Reply.parse("451 4.7.1 greylisted")
        #expect(m.receivedReply(refused) == .none)
        #expect(m.receivedReply(.parse("503 5.5.1 need MAIL")) == .none)
        #expect(
            m.receivedReply(.parse("503 5.5.1 need MAIL"))
                == .transactionCompleted([.deferred(refused), .deferred(refused)])
        )
    }

    @Test func noAcceptedRecipientResets() {
        var m = self.ready(full)
        _ = m.startTransaction(self.transaction("a@x.test"))
        _ = m.receivedReply(.parse("250 ok"))
        let unknown = Reply.parse("550 5.1.1 unknown")
        #expect(m.receivedReply(unknown) == .send(["RSET"]))
        #expect(m.receivedReply(.parse("250 ok")) == .transactionCompleted([.bounced(unknown)]))
    }

    @Test func chunkingIsUsedWhenOffered() {
        var m = self.ready(.parse("250-mx", "250-PIPELINING", "250 CHUNKING"))
        _ = m.startTransaction(self.transaction("a@x.test"))
        _ = m.receivedReply(.parse("250 ok"))
        #expect(m.receivedReply(.parse("250 ok")) == .sendMessage(chunked: true))
        let final = Reply.parse("452 4.3.1 disk full")
        #expect(m.receivedReply(final) == .transactionCompleted([.deferred(final)]))
    }

    @Test func aLostConnectionDefersWhatIsNotDecided() {
        var m = self.ready(full)
        _ = m.startTransaction(self.transaction("a@x.test", "b@x.test"))
        _ = m.receivedReply(.parse("250 ok"))
        let unknown = Reply.parse("550 5.1.1 unknown")
        _ = m.receivedReply(unknown)
        let lost = Reply(.serviceNotAvailable, EnhancedStatusCode(4, 4, 2), "connection lost")
        #expect(m.connectionLost(lost) == [.bounced(unknown), .deferred(lost)])
    }

    @Test func anUnexpectedGreetingCloses() {
        var m = ClientSessionStateMachine(configuration: .init(heloName: "f.test"))
        let busy = Reply.parse("421 4.3.2 busy")
        #expect(m.receivedReply(busy) == .close(failure: busy))
    }
}

@Suite("DotStuffer")
struct DotStufferTests {
    @Test(arguments: [
        ("a\r\n.b\r\n..\r\n", "a\r\n..b\r\n...\r\n.\r\n"),
        (".x\r\n", "..x\r\n.\r\n"),
        ("no final line end", "no final line end\r\n.\r\n"),
        ("", ".\r\n"),
        ("a\n.b\r\n", "a\n.b\r\n.\r\n"),
        ("\r\n.\r\n\r.\n.", "\r\n..\r\n\r.\n.\r\n.\r\n"),
        ("x\r\n\r\n.", "x\r\n\r\n..\r\n.\r\n")
    ])
    func stuffsLinesStartingWithADot(_ input: String, _ expected: String) {
        for chunkSize in [1, 2, 3, 5, 1000] {
            var stuffer = DotStuffer()
            var output = ByteBuffer()
            let bytes = Array(input.utf8)
            var offset = 0
            while offset < bytes.count {
                stuffer.stuff(ByteBuffer(bytes: bytes[offset..<min(offset + chunkSize, bytes.count)]), into: &output)
                offset += chunkSize
            }
            stuffer.finish(into: &output)
            #expect(String(buffer: output) == expected, "chunks of \(chunkSize)")
        }
    }

    @Test func anyChunkingStuffsAsTheRuleSays() {
        // RFC 5321 §4.5.2 octet by octet, against the memchr version over random splits, through
        // both entries (appending, and the copy-free one that returns a chunk without dot lines).
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array(".\r\na".utf8)
        for _ in 0..<2_000 {
            let input = (0..<Int.random(in: 0...64, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }
            var expected: [UInt8] = []
            var atLineStart = true
            var previous: UInt8? = nil
            for byte in input {
                if atLineStart && byte == UInt8(ascii: ".") { expected.append(UInt8(ascii: ".")) }
                expected.append(byte)
                atLineStart = byte == UInt8(ascii: "\n") && previous == UInt8(ascii: "\r")
                previous = byte
            }
            var stuffer = DotStuffer()
            var output = ByteBuffer()
            var offset = 0
            while offset < input.count {
                let end = min(input.count, offset + Int.random(in: 1...8, using: &generator))
                let chunk = ByteBuffer(bytes: input[offset..<end])
                if Bool.random(using: &generator) {
                    stuffer.stuff(chunk, into: &output)
                } else {
                    // The copy-free entry: a chunk without a dot line comes back as it is.
                    var piece = stuffer.stuffed(chunk, allocator: ByteBufferAllocator())
                    if !piece.readableBytesView.contains(UInt8(ascii: ".")) { #expect(piece == chunk) }
                    output.writeBuffer(&piece)
                }
                offset = end
            }
            #expect(Array(output.readableBytesView) == expected, "\(input)")
        }
    }

    @Test func framerUndoesWhatTheStufferDid() {
        let message = "a\r\n.\r\n..b\r\n.c\r\nend\r\n"
        var stuffer = DotStuffer()
        var wire = ByteBuffer(string: "DATA\r\n")
        stuffer.stuff(ByteBuffer(string: message), into: &wire)
        stuffer.finish(into: &wire)
        var driver = FramerDriver()
        driver.feed(Array(wire.readableBytesView))
        #expect(driver.events == [.line("DATA"), .message(message), .endOfMessage(MessageDefects())])
    }
}
