//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Logging
import Metrics
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a listener does when `accept(2)` fails: with its file descriptors (or the system's, or its
/// memory) used up, it stops accepting for a while instead of retrying at once (which spins a core
/// and greets nobody). Waiting clients stay in the kernel's backlog and are greeted when descriptors
/// come back. Each pause is counted; one log line says when pauses begin, not one per retry.
///
/// NIO's own `AcceptBackoffHandler` cannot do this with `ServerBootstrap.bind`: after a failed
/// accept the channel still has a read pending, so it never asks the pipeline for the next read and
/// stays registered for readability; turning `autoRead` off is what takes the socket out of epoll.
final class AcceptPause: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel

    /// The wait before the next `accept` after a failure.
    static let interval = TimeAmount.milliseconds(250)
    /// At most one log line per this long.
    static let logInterval = TimeAmount.seconds(10)

    private let listener: String
    private let logger: Logger
    private var lastLogged: NIODeadline? = nil
    private var pausesSinceLog = 0
    private var resume: Scheduled<Void>? = nil

    init(listener: String, logger: Logger) {
        self.listener = listener
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError, Self.isResourceShortage(error.errnoCode) else {
            return context.fireErrorCaught(error)
        }
        guard self.resume == nil else { return }
        Counter(label: "fefaent_accept_paused_total", dimensions: [("listener", self.listener)]).increment()
        self.log(error)
        let channel = context.channel
        do {
            try channel.syncOptions?.setOption(.autoRead, value: false)
        } catch {
            return context.fireErrorCaught(error)
        }
        self.resume = context.eventLoop.assumeIsolated().scheduleTask(in: Self.interval) {
            self.resume = nil
            try? channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.resume?.cancel()
        self.resume = nil
        context.fireChannelInactive()
    }

    private func log(_ error: IOError) {
        self.pausesSinceLog += 1
        let now = NIODeadline.now()
        if let last = self.lastLogged, now - last < Self.logInterval { return }
        self.lastLogged = now
        self.logger.error(
            "cannot accept connections; the listener pauses",
            metadata: [
                "listener": "\(self.listener)",
                "why": "\(Self.reason(error.errnoCode))",
                "pauses": "\(self.pausesSinceLog)",
                "pause_ms": "\(Self.interval.nanoseconds / 1_000_000)"
            ]
        )
        self.pausesSinceLog = 0
    }

    static func isResourceShortage(_ code: CInt) -> Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }

    static func reason(_ code: CInt) -> String {
        switch code {
        case EMFILE: "the process has no file descriptor left (EMFILE; raise LimitNOFILE or lower [limits] connections)"
        case ENFILE: "the system has no file descriptor left (ENFILE)"
        case ENOBUFS: "out of memory for sockets (ENOBUFS)"
        default: "out of memory (ENOMEM)"
        }
    }
}
