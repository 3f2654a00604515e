//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import SMTPCore
import Testing

@testable import SMTPNIO

/// Keeps committed messages in memory; commits complete at once.
final class MemorySink: SMTPMessageSink {
    let committed = NIOLockedValueBox<[(Envelope, String)]>([])
    let aborted = NIOLockedValueBox(0)
    let counter = NIOLockedValueBox(0)

    func makeQueueID() -> String {
        self.counter.withLockedValue {
            $0 += 1
            return "Q\($0)"
        }
    }

    func beginMessage(queueID: String, header: ByteBuffer) throws -> any SMTPMessageWriter {
        MemoryWriter(sink: self, header: header)
    }

    func authenticate(_ credentials: SASLDecoding.Credentials, completion: @escaping @Sendable (String?) -> Void) {
        completion(credentials.password == "right" ? credentials.username : nil)
    }
}

final class MemoryWriter: SMTPMessageWriter {
    let sink: MemorySink
    var bytes: ByteBuffer

    init(sink: MemorySink, header: ByteBuffer) {
        self.sink = sink
        self.bytes = header
    }

    func append(_ bytes: ByteBuffer) throws {
        var bytes = bytes
        self.bytes.writeBuffer(&bytes)
    }

    func commit(
        envelope: Envelope,
        session: SMTPSessionInfo,
        completion: @escaping @Sendable (Result<Void, any Error>) -> Void
    ) {
        let text = String(buffer: self.bytes)
        self.sink.committed.withLockedValue { $0.append((envelope, text)) }
        completion(.success(()))
    }

    func abort() {
        self.sink.aborted.withLockedValue { $0 += 1 }
    }
}

/// An SMTP session on an EmbeddedChannel.
struct SessionHelper {
    let channel = EmbeddedChannel()
    let sink = MemorySink()

    init() throws {
        let listener = SMTPListenerConfiguration(
            name: "mx",
            host: "127.0.0.1",
            port: 0,
            kind: .mx,
            session: .init(
                hostname: "mx.test",
                maximumMessageSize: 10_000,
                policy: IngressPolicy(certifierAddresses: ["certify@fefaent.test"])
            ),
            tls: nil
        )
        try self.channel.pipeline.syncOperations.addHandler(
            SMTPServerHandler(
                listener: listener,
                session: listener.sessionConfiguration(peerIsLoopback: true),
                clientAddress: "127.0.0.1",
                sink: self.sink,
                logger: Logger(label: "test")
            )
        )
        try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
    }

    func send(_ text: String) throws {
        try self.channel.writeInbound(ByteBuffer(string: text))
        self.channel.embeddedEventLoop.run()
    }

    func send(_ bytes: [UInt8]) throws {
        try self.channel.writeInbound(ByteBuffer(bytes: bytes))
        self.channel.embeddedEventLoop.run()
    }

    /// Everything the server wrote since the last call.
    func replies() throws -> String {
        var text = ""
        while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text
    }
}

