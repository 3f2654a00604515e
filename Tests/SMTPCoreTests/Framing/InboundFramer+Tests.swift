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

/// Feeds the framer like the handler does (switching to DATA after a `DATA` line, to a chunk after
/// `BDAT n`) and records what comes out, with message bytes merged.
struct FramerDriver {
    enum Event: Hashable, CustomStringConvertible {
        case line(String)
        case bad(InboundFrame.BadLine)
        case message(String)
        case endOfMessage(MessageDefects)
        case endOfChunk(MessageDefects)

        var description: String {
            switch self {
            case .line(let text): "line(\(text.debugDescription))"
            case .bad(let bad): "bad(\(bad))"
            case .message(let text): "message(\(text.debugDescription))"
            case .endOfMessage(let defects): "endOfMessage(\(defects))"
            case .endOfChunk(let defects): "endOfChunk(\(defects))"
            }
        }
    }

    var framer = InboundFramer()
    var events: [Event] = []
    var largestBuffered = 0

    mutating func feed(_ bytes: [UInt8]) {
        self.framer.append(ByteBuffer(bytes: bytes))
        while let frame = self.framer.nextFrame() {
            switch frame {
            case .line(let line):
                let text = String(buffer: line)
                self.events.append(.line(text))
                if text == "DATA" {
                    self.framer.enterData()
                } else if text.hasPrefix("BDAT "), let size = Int(text.dropFirst(5).split(separator: " ")[0]) {
                    self.framer.enterChunk(size: size)
                }
            case .badLine(let bad):
                self.events.append(.bad(bad))
            case .messageBytes(let bytes):
                if case .message(let previous) = self.events.last {
                    self.events[self.events.count - 1] = .message(previous + String(buffer: bytes))
                } else {
                    self.events.append(.message(String(buffer: bytes)))
                }
            case .endOfMessage(let defects):
                self.events.append(.endOfMessage(defects))
            case .endOfChunk(let defects):
                self.events.append(.endOfChunk(defects))
            }
        }
    }

    static func run(_ input: String, byteAtATime: Bool) -> [Event] {
        var driver = FramerDriver()
        let bytes = Array(input.utf8)
        if byteAtATime {
            for byte in bytes { driver.feed([byte]) }
        } else {
            driver.feed(bytes)
        }
        return driver.events
    }
}

@Suite("InboundFramer")
struct InboundFramerTests {
    typealias E = FramerDriver.Event
    static let clean = MessageDefects()

