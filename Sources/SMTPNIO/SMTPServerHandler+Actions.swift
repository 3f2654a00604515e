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
import SMTPCore

extension SMTPServerHandler {
    /// Carries out one action of the state machine.
    func run(_ action: ServerSessionStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .reply(let reply):
            self.write(reply, context: context)
        case .replyAndClose(let reply):
            self.write(reply, context: context)
            self.closeAfterFlush(context: context)
        case .delayedReply(let reply, let delay):
            // The tarpit: nothing more is read or answered until the reply goes out.
            self.tarpitted = true
            context.flush()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: delay) {
                let (handler, context) = loopBound.value
                handler.tarpitted = false
                guard context.channel.isActive, !handler.machine.isClosed else { return }
                handler.write(reply, context: context)
                handler.resumeAfterHandlerWork(context: context)
            }
        case .repliesAndClose(let replies):
            replies.forEach { self.write($0, context: context) }
            self.closeAfterFlush(context: context)
        case .startTLS(let reply):
            self.startTLS(reply, context: context)
        case .startData(let reply, let envelope):
            self.write(reply, context: context)
            self.framer.enterData()
            self.beginMessage(envelope, context: context)
        case .readChunk(let size, let newMessage):
            if let envelope = newMessage {
                self.framer.beginChunkedMessage()
                self.beginMessage(envelope, context: context)
            }
            self.framer.enterChunk(size: size)
        case .commitMessage(let envelope):
            self.commit(envelope, context: context)
        case .abortMessage(let reply):
            if let queueID = self.queueID {
                self.logger.info("message refused", metadata: ["queue_id": "\(queueID)", "reply": "\(reply.code)"])
            }
            self.dropMessage()
            self.write(reply, context: context)
        case .sendChallenge(let reply):
            self.write(reply, context: context)
        case .verifyCredentials(let credentials):
            self.verify(credentials, context: context)
        }
    }

    private func write(_ reply: Reply, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeReply(reply)
        context.write(self.wrapOutboundOut(buffer), promise: nil)
    }

    private func closeAfterFlush(context: ChannelHandlerContext) {
        self.dropMessage()
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// RFC 3207 §4.2 / CVE-2011-0411: whatever the client pipelined after STARTTLS was sent in
    /// plaintext and is dropped; TLS starts with an empty buffer.
    private func startTLS(_ reply: Reply, context: ChannelHandlerContext) {
        guard let tls = self.listener.tls else {
            preconditionFailure("STARTTLS offered without a TLS context")
        }
        self.write(reply, context: context)
        context.flush()
        let dropped = self.framer.discardBufferedInput()
        if dropped > 0 {
            self.logger.notice("dropped plaintext pipelined after STARTTLS", metadata: ["octets": "\(dropped)"])
        }
        do {
            try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
        } catch {
            self.logger.error("cannot start TLS", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    private func commit(_ envelope: Envelope, context: ChannelHandlerContext) {
        guard let writer = self.writer, let queueID = self.queueID, !self.writeFailed else {
            self.dropMessage()
            self.run(self.machine.messageCommitFailed(), context: context)
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        writer.commit(envelope: envelope, session: self.sessionInfo) { result in
            eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.committed(result, queueID: queueID, envelope: envelope, context: context)
            }
        }
    }

    private func committed(
        _ result: Result<Void, any Error>,
        queueID: String,
        envelope: Envelope,
        context: ChannelHandlerContext
    ) {
        self.forgetMessage()
        switch result {
        case .success:
            self.logger.info(
                "queued",
                metadata: [
                    "queue_id": "\(queueID)",
                    "from": "<\(envelope.reversePath.address)>",
                    "nrcpt": "\(envelope.recipients.count)",
                    "protocol": "\(envelope.protocolName)"
                ]
            )
            self.run(self.machine.messageCommitted(queueID: queueID), context: context)
        case .failure(let refusal as SMTPMessageRefusal):
            self.logger.notice(
                "refused",
                metadata: [
                    "queue_id": "\(queueID)", "from": "<\(envelope.reversePath.address)>",
                    "reply": "\(refusal.reply.code.rawValue) \(refusal.reply.lines.joined(separator: " "))"
                ]
            )
            self.run(self.machine.messageRefused(refusal.reply), context: context)
        case .failure(let error):
            self.logger.error("commit failed", metadata: ["queue_id": "\(queueID)", "error": "\(error)"])
            self.run(self.machine.messageCommitFailed(), context: context)
        }
        self.resumeAfterHandlerWork(context: context)
    }

    private func verify(_ credentials: SASLDecoding.Credentials, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let username = credentials.username
        self.sink.authenticate(credentials) { user in
            eventLoop.execute {
                let (handler, context) = loopBound.value
                if let user {
                    handler.logger.info("authenticated", metadata: ["user": "\(user)"])
                } else {
                    handler.logger.notice("authentication failed", metadata: ["user": "\(username)"])
                }
                guard user == nil, let clients = handler.listener.clients else {
                    handler.run(handler.machine.credentialsVerified(user: user), context: context)
                    handler.resumeAfterHandlerWork(context: context)
                    return
                }
                // Failures count per client across sessions: each 535 waits longer; past the limit, 421.
                let (delay, blocked) = clients.authenticationFailed(handler.sessionInfo.clientAddress)
                if blocked {
                    handler.logger.notice("client blocked after failed authentications")
                    handler.run(
                        .replyAndClose(
                            Reply(
                                .serviceNotAvailable,
                                EnhancedStatusCode(4, 7, 0),
                                "\(handler.machine.configuration.hostname) Error: too many failed authentications from your address; try again later"
                            )
                        ),
                        context: context
                    )
                    context.flush()
                    return
                }
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay * 1000))) {
                    let (handler, context) = loopBound.value
                    guard context.channel.isActive else { return }
                    handler.run(handler.machine.credentialsVerified(user: nil), context: context)
                    handler.resumeAfterHandlerWork(context: context)
                }
            }
        }
    }
}
