//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Logging
import NIOCore
import NIOSSL
import NIOTLS
import SMTPCore

/// Drives one SMTP session: octets go through the ``InboundFramer`` into the
/// ``ServerSessionStateMachine``, and every ``ServerSessionStateMachine/Action`` it returns is
/// carried out in ``run(_:context:)``.
///
/// Reads are explicit (`autoRead` off): while a message is committed or credentials are checked the
/// handler stops reading, so a client that pipelines ahead fills its own socket buffer, not ours.
/// Replies are written as they come and flushed when the input read so far is used up (RFC 2920).
final class SMTPServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var machine: ServerSessionStateMachine
    var framer = InboundFramer()
    var writer: (any SMTPMessageWriter)?
    var writeFailed = false
    var queueID: String?
    let sink: any SMTPMessageSink
    let listener: SMTPListenerConfiguration
    var sessionInfo: SMTPSessionInfo
    var logger: Logger
    var idleTimeout: Scheduled<Void>?
    var lastActivity = NIODeadline.now()
    var readInFlight = false
    /// An error's reply is being held back (the tarpit): no frame is processed, nothing is read.
    var tarpitted = false
    /// When the session began, and when the message being received began and its octets so far.
    let sessionStart = NIODeadline.now()
    var dataStart: NIODeadline?
    var dataOctets = 0

    init(
        listener: SMTPListenerConfiguration,
        session: ServerSessionConfiguration,
        clientAddress: String,
        sink: any SMTPMessageSink,
        logger: Logger
    ) {
        self.listener = listener
        self.machine = ServerSessionStateMachine(configuration: session)
        self.sink = sink
        self.sessionInfo = SMTPSessionInfo(
            clientAddress: clientAddress,
            listener: listener.name,
            tls: nil,
            clientIsTrusted: session.clientIsTrusted
        )
        self.logger = logger
        self.logger[metadataKey: "client"] = "\(clientAddress)"
        self.logger[metadataKey: "listener"] = "\(listener.name)"
    }

    // MARK: - Channel events

    func channelActive(context: ChannelHandlerContext) {
        self.logger.debug("connect")
        self.run(self.machine.connected(), context: context)
        context.flush()
        self.resetTimeout(context: context)
        self.requestRead(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.idleTimeout?.cancel()
        self.dropMessage()
        self.logger.debug("disconnect")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.readInFlight = false
        self.framer.append(self.unwrapInboundIn(data))
        self.resetTimeout(context: context)
        self.processFrames(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        self.requestRead(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is SMTPServerShutdownEvent {
            self.run(self.machine.shutdownRequested(), context: context)
            context.flush()
        } else if case TLSUserEvent.handshakeCompleted = event {
            let version = try? context.pipeline.syncOperations.nioSSL_tlsVersion()
            self.sessionInfo.tls = version.map(Self.describe) ?? "TLS"
            self.logger[metadataKey: "tls"] = "\(self.sessionInfo.tls ?? "")"
            self.run(self.machine.tlsEstablished(), context: context)
            self.resumeAfterHandlerWork(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.info("session error", metadata: ["error": "\(error)"])
        self.dropMessage()
        context.close(promise: nil)
    }

    // MARK: - Frames

    private func processFrames(context: ChannelHandlerContext) {
        while !self.tarpitted && !self.machine.isWaitingForHandler && !self.machine.isClosed,
            let frame = self.framer.nextFrame()
        {
            switch frame {
            case .line(let line):
                if self.listener.pace.sessionTooLong(seconds: Self.seconds(since: self.sessionStart)) {
                    self.logger.notice("session time limit reached")
                    self.run(
                        .replyAndClose(Self.tooSlow(self.machine.configuration.hostname, "session too long")),
                        context: context
                    )
                    return
                }
                self.run(self.machine.receivedLine(line), context: context)
                self.framer.lineLimit =
                    self.machine.isAuthenticating ? SMTPDefaults.authLineLimit : SMTPDefaults.commandLineLimit
            case .badLine(let badLine):
                self.run(self.machine.receivedBadLine(badLine), context: context)
            case .messageBytes(let bytes):
                self.receivedMessageBytes(bytes)
                let start = self.dataStart ?? .now()
                self.dataStart = start
                self.dataOctets += bytes.readableBytes
                if self.listener.pace.dataTooSlow(octets: self.dataOctets, seconds: Self.seconds(since: start)) {
                    // Whatever was spooled of the message goes; the client hears why.
                    self.logger.notice("data too slow", metadata: ["octets": "\(self.dataOctets)"])
                    self.dropMessage()
                    self.run(
                        .replyAndClose(Self.tooSlow(self.machine.configuration.hostname, "data too slow")),
                        context: context
                    )
                    return
                }
            case .endOfMessage(let defects):
                self.dataStart = nil
                self.dataOctets = 0
                self.resetTimeout(context: context)
                self.run(self.machine.receivedEndOfMessage(defects), context: context)
            case .endOfChunk(let defects):
                self.dataStart = nil
                self.dataOctets = 0
                self.run(self.machine.receivedEndOfChunk(defects), context: context)
            }
        }
    }

    private func receivedMessageBytes(_ bytes: ByteBuffer) {
        switch self.machine.receivedMessageBytes(count: bytes.readableBytes) {
        case .append:
            guard let writer = self.writer, !self.writeFailed else { return }
            do {
                try writer.append(bytes)
            } catch {
                // Keep reading to the end of data; the commit then answers 451 and nothing is kept.
                self.logger.error("spool write failed", metadata: ["error": "\(error)"])
                self.writeFailed = true
                writer.abort()
            }
        case .discard:
            break
        }
    }

    /// Continues after the handler reported back to the machine (commit, credentials, TLS).
    func resumeAfterHandlerWork(context: ChannelHandlerContext) {
        self.processFrames(context: context)
        context.flush()
        self.requestRead(context: context)
    }

    private func requestRead(context: ChannelHandlerContext) {
        guard !self.readInFlight, !self.machine.isClosed, context.channel.isActive else { return }
        // While a commit or a credential check is pending, reading stops (backpressure); during
        // STARTTLS the handshake needs reads although no frame is processed.
        if self.machine.isWaitingForHandler && !self.machine.isStartingTLS { return }
        if self.tarpitted { return }
        self.readInFlight = true
        context.read()
    }

    /// Notes activity; one timer per session checks it, so a read costs no timer rescheduling.
    private func resetTimeout(context: ChannelHandlerContext) {
        self.lastActivity = .now()
        if self.idleTimeout == nil {
            self.scheduleTimeoutCheck(in: self.currentTimeout, context: context)
        }
    }

    private var currentTimeout: TimeAmount {
        self.framer.isReadingMessage ? self.listener.dataTimeout : self.listener.commandTimeout
    }

    private func scheduleTimeoutCheck(in delay: TimeAmount, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.idleTimeout = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loopBound.value
            handler.idleTimeout = nil
            let idle = NIODeadline.now() - handler.lastActivity
            guard idle >= handler.currentTimeout else {
                handler.scheduleTimeoutCheck(in: handler.currentTimeout - idle, context: context)
                return
            }
            // A session waiting on the spool, a credential check or its own tarpit is not idle.
            guard (!handler.machine.isWaitingForHandler || handler.machine.isStartingTLS) && !handler.tarpitted else {
                handler.scheduleTimeoutCheck(in: handler.currentTimeout, context: context)
                return
            }
            handler.logger.info("timeout")
            handler.run(handler.machine.timedOut(), context: context)
            context.flush()
        }
    }

    static func seconds(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1e9
    }

    /// `421 4.4.2`: the client was too slow (the connection closes).
    static func tooSlow(_ hostname: String, _ what: String) -> Reply {
        Reply(.serviceNotAvailable, EnhancedStatusCode(4, 4, 2), "\(hostname) Error: \(what); closing")
    }

    static func describe(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }

    // MARK: - Messages

    func beginMessage(_ envelope: Envelope, context: ChannelHandlerContext) {
        let queueID = self.sink.makeQueueID()
        self.queueID = queueID
        self.writeFailed = false
        do {
            self.writer = try self.sink.beginMessage(
                queueID: queueID,
                header: ByteBuffer(string: self.receivedHeader(envelope, queueID: queueID))
            )
        } catch {
            self.logger.error("cannot open spool message", metadata: ["queue_id": "\(queueID)", "error": "\(error)"])
            self.writeFailed = true
        }
    }

    func dropMessage() {
        self.writer?.abort()
        self.forgetMessage()
    }

    /// The message was handed to the spool: the session no longer owns it.
    func forgetMessage() {
        self.writer = nil
        self.queueID = nil
        self.writeFailed = false
    }

    private func receivedHeader(_ envelope: Envelope, queueID: String) -> String {
        ReceivedHeader(
            heloName: envelope.heloName,
            clientAddress: self.sessionInfo.clientAddress,
            hostname: self.machine.configuration.hostname,
            protocolName: envelope.protocolName,
            queueID: queueID,
            tls: self.sessionInfo.tls,
            recipient: envelope.recipients.count == 1 ? envelope.recipients[0].forwardPath.address : nil,
            epochSeconds: Int64(time(nil))
        ).encoded
    }
}

#if canImport(Glibc)
import Glibc
#endif
