//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOCore
import NIOPosix
import NIOSSL
import SMTPCore

/// A small SMTP client for the demo: it prints the conversation as `C:` / `S:` lines.
struct DemoClient {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var buffered = ByteBuffer()

    static func connect(host: String, port: Int, group: any EventLoopGroup) async throws -> DemoClient {
        let channel = try await ClientBootstrap(group: group)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return DemoClient(channel: channel)
    }

    /// Reads one reply (all its lines, printed as they come) with the project's ``ReplyParser``.
    mutating func readReply(inbound: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) async throws -> Reply
    {
        var parser = ReplyParser()
        while true {
            while let newline = self.buffered.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(
                    self.buffered.readSlice(length: newline - self.buffered.readerIndex + 1)!.readableBytesView
                )
                line.removeLast()
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                say("  S: \(String(decoding: line, as: UTF8.self))")
                if let reply = try parser.feed(line: line) { return reply }
            }
            guard var chunk = try await inbound.next() else {
                throw DemoError("the server closed the connection")
            }
            self.buffered.writeBuffer(&chunk)
        }
    }

    func send(_ line: String, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, echo: Bool = true) async throws {
        if echo { say("  C: \(line)") }
        try await outbound.write(ByteBuffer(string: line + "\r\n"))
    }
}

extension DemoClient {
    /// One SMTP session: the greeting, `commands` (a line starting with `#` is a remark for the
    /// reader, not sent), DATA with the dot-stuffed `body`, QUIT. Returns the queue id of the `250`.
    static func submit(body: String, port: Int, commands: [String]) async throws -> String {
        var client = try await DemoClient.connect(
            host: "127.0.0.1",
            port: port,
            group: MultiThreadedEventLoopGroup.singleton
        )
        return try await client.channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            _ = try await client.readReply(inbound: &replies)
            for command in commands + ["DATA"] {
                if command.hasPrefix("#") {
                    say("  " + command.dropFirst(2))
                    continue
                }
                try await client.send(command, outbound: outbound)
                _ = try await client.readReply(inbound: &replies)
            }
            for line in body.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast() {
                try await client.send(line.hasPrefix(".") ? "." + line : String(line), outbound: outbound, echo: false)
            }
            say("  C: (\(body.utf8.count) octets of message, dot-stuffed)")
            try await client.send(".", outbound: outbound)
            let reply = try await client.readReply(inbound: &replies)
            try await client.send("QUIT", outbound: outbound)
            _ = try await client.readReply(inbound: &replies)
            guard reply.code == .ok, let id = reply.lines.last?.split(separator: " ").last else {
                throw DemoError("the server did not queue the mail: \(reply)")
            }
            return String(id)
        }
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