    static let fixtures: [(String, String, [E])] = [
        (
            "pipelined commands", "EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n",
            [.line("EHLO a"), .line("MAIL FROM:<a@b>"), .line("RCPT TO:<c@d>")]
        ),
        ("an incomplete line waits", "NOOP\r\nQUI", [.line("NOOP")]),
        ("bare LF in a command", "NOOP\nQUIT\r\n", [.bad(.bareLineFeed), .line("QUIT")]),
        ("bare CR in a command", "MAIL FROM:<a@b>\rRCPT TO:<c@d>\r\n", [.bad(.bareCarriageReturn)]),
        (
            "DATA and the end of data", "DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n",
            [.line("DATA"), .message("Subject: x\r\n\r\nhi\r\n"), .endOfMessage(clean), .line("QUIT")]
        ),
        ("an empty message", "DATA\r\n.\r\n", [.line("DATA"), .endOfMessage(clean)]),
        (
            "dot-unstuffing", "DATA\r\n..a\r\n...\r\nb.\r\n.\r\n",
            [.line("DATA"), .message(".a\r\n..\r\nb.\r\n"), .endOfMessage(clean)]
        ),
        (
            "smuggling: <LF>.<CR><LF> is content, not the end",
            "DATA\r\nhi\n.\r\nMAIL FROM:<evil@x>\r\n.\r\n",
            [
                .line("DATA"), .message("hi\n.\r\nMAIL FROM:<evil@x>\r\n"),
                .endOfMessage(MessageDefects(bareLineFeed: true))
            ]
        ),
        (
            "smuggling: <LF>.<LF> is content, not the end",
            "DATA\r\nhi\r\n.\nRSET\r\n.\r\n",
            [.line("DATA"), .message("hi\r\n\nRSET\r\n"), .endOfMessage(MessageDefects(bareLineFeed: true))]
        ),
        (
            "smuggling: <CR>.<CR> is content, not the end",
            "DATA\r\nhi\r.\rx\r\n.\r\n",
            [.line("DATA"), .message("hi\r.\rx\r\n"), .endOfMessage(MessageDefects(bareCarriageReturn: true))]
        ),
        (
            "a long text line is flagged",
            "DATA\r\n" + String(repeating: "a", count: 999) + "\r\n.\r\n",
            [
                .line("DATA"), .message(String(repeating: "a", count: 999) + "\r\n"),
                .endOfMessage(MessageDefects(lineTooLong: true))
            ]
        ),
        (
            "a 998-octet line is fine",
            "DATA\r\n" + String(repeating: "a", count: 998) + "\r\n.\r\n",
            [.line("DATA"), .message(String(repeating: "a", count: 998) + "\r\n"), .endOfMessage(clean)]
        ),
        (
            "BDAT reads exactly the chunk, dots and all",
            "BDAT 7\r\n.\r\nab\r\nBDAT 0 LAST\r\n",
            [.line("BDAT 7"), .message(".\r\nab\r\n"), .endOfChunk(clean), .line("BDAT 0 LAST"), .endOfChunk(clean)]
        ),
        (
            "BDAT flags bare LF", "BDAT 3 LAST\r\na\nb",
            [.line("BDAT 3 LAST"), .message("a\nb"), .endOfChunk(MessageDefects(bareLineFeed: true))]
        )
    ]

    @Test(arguments: Self.fixtures)
    func frames(_ name: String, _ input: String, _ expected: [E]) {
        #expect(FramerDriver.run(input, byteAtATime: false) == expected, "\(name), whole")
        #expect(FramerDriver.run(input, byteAtATime: true) == expected, "\(name), byte at a time")
    }

    @Test func aTwoMegabyteLineIsDroppedWithoutBeingBuffered() {
        var driver = FramerDriver()
        driver.feed(Array("NOOP\r\n".utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "A"), count: 64 * 1024)
        for _ in 0..<32 {
            driver.feed(chunk)
            #expect(driver.framer.hasBufferedInput == false)
        }
        driver.feed(Array("\r\nQUIT\r\n".utf8))
        #expect(driver.events == [.line("NOOP"), .bad(.tooLong), .line("QUIT")])
    }

    @Test func aCommandLineOfExactly512OctetsIsAccepted() {
        let line = "NOOP " + String(repeating: "x", count: 505)
        #expect(FramerDriver.run(line + "\r\n", byteAtATime: false) == [.line(line)])
        #expect(FramerDriver.run(line + "x\r\n", byteAtATime: false) == [.bad(.tooLong)])
    }

    @Test func startTLSDropsPipelinedPlaintext() {
        var framer = InboundFramer()
        framer.append(ByteBuffer(string: "STARTTLS\r\nMAIL FROM:<evil@x>\r\n"))
        #expect(framer.nextFrame() == .line(ByteBuffer(string: "STARTTLS")))
        #expect(framer.discardBufferedInput() == 20)
        #expect(framer.nextFrame() == nil)
    }

    @Test func dataStreamsWithoutHoldingTheMessage() {
        var framer = InboundFramer()
        framer.append(ByteBuffer(string: "DATA\r\n"))
        _ = framer.nextFrame()
        framer.enterData()
        var total = 0
        let block = String(repeating: "0123456789abcdef012345678901234567890123456789012345678901234\r\n", count: 1000)
        for _ in 0..<20 {
            framer.append(ByteBuffer(string: block))
            while case .messageBytes(let bytes) = framer.nextFrame() { total += bytes.readableBytes }
            #expect(!framer.hasBufferedInput)
        }
        #expect(total == 20 * block.utf8.count)
    }
}