@Suite("SMTPServerHandler")
struct SMTPServerHandlerTests {
    @Test func aPipelinedTransaction() throws {
        let session = try SessionHelper()
        #expect(try session.replies() == "220 mx.test ESMTP Fefaent\r\n")
        try session.send("EHLO c.test\r\nMAIL FROM:<a@acme.test>\r\nRCPT TO:<certify@fefaent.test>\r\nDATA\r\n")
        let replies = try session.replies()
        #expect(replies.hasSuffix("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"))
        try session.send("Subject: t\r\n\r\n..dot\r\n.\r\nQUIT\r\n")
        #expect(try session.replies() == "250 2.0.0 Ok: queued as Q1\r\n221 2.0.0 Bye\r\n")
        let stored = try #require(session.sink.committed.withLockedValue { $0.first })
        #expect(
            stored.1.hasPrefix("Received: from c.test ([127.0.0.1])\r\n\tby mx.test (Fefaent) with ESMTP id Q1\r\n")
        )
        #expect(
            stored.1.hasSuffix("\r\n\r\nSubject: t\r\n\r\n.dot\r\n")
                || stored.1.hasSuffix("+0000\r\nSubject: t\r\n\r\n.dot\r\n")
        )
        #expect(!session.channel.isActive)
    }

    @Test func smugglingIsRefusedAndNothingIsKept() throws {
        let session = try SessionHelper()
        _ = try session.replies()
        try session.send("EHLO c.test\r\nMAIL FROM:<a@acme.test>\r\nRCPT TO:<certify@fefaent.test>\r\nDATA\r\n")
        _ = try session.replies()
        try session.send("hi\n.\r\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@x.test>\r\nDATA\r\nforged\r\n.\r\n")
        #expect(
            try session.replies()
                == "550 5.6.0 Message refused: bare <LF> in message content (SMTP smuggling protection)\r\n"
        )
        #expect(session.sink.committed.withLockedValue { $0.isEmpty })
        #expect(session.sink.aborted.withLockedValue { $0 } == 1)
        try session.send("NOOP\r\n")
        #expect(try session.replies() == "250 2.0.0 Ok\r\n")
    }

    @Test func bareLineFeedInACommand() throws {
        let session = try SessionHelper()
        _ = try session.replies()
        try session.send("EHLO c.test\n")
        #expect(try session.replies() == "500 5.5.2 Error: bare <LF> received\r\n")
    }

    @Test func aTwoMegabyteLineGetsLineTooLong() throws {
        let session = try SessionHelper()
        _ = try session.replies()
        for _ in 0..<32 { try session.send([UInt8](repeating: 65, count: 65_536)) }
        try session.send("\r\nNOOP\r\n")
        #expect(try session.replies() == "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n")
    }

    @Test func oversizeMessageIsRefusedAfterTheData() throws {
        let session = try SessionHelper()
        _ = try session.replies()
        try session.send("EHLO c.test\r\nMAIL FROM:<a@acme.test>\r\nRCPT TO:<certify@fefaent.test>\r\nDATA\r\n")
        _ = try session.replies()
        for _ in 0..<20 { try session.send(String(repeating: "x", count: 998) + "\r\n") }
        try session.send(".\r\n")
        #expect(try session.replies() == "552 5.3.4 Message size exceeds fixed limit\r\n")
        #expect(session.sink.committed.withLockedValue { $0.isEmpty })
    }

    @Test func bdatWithPipelinedChunks() throws {
        let session = try SessionHelper()
        _ = try session.replies()
        try session.send(
            "EHLO c.test\r\nMAIL FROM:<a@acme.test>\r\nRCPT TO:<certify@fefaent.test>\r\nBDAT 6\r\nA: b\r\nBDAT 5 LAST\r\n\r\nx\r\n"
        )
        #expect(try session.replies().hasSuffix("250 2.0.0 Ok: 6 octets received\r\n250 2.0.0 Ok: queued as Q1\r\n"))
        #expect(session.sink.committed.withLockedValue { $0.first?.1.hasSuffix("+0000\r\nA: b\r\n\r\nx\r\n") } == true)
    }

    @Test func relayIsDenied() throws {
        let session = try SessionHelper()
        _ = try session.replies()
        try session.send("EHLO c.test\r\nMAIL FROM:<a@acme.test>\r\nRCPT TO:<someone@example.test>\r\n")
        #expect(try session.replies().hasSuffix("550 5.7.1 Relay access denied\r\n"))
    }

    @Test func shutdownEndsAnIdleSession() throws {
        let session = try SessionHelper()
        _ = try session.replies()
        session.channel.pipeline.fireUserInboundEventTriggered(SMTPServerShutdownEvent())
        session.channel.embeddedEventLoop.run()
        #expect(try session.replies() == "421 4.3.2 mx.test Service shutting down, closing connection\r\n")
    }
}

@Suite("IPNetwork")
struct IPNetworkTests {
    @Test func containment() throws {
        let loopback = try #require(IPNetwork("127.0.0.0/8"))
        #expect(loopback.contains("127.9.8.7") && !loopback.contains("128.0.0.1") && !loopback.contains("::1"))
        let office = try #require(IPNetwork("192.0.2.128/25"))
        #expect(office.contains("192.0.2.200") && !office.contains("192.0.2.127"))
        #expect(try #require(IPNetwork("::1")).contains("::1"))
        #expect(try #require(IPNetwork("2001:db8::/32")).contains("2001:db8:1::5"))
        #expect(IPNetwork("10.0.0.0/33") == nil && IPNetwork("not an address") == nil)
    }
}
