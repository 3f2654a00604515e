//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Logging
import Metrics
public import NIOCore
import NIOConcurrencyHelpers
import NIOPosix
import SMTPCore

/// A listening SMTP socket: it accepts connections, gives each an ``SMTPServerHandler``, and on
/// shutdown stops accepting, lets sessions finish the message they are receiving, then closes them.
public final class SMTPServer: Sendable {
    public let configuration: SMTPListenerConfiguration
    private let sink: any SMTPMessageSink
    private let group: any EventLoopGroup
    private let logger: Logger
    private let children = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    private let serverChannel = NIOLockedValueBox<(any Channel)?>(nil)

    public init(
        configuration: SMTPListenerConfiguration,
        sink: any SMTPMessageSink,
        group: any EventLoopGroup,
        logger: Logger
    ) {
        self.configuration = configuration
        self.sink = sink
        self.group = group
        self.logger = logger
    }

    /// Whether ``start()`` has bound the socket.
    public var isListening: Bool { self.serverChannel.withLockedValue { $0 != nil } }

    /// Binds the socket; returns the address actually bound (port 0 picks a free port).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let configuration = self.configuration
        let sink = self.sink
        let logger = self.logger
        let children = self.children
        let channel = try await ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptPause(listener: configuration.name, logger: logger)
                    )
                }
            }
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let client = channel.remoteAddress?.ipAddress ?? "unknown"
                if let clients = configuration.clients, let refusal = clients.connect(client) {
                    // Refused before any session: one line and the door (Postfix's anvil limits).
                    logger.notice(
                        "connection refused",
                        metadata: [
                            "client": "\(client)", "listener": "\(configuration.name)", "why": "\(refusal.rawValue)"
                        ]
                    )
                    Counter(label: "fefaent_connections_refused_total", dimensions: [("why", "\(refusal)")]).increment()
                    let reply = "421 4.7.0 \(configuration.session.hostname) Error: \(refusal.rawValue)\r\n"
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RefusingHandler(reply: reply))
                    }
                }
                children.withLockedValue { $0[ObjectIdentifier(channel)] = channel }
                channel.closeFuture.whenComplete { _ in
                    _ = children.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
                    configuration.clients?.disconnect(client)
                }
                return channel.eventLoop.makeCompletedFuture {
                    try Self.configurePipeline(
                        channel: channel,
                        configuration: configuration,
                        sink: sink,
                        logger: logger
                    )
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        self.serverChannel.withLockedValue { $0 = channel }
        let address = channel.localAddress!
        self.logger.info(
            "listening",
            metadata: ["listener": "\(configuration.name)", "address": "\(address)", "kind": "\(configuration.kind)"]
        )
        return address
    }

    static func configurePipeline(
        channel: any Channel,
        configuration: SMTPListenerConfiguration,
        sink: any SMTPMessageSink,
        logger: Logger
    ) throws {
        let peer = channel.remoteAddress
        let clientAddress = peer?.ipAddress ?? "unknown"
        let isLoopback =
            clientAddress == "::1" || clientAddress.hasPrefix("127.") || clientAddress == "::ffff:127.0.0.1"
        if configuration.kind == .submissions, let tls = configuration.tls {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
        }
        try channel.pipeline.syncOperations.addHandler(
            SMTPServerHandler(
                listener: configuration,
                session: configuration.sessionConfiguration(peerIsLoopback: isLoopback, peerAddress: clientAddress),
                clientAddress: clientAddress,
                sink: sink,
                logger: logger
            )
        )
    }

    /// Stops accepting, asks every session to finish, and force-closes those still open after `gracePeriod`.
    public func shutdown(gracePeriod: TimeAmount = .seconds(30)) async {
        if let channel = self.serverChannel.withLockedValue({ $0 }) {
            try? await channel.close()
        }
        let sessions = self.children.withLockedValue { Array($0.values) }
        for session in sessions {
            session.pipeline.fireUserInboundEventTriggered(SMTPServerShutdownEvent())
        }
        let deadline = NIODeadline.now() + gracePeriod
        for session in sessions {
            let remaining = deadline - .now()
            if remaining <= .zero {
                try? await session.close()
                continue
            }
            let closed = session.closeFuture
            let timeout = session.eventLoop.scheduleTask(in: remaining) { session.close(promise: nil) }
            try? await closed.get()
            timeout.cancel()
        }
        self.logger.info("listener stopped", metadata: ["listener": "\(self.configuration.name)"])
    }
}

import NIOSSL

/// Answers a refused connection with its `421` and closes it.
final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let reply: String

    init(reply: String) { self.reply = reply }

    func channelActive(context: ChannelHandlerContext) {
        let buffer = context.channel.allocator.buffer(string: self.reply)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }
}
