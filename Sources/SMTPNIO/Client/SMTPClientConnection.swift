//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore
import NIOPosix
public import NIOSSL
public import SMTPCore

/// One outbound SMTP connection, ready for transactions once ``connect`` returns.
///
///     let connection = try await SMTPClientConnection.connect(host: "127.0.0.1", port: 25, …)
///     let outcomes = try await connection.send(message, transaction: transaction)
///     await connection.quit()
///
/// Several transactions may be sent one after the other (connection reuse).
public final class SMTPClientConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientHandler>
    public let capabilities: ServerCapabilities
    /// The peer's IP address.
    public let remoteAddress: String

    private init(
        channel: any Channel,
        handler: NIOLoopBound<SMTPClientHandler>,
        capabilities: ServerCapabilities,
        remoteAddress: String
    ) {
        self.channel = channel
        self.handler = handler
        self.capabilities = capabilities
        self.remoteAddress = remoteAddress
    }

    /// Connects, reads the greeting, says EHLO (HELO), negotiates STARTTLS by policy.
    /// Throws ``SMTPClientError/sessionFailed(_:)`` with the server's reply when it refuses.
    public static func connect(
        host: String,
        port: Int,
        configuration: ClientSessionStateMachine.Configuration,
        tls: NIOSSLContext?,
        serverHostname: String?,
        group: any EventLoopGroup,
        connectTimeout: TimeAmount = .seconds(30),
        replyTimeout: TimeAmount = .seconds(300)
    ) async throws -> SMTPClientConnection {
        let eventLoop = group.next()
        let ready = eventLoop.makePromise(of: ServerCapabilities.self)
        let channel: any Channel
        do {
            channel = try await Self.bootstrap(
                eventLoop: eventLoop,
                configuration: configuration,
                tls: tls,
                serverHostname: serverHostname,
                connectTimeout: connectTimeout,
                replyTimeout: replyTimeout,
                ready: ready
            )
            .connect(host: host, port: port)
            .get()
        } catch {
            ready.fail(error)
            throw error
        }
        do {
            let capabilities = try await ready.futureResult.get()
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(
                    try channel.pipeline.syncOperations.handler(type: SMTPClientHandler.self),
                    eventLoop: channel.eventLoop
                )
            }.get()
            return SMTPClientConnection(
                channel: channel,
                handler: handler,
                capabilities: capabilities,
                remoteAddress: channel.remoteAddress?.ipAddress ?? host
            )
        } catch {
            try? await channel.close()
            throw error
        }
    }

    private static func bootstrap(
        eventLoop: any EventLoop,
        configuration: ClientSessionStateMachine.Configuration,
        tls: NIOSSLContext?,
        serverHostname: String?,
        connectTimeout: TimeAmount,
        replyTimeout: TimeAmount,
        ready: EventLoopPromise<ServerCapabilities>
    ) -> ClientBootstrap {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SMTPClientHandler(
                            configuration: configuration,
                            tls: tls,
                            serverHostname: serverHostname,
                            replyTimeout: replyTimeout,
                            ready: ready
                        )
                    )
                }
            }
    }

    /// The negotiated TLS version, `nil` for plaintext.
    public var tlsVersion: String? {
        get async {
            try? await self.channel.eventLoop.submit { self.handler.value.tlsVersion }.get()
        }
    }

    /// Sends one message; returns each recipient's outcome, in the transaction's order.
    public func send(_ content: OutboundMessage, transaction: OutboundTransaction) async throws -> [DeliveryOutcome] {
        let promise = self.channel.eventLoop.makePromise(of: [DeliveryOutcome].self)
        self.channel.eventLoop.execute {
            guard let context = try? self.channel.pipeline.syncOperations.context(handlerType: SMTPClientHandler.self)
            else {
                return promise.fail(SMTPClientError.notReady)
            }
            self.handler.value.send(content, transaction: transaction, promise: promise, context: context)
        }
        return try await promise.futureResult.get()
    }

    /// Whether the connection is still open (the server may close an idle one).
    public var isActive: Bool { self.channel.isActive }

    /// Says QUIT and waits (at most 10 s) for the server to close; closes it then in any case.
    public func quit() async {
        guard self.channel.isActive else { return }
        let channel = self.channel
        channel.eventLoop.execute {
            guard let context = try? channel.pipeline.syncOperations.context(handlerType: SMTPClientHandler.self)
            else {
                return channel.close(promise: nil)
            }
            self.handler.value.quit(context: context)
        }
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        deadline.cancel()
    }
}
