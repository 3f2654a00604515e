//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOCore
import NIOSSL
import NIOTLS
public import SMTPCore

/// Drives one outbound SMTP session: reply lines go through the ``ReplyParser`` into the
/// ``ClientSessionStateMachine``; its actions become writes, TLS, and completed promises.
final class SMTPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: ClientSessionStateMachine
    private var parser = ReplyParser()
    private var buffered = ByteBuffer()
    private let tls: NIOSSLContext?
    private let serverHostname: String?
    private let replyTimeout: TimeAmount
    private var timeout: Scheduled<Void>?
    private var ready: EventLoopPromise<ServerCapabilities>?
    private var job: (content: OutboundMessage, promise: EventLoopPromise<[DeliveryOutcome]>)?
    /// Dot-stuffs the message being sent in DATA, across its pieces.
    private var stuffer = DotStuffer()
    /// How much of a stored message is read and written at a time.
    static let pieceSize = 32 * 1024
    private(set) var tlsVersion: String?

    init(
        configuration: ClientSessionStateMachine.Configuration,
        tls: NIOSSLContext?,
        serverHostname: String?,
        replyTimeout: TimeAmount,
        ready: EventLoopPromise<ServerCapabilities>
    ) {
        self.machine = ClientSessionStateMachine(configuration: configuration)
        self.tls = tls
        self.serverHostname = serverHostname
        self.replyTimeout = replyTimeout
        self.ready = ready
    }

    func channelActive(context: ChannelHandlerContext) {
        self.armTimeout(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        self.buffered.writeBuffer(&bytes)
        // Replies end in CRLF; a bare LF is tolerated from servers (as Postfix's client does).
        while let newline = self.buffered.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(
                self.buffered.readSlice(length: newline - self.buffered.readerIndex + 1)!.readableBytesView
            )
            line.removeLast()
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            do {
                guard let reply = try self.parser.feed(line: line) else { continue }
                self.armTimeout(context: context)
                self.run(self.machine.receivedReply(reply), context: context)
            } catch {
                let reply = Reply(.serviceNotAvailable, EnhancedStatusCode(4, 5, 0), "malformed reply from the server")
                self.failAll(reply, context: context)
                context.close(promise: nil)
                return
            }
        }
        if self.buffered.readableBytes > 64 * 1024 {
            self.failAll(
                Reply(.serviceNotAvailable, EnhancedStatusCode(4, 5, 0), "reply line too long"),
                context: context
            )
            context.close(promise: nil)
            return
        }
        self.buffered.discardReadBytes()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            let version = try? context.pipeline.syncOperations.nioSSL_tlsVersion()
            self.tlsVersion = version.map(SMTPServerHandler.describe) ?? "TLS"
            self.run(self.machine.tlsEstablished(), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timeout?.cancel()
        self.failAll(Reply(.serviceNotAvailable, EnhancedStatusCode(4, 4, 2), "connection lost"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.failAll(
            Reply(.serviceNotAvailable, EnhancedStatusCode(4, 4, 2), "connection error: \(error)"),
            context: context
        )
        context.close(promise: nil)
    }

    // MARK: - Requests from the connection

    func send(
        _ content: OutboundMessage,
        transaction: OutboundTransaction,
        promise: EventLoopPromise<[DeliveryOutcome]>,
        context: ChannelHandlerContext
    ) {
        guard self.machine.isReady, self.job == nil else {
            promise.fail(SMTPClientError.notReady)
            return
        }
        self.job = (content, promise)
        self.armTimeout(context: context)
        self.run(self.machine.startTransaction(transaction), context: context)
    }

    func quit(context: ChannelHandlerContext) {
        self.run(self.machine.quit(), context: context)
    }

    // MARK: - Actions

    private func run(_ action: ClientSessionStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .send(let lines):
            var buffer = context.channel.allocator.buffer(capacity: 64 * lines.count)
            for line in lines {
                buffer.writeString(line)
                buffer.writeStaticString("\r\n")
            }
            context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
        case .startTLS:
            guard let tls = self.tls else { preconditionFailure("STARTTLS chosen without a TLS context") }
            do {
                let handler = try NIOSSLClientHandler(context: tls, serverHostname: self.serverHostname)
                try context.pipeline.syncOperations.addHandler(handler, position: .first)
            } catch {
                self.failAll(
                    Reply(.serviceNotAvailable, EnhancedStatusCode(4, 7, 5), "TLS failed: \(error)"),
                    context: context
                )
                context.close(promise: nil)
            }
        case .ready(let capabilities):
            self.ready?.succeed(capabilities)
            self.ready = nil
        case .sendMessage(let chunked):
            self.writeMessage(chunked: chunked, context: context)
        case .transactionCompleted(let outcomes):
            let job = self.job
            self.job = nil
            job?.promise.succeed(outcomes)
        case .close(let failure):
            if let failure { self.failAll(failure, context: context) }
            context.close(promise: nil)
        }
    }

    private func writeMessage(chunked: Bool, context: ChannelHandlerContext) {
        guard let message = self.job?.content else { preconditionFailure("no message to send") }
        self.stuffer = DotStuffer()
        if chunked {
            var command = context.channel.allocator.buffer(capacity: 32)
            command.writeString("BDAT \(message.size) LAST\r\n")
            context.write(self.wrapOutboundOut(command), promise: nil)
        }
        switch message {
        case .memory(var content):
            if chunked {
                context.writeAndFlush(self.wrapOutboundOut(content), promise: nil)
                return
            }
            while content.readableBytes > 0 {
                let piece = content.readSlice(length: min(Self.pieceSize, content.readableBytes))!
                self.writePiece(piece, chunked: false, flush: false, context: context)
            }
            self.endMessage(chunked: false, context: context)
        case .pieces(let size, let read):
            self.pump(from: 0, size: size, read: read, chunked: chunked, context: context)
        }
    }

    /// Reads the piece at `position`, writes it, and reads the next one once it is written: one piece
    /// of the message in memory at a time, and the server's pace sets the reading's.
    private func pump(
        from position: Int,
        size: Int,
        read: @escaping OutboundMessage.ReadPiece,
        chunked: Bool,
        context: ChannelHandlerContext
    ) {
        guard position < size else {
            return self.endMessage(chunked: chunked, context: context)
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        read(position, Self.pieceSize, context.eventLoop).whenComplete { result in
            let (handler, context) = loopBound.value
            // The transaction may have ended meanwhile (connection lost, timeout): nothing to send to.
            guard handler.job != nil, context.channel.isActive else { return }
            let piece: ByteBuffer
            switch result {
            case .success(let read) where read.readableBytes > 0:
                piece = read
            case .success:
                return handler.abandonMessage("the stored message is shorter than its record", context: context)
            case .failure(let error):
                return handler.abandonMessage("cannot read the stored message: \(error)", context: context)
            }
            let next = position + piece.readableBytes
            handler.writePiece(piece, chunked: chunked, flush: true, context: context).whenComplete { _ in
                let (handler, context) = loopBound.value
                guard handler.job != nil, context.channel.isActive else { return }
                handler.pump(from: next, size: size, read: read, chunked: chunked, context: context)
            }
        }
    }

    @discardableResult
    private func writePiece(
        _ piece: ByteBuffer,
        chunked: Bool,
        flush: Bool,
        context: ChannelHandlerContext
    ) -> EventLoopFuture<Void> {
        let output = chunked ? piece : self.stuffer.stuffed(piece, allocator: context.channel.allocator)
        return flush ? context.writeAndFlush(self.wrapOutboundOut(output)) : context.write(self.wrapOutboundOut(output))
    }

    private func endMessage(chunked: Bool, context: ChannelHandlerContext) {
        guard !chunked else { return context.flush() }
        var end = context.channel.allocator.buffer(capacity: 8)
        self.stuffer.finish(into: &end)
        context.writeAndFlush(self.wrapOutboundOut(end), promise: nil)
    }

    /// The message cannot be read to its end: the connection closes without the final dot (the
    /// server keeps nothing of it) and its recipients are deferred, to be tried again.
    private func abandonMessage(_ why: String, context: ChannelHandlerContext) {
        self.failAll(Reply(.localError, EnhancedStatusCode(4, 3, 0), why), context: context)
        context.close(promise: nil)
    }

    /// Ends whatever is waiting: the greeting promise fails, a transaction's unresolved recipients
    /// are deferred with `reply` (or bounced when it is permanent and nothing was sent yet).
    private func failAll(_ reply: Reply, context: ChannelHandlerContext) {
        if let ready = self.ready {
            self.ready = nil
            ready.fail(SMTPClientError.sessionFailed(reply))
        }
        if let job = self.job {
            self.job = nil
            let outcomes = self.machine.connectionLost(reply)
            if let outcomes {
                job.promise.succeed(outcomes)
            } else {
                job.promise.fail(SMTPClientError.sessionFailed(reply))
            }
        }
    }

    private func armTimeout(context: ChannelHandlerContext) {
        self.timeout?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.timeout = context.eventLoop.scheduleTask(in: self.replyTimeout) {
            let (handler, context) = loopBound.value
            handler.failAll(
                Reply(.serviceNotAvailable, EnhancedStatusCode(4, 4, 2), "timed out waiting for the server"),
                context: context
            )
            context.close(promise: nil)
        }
    }
}

/// Why an outbound session could not be used.
public enum SMTPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server refused the session (greeting, EHLO, required TLS) or it broke: the reply says how.
    case sessionFailed(Reply)
    /// A transaction was started while another was under way.
    case notReady

    public var description: String {
        switch self {
        case .sessionFailed(let reply): "session failed: \(reply.code) \(reply.lines.joined(separator: " "))"
        case .notReady: "the session is not ready for a transaction"
        }
    }
}
