//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOCore
import SMTPNIO
import Spool
import Synchronization

/// An open SMTP connection kept for the next message to the same destination.
struct ReusableSession: Sendable {
    var connection: SMTPClientConnection
    var hop: RouteTable.Hop
    var tls: TLSFacts?
    /// When the connection was opened: it is not reused past the cache's reuse limit.
    var openedAt: NIODeadline
}

/// Idle SMTP connections kept between deliveries, per destination domain, like Postfix's connection
/// cache (scache): a connection that finished its deliveries waits up to `idleLimit` for the next
/// mail to the same domain (Postfix's `smtp_connection_cache_time_limit`, 2 s), and is handed out
/// only within `reuseLimit` of its opening (`smtp_connection_reuse_time_limit`, 300 s).
///
/// Without it every batch the queue runner claims opened its connections anew: relaying a steady
/// stream to one destination cost a TCP handshake, a greeting, EHLO and QUIT every few mails.
/// The cache only keeps and hands out connections; whoever takes one out closes what it gets from
/// ``expired(at:)`` and ``removeAll()``.
final class ConnectionCache: Sendable {
    private struct Idle {
        var session: ReusableSession
        var since: NIODeadline
    }

    let idleLimit: TimeAmount
    let reuseLimit: TimeAmount
    private let idle = Mutex<[String: [Idle]]>([:])

    init(idleLimit: TimeAmount = .seconds(2), reuseLimit: TimeAmount = .seconds(300)) {
        self.idleLimit = idleLimit
        self.reuseLimit = reuseLimit
    }

    /// The most recently idled connection to `destination` still open and within its limits, if any.
    /// Connections found past their limits are returned as `stale`, for the caller to close.
    func take(
        for destination: String,
        now: NIODeadline = .now()
    ) -> (
        session: ReusableSession?, stale: [ReusableSession]
    ) {
        self.idle.withLock { idle in
            var stale: [ReusableSession] = []
            while var entries = idle[destination], let last = entries.popLast() {
                idle[destination] = entries.isEmpty ? nil : entries
                if self.usable(last, at: now) {
                    return (last.session, stale)
                }
                stale.append(last.session)
            }
            return (nil, stale)
        }
    }

    /// Keeps `session` for the next mail to `destination`; returns it if it cannot be kept (closed,
    /// or too old to be handed out again), for the caller to close.
    func put(_ session: ReusableSession, for destination: String, now: NIODeadline = .now()) -> ReusableSession? {
        let entry = Idle(session: session, since: now)
        guard self.usable(entry, at: now) else { return session }
        self.idle.withLock { $0[destination, default: []].append(entry) }
        return nil
    }

    /// Removes and returns the connections idle longer than `idleLimit`, closed by the server, or
    /// past the reuse limit.
    func expired(at now: NIODeadline = .now()) -> [ReusableSession] {
        self.idle.withLock { idle in
            var expired: [ReusableSession] = []
            for (destination, entries) in idle {
                let kept = entries.filter { self.usable($0, at: now) }
                if kept.count == entries.count { continue }
                expired += entries.filter { !self.usable($0, at: now) }.map(\.session)
                idle[destination] = kept.isEmpty ? nil : kept
            }
            return expired
        }
    }

    /// Removes and returns every idle connection (at shutdown).
    func removeAll() -> [ReusableSession] {
        self.idle.withLock { idle in
            defer { idle.removeAll() }
            return idle.values.flatMap { $0.map(\.session) }
        }
    }

    /// How many connections are idle now.
    var count: Int { self.idle.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    private func usable(_ entry: Idle, at now: NIODeadline) -> Bool {
        entry.session.connection.isActive && now - entry.since < self.idleLimit
            && now - entry.session.openedAt < self.reuseLimit
    }
}
