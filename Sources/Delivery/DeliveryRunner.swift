//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Metrics
public import Logging
public import NIOCore
public import NIOPosix
public import NIOSSL
import SMTPCore
import SMTPNIO
public import ServiceLifecycle
public import Spool

/// The queue runner: takes due recipients from the queue, delivers them through the route table,
/// and records every recipient's outcome with the server that decided it.
///
/// Recipients of one message to one domain go in one transaction. Deferred recipients come back
/// after the ``RetrySchedule``'s delay; after its lifetime they bounce. A recipient is leased while
/// it is being delivered, so a daemon killed mid-delivery tries it again after the lease: it may be
/// delivered twice, never zero times.
public final class DeliveryRunner: Service {
    private let spool: Spool
    private let configuration: DeliveryConfiguration
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let verifyingTLS: NIOSSLContext?
    private let logger: Logger
    private let mxRouting: MXRouting
    /// Builds the certified copies of recipients that have a token.
    private let copies: (any RecipientCopies)?
    /// Writes the outcomes of concurrent jobs together.
    private let recorder: OutcomeRecorder
    /// Where stored messages are read while they are sent.
    private let fileReadPool: NIOThreadPool
    /// Where certified copies are planned (the original parsed, the copy hashed for DKIM): a pool
    /// of its own, so that planning a burst of copies never holds up the pieces being sent.
    private let copyPool: NIOThreadPool
    /// How long a claimed recipient stays reserved for the attempt under way.
    private let lease: TimeInterval = 900
    /// Connections kept open between batches for the next mail to the same domain.
    private let connections: ConnectionCache

    public init(
        spool: Spool,
        configuration: DeliveryConfiguration,
        group: any EventLoopGroup,
        tls: NIOSSLContext?,
        verifyingTLS: NIOSSLContext? = nil,
        resolver: DNSResolver,
        fileReadPool: NIOThreadPool,
        copies: (any RecipientCopies)? = nil,
        copyPool: NIOThreadPool? = nil,
        logger: Logger
    ) {
        self.fileReadPool = fileReadPool
        self.copyPool = copyPool ?? fileReadPool
        self.copies = copies
        self.connections = ConnectionCache(idleLimit: configuration.connectionCacheTime)
        self.recorder = OutcomeRecorder(database: spool.database)
        self.mxRouting = MXRouting(resolver: resolver, port: configuration.mxPort)
        self.spool = spool
        self.configuration = configuration
        self.group = group
        self.tls = tls
        self.verifyingTLS = verifyingTLS
        self.logger = logger
    }

    public func run() async throws {
        let released = try self.spool.database.releaseStaleClaims(now: Date())
        if released > 0 {
            self.logger.notice(
                "recipients of an interrupted delivery are due again",
                metadata: ["count": "\(released)"]
            )
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let due: [DueRecipient]
            do {
                due = try await self.spool.database.claimDueRecipients(
                    now: Date(),
                    lease: self.lease,
                    limit: self.configuration.concurrency * 4
                )
            } catch {
                self.logger.error("cannot read the queue", metadata: ["error": "\(error)"])
                due = []
            }
            if due.isEmpty {
                // Until the poll interval (retries come due) or a mail just committed, whichever is
                // first; while connections are idle in the cache, no longer than they may stay.
                let poll = self.configuration.pollInterval
                let wait = self.connections.count > 0 ? min(poll, self.connections.idleLimit) : poll
                await cancelWhenGracefulShutdown {
                    await self.spool.arrivals.wait(upTo: .nanoseconds(wait.nanoseconds))
                }
            } else {
                await self.deliver(due)
            }
            Self.quitInBackground(self.connections.expired())
        }
        await Self.quit(self.connections.removeAll())
        try? await self.recorder.shutdown()
    }

    /// Delivers one claimed batch: one job per message and domain, at most `concurrency` at once.
    func deliver(_ due: [DueRecipient]) async {
        var jobs: [[DueRecipient]] = []
        var index: [String: Int] = [:]
        for recipient in due {
            // A recipient with a copy of its own (a certified recipient) gets a transaction of its own.
            let key =
                recipient.token == nil ? recipient.messageID + " " + recipient.domain : "copy \(recipient.recipientID)"
            if let position = index[key] {
                jobs[position].append(recipient)
            } else {
                index[key] = jobs.count
                jobs.append([recipient])
            }
        }
        // A lane is one connection delivering its messages one after the other (connection reuse);
        // a domain gets at most `destinationConcurrency` lanes, all domains `concurrency` at once.
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for lane in Self.lanes(jobs, perDestination: self.configuration.destinationConcurrency) {
                if running >= self.configuration.concurrency {
                    await group.next()
                    running -= 1
                }
                running += 1
                group.addTask { await self.deliver(lane: lane) }
            }
        }
    }

    /// Spreads each domain's jobs over at most `perDestination` lanes, round robin.
    static func lanes(_ jobs: [[DueRecipient]], perDestination: Int) -> [[[DueRecipient]]] {
        var domains: [String] = []
        var byDomain: [String: [[DueRecipient]]] = [:]
        for job in jobs {
            let domain = job[0].domain
            if byDomain[domain] == nil { domains.append(domain) }
            byDomain[domain, default: []].append(job)
        }
        return domains.flatMap { domain -> [[[DueRecipient]]] in
            let jobs = byDomain[domain]!
            let count = min(max(perDestination, 1), jobs.count)
            return (0..<count).map { lane in stride(from: lane, to: jobs.count, by: count).map { jobs[$0] } }
        }
    }

    /// Delivers a lane's jobs (one domain) over one connection: one left open in the cache by an
    /// earlier lane to the domain, else a new one; left open in the cache afterwards.
    private func deliver(lane: [[DueRecipient]]) async {
        let destination = lane[0][0].domain.lowercased()
        let (cached, stale) = self.connections.take(for: destination)
        Self.quitInBackground(stale)
        var session = cached
        for job in lane {
            await self.deliver(job: job, session: &session)
        }
        if let session, let unkept = self.connections.put(session, for: destination) {
            await unkept.connection.quit()
        }
    }

    /// Says QUIT on idle connections without waiting for the servers' replies (a server that no
    /// longer answers would hold up the queue runner for the 10 s `quit()` gives it).
    private static func quitInBackground(_ sessions: [ReusableSession]) {
        guard !sessions.isEmpty else { return }
        Task { await Self.quit(sessions) }
    }

    /// Says QUIT on each connection, all at once.
    private static func quit(_ sessions: [ReusableSession]) async {
        guard !sessions.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for session in sessions {
                group.addTask { await session.connection.quit() }
            }
        }
    }

    private func deliver(job: [DueRecipient], session: inout ReusableSession?) async {
        let first = job[0]
        var logger = self.logger
        logger[metadataKey: "queue_id"] = "\(first.messageID)"
        let attempt: Attempt
        do {
            attempt = try await self.attempt(job, session: &session, logger: logger)
        } catch {
            let reply = Reply(.localError, EnhancedStatusCode(4, 3, 0), "local error: \(error)")
            attempt = Attempt(outcomes: job.map { _ in .deferred(reply) }, hop: nil, remoteIP: nil, tls: nil)
        }
        let now = Date()
        let results = zip(job, attempt.outcomes).map { recipient, outcome in
            self.record(recipient, outcome, attempt: attempt, now: now, logger: logger)
        }
        do {
            try await self.recorder.record(results.map(\.recorded), now: now)
        } catch {
            logger.error("cannot record delivery outcomes", metadata: ["error": "\(error)"])
            return
        }
        await self.notifySender(job: job, results: results, attempt: attempt, now: now, logger: logger)
    }

    /// Sends the sender a bounce for recipients that failed and a delay notice for those newly
    /// delayed past the warning time, as their DSN requests allow; never to the null sender.
    private func notifySender(
        job: [DueRecipient],
        results: [(recorded: RecordedAttempt, reply: Reply)],
        attempt: Attempt,
        now: Date,
        logger: Logger
    ) async {
        let first = job[0]
        // A certified copy's failure is reported by the certification (a non-delivery certificate).
        guard first.token == nil else { return }
        guard let sender = ForwardPath(stored: first.sender) else { return }  // <> gets no reports
        for action in [DeliveryStatusNotification.RecipientStatus.Action.failed, .delayed] {
            let statuses = zip(job, results).compactMap {
                recipient,
                result -> DeliveryStatusNotification.RecipientStatus? in
                let applies =
                    action == .failed
                    ? result.recorded.state == .bounced
                    : result.recorded.state == .deferred && result.recorded.delayNotified
                guard applies, DeliveryStatusNotification.wanted(action, notify: recipient.notify) else { return nil }
                return .init(
                    address: recipient.address,
                    originalRecipient: recipient.orcpt,
                    action: action,
                    status: result.reply.enhancedCode?.description ?? "\(result.reply.code.kind).0.0",
                    remoteMTA: attempt.hop?.host,
                    diagnostic: result.recorded.reply
                )
            }
            guard !statuses.isEmpty else { continue }
            do {
                guard let message = try first.message ?? self.spool.database.message(id: first.messageID) else {
                    return
                }
                var report = DeliveryStatusNotification(
                    reportingMTA: self.configuration.heloName,
                    queueID: first.messageID,
                    sender: first.sender,
                    arrivalDate: first.receivedAt,
                    envelopeID: first.dsnEnvid,
                    returnHeadersOnly: first.dsnRet == DSNReturn.headers.rawValue,
                    recipients: statuses
                )
                report.checkpoint = try self.spool.database.evidenceAnchor()?.note
                if !report.returnHeadersOnly && message.size > self.configuration.bounceSizeLimit {
                    report.returnHeadersOnly = true
                    report.originalTooLargeToReturn = message.size
                }
                // The original is read (and the report drawn) on the file pool, not the cooperative one;
                // a large one is never read whole: only its headers come back.
                let reader = self.spool.reader(of: message, threadPool: self.fileReadPool)
                let content = try await self.fileReadPool.runIfActive { [report] in
                    let original =
                        report.returnHeadersOnly ? try reader.headerBlock() : try reader.bytes(in: 0..<reader.size)
                    return report.render(original: original, now: now)
                }
                let envelope = Envelope(
                    reversePath: .null,
                    mailParameters: MailParameters(smtpUTF8: first.smtputf8),
                    recipients: [
                        AcceptedRecipient(forwardPath: sender, parameters: RcptParameters(notify: []), kind: .relay)
                    ],
                    heloName: self.configuration.heloName,
                    protocolName: "local",
                    authenticatedUser: nil,
                    chunked: false
                )
                let reported = statuses.map(\.address)
                let reportID = try await self.spool.enqueueLocal(content, envelope: envelope, now: now) { notice in
                    .noticeQueued(
                        NoticeQueued(
                            kind: action == .failed ? .deliveryFailureReport : .delayReport,
                            notice: notice,
                            aboutQueueID: first.messageID,
                            aboutSubmittedAt: first.receivedAt,
                            noticeRecipient: first.sender,
                            reportedRecipients: reported,
                            queuedAt: now
                        )
                    )
                }
                logger.info(
                    "sender notified",
                    metadata: [
                        "action": "\(action.rawValue)", "report": "\(reportID)", "recipients": "\(statuses.count)"
                    ]
                )
            } catch {
                logger.error("cannot queue the delivery status notification", metadata: ["error": "\(error)"])
            }
        }
    }

    struct Attempt {
        var outcomes: [DeliveryOutcome]
        var hop: RouteTable.Hop?
        var remoteIP: String?
        var tls: TLSFacts?
        /// The domain has no usable route (NXDOMAIN, null MX): no server was asked.
        var noRoute = false
    }

    /// The servers to try for a domain: its static route, else its MX records.
    func targets(for domain: String) async -> RoutingResult {
        if let hop = self.configuration.routes.hop(for: domain) {
            return .targets([DeliveryTarget(hostname: hop.host, address: hop.host, port: hop.port)])
        }
        return await self.mxRouting.route(domain)
    }

    private func attempt(
        _ job: [DueRecipient],
        session: inout ReusableSession?,
        logger: Logger
    ) async throws
        -> Attempt
    {
        let first = job[0]
        let targets: [DeliveryTarget]
        switch await self.targets(for: first.domain) {
        case .failure(let reply):
            return Attempt(
                outcomes: job.map { _ in DeliveryOutcome(failure: reply) },
                hop: nil,
                remoteIP: nil,
                tls: nil,
                noRoute: true
            )
        case .targets(let found):
            targets = found
        }
        guard let message = try first.message ?? self.spool.database.message(id: first.messageID) else {
            throw DeliveryError("message \(first.messageID) is not in the queue")
        }
        let content: OutboundMessage
        var transaction: OutboundTransaction
        if first.token != nil, let copies = self.copies {
            // A certified copy (pixel, DKIM) is planned over the original on the copy pool,
            // then streamed from the spool like any message: the rewritten parts and the DKIM field
            // from memory, the rest read a piece at a time. The rewrite adds ASCII only: the
            // original's 8-bit flag, found at ingress, holds for the copy.
            let reader = self.spool.reader(of: message, threadPool: self.fileReadPool)
            // The original as submitted: the stored octets after the Received field Fefaent added.
            let skipped = message.headerLength
            let readOriginal: @Sendable (Range<Int>) throws -> [UInt8] = { range in
                try reader.bytes(in: (skipped + range.lowerBound)..<(skipped + range.upperBound))
            }
            let copy = try await self.copyPool.runIfActive {
                try copies.copy(
                    for: first,
                    of: message,
                    original: StoredOriginal(size: reader.size - skipped, read: readOriginal)
                )
            }
            let pool = self.fileReadPool
            content = .pieces(size: copy.size) { position, count, eventLoop in
                pool.runIfActive(eventLoop: eventLoop) {
                    ByteBuffer(bytes: try copy.bytes(in: position..<(position + count), original: readOriginal))
                }
            }
            transaction = Self.transaction(for: job, size: copy.size)
            transaction.reversePath = ReversePath(stored: copy.returnPath) ?? .null
        } else {
            // Read from the spool a piece at a time as it is sent: never whole in memory.
            let reader = self.spool.reader(of: message, threadPool: self.fileReadPool)
            content = .pieces(size: reader.size) { reader.read(at: $0, count: $1, eventLoop: $2) }
            transaction = Self.transaction(for: job, size: reader.size)
        }
        if let reused = session, reused.connection.isActive {
            do {
                let outcomes = try await reused.connection.send(content, transaction: transaction)
                return Attempt(
                    outcomes: outcomes,
                    hop: reused.hop,
                    remoteIP: reused.connection.remoteAddress,
                    tls: reused.tls
                )
            } catch {
                // The server closed the idle connection: start a new one.
                await reused.connection.quit()
                session = nil
            }
        }
        let policy = self.configuration.tlsPolicy(for: first.domain)
        let tlsContext = policy == .verify ? self.verifyingTLS : self.tls
        var failure = Attempt(outcomes: [], hop: nil, remoteIP: nil, tls: nil)
        // RFC 5321 §5.1: try the next server when one cannot be reached or refuses the session.
        for target in targets {
            let hop = RouteTable.Hop(host: target.hostname, port: target.port)
            let opened = NIODeadline.now()
            do {
                let connection = try await SMTPClientConnection.connect(
                    host: target.address,
                    port: target.port,
                    configuration: .init(
                        heloName: self.configuration.heloName,
                        tlsPolicy: policy,
                        tlsAvailable: tlsContext != nil
                    ),
                    tls: tlsContext,
                    serverHostname: target.hostname.first?.isLetter == true ? target.hostname : nil,
                    group: self.group,
                    connectTimeout: self.configuration.connectTimeout,
                    replyTimeout: self.configuration.replyTimeout
                )
                // Whether the peer's certificate was verified is part of what the record says: only the
                // `verify` policy checks it (a connection that fails the check never gets this far).
                let tls = await connection.tlsVersion.map {
                    TLSFacts(version: $0, peerCertificateVerified: policy == .verify)
                }
                let outcomes: [DeliveryOutcome]
                do {
                    outcomes = try await connection.send(content, transaction: transaction)
                } catch {
                    await connection.quit()
                    throw error
                }
                if connection.isActive {
                    session = ReusableSession(connection: connection, hop: hop, tls: tls, openedAt: opened)
                }
                return Attempt(outcomes: outcomes, hop: hop, remoteIP: connection.remoteAddress, tls: tls)
            } catch SMTPClientError.sessionFailed(let reply) {
                failure = Attempt(
                    outcomes: job.map { _ in DeliveryOutcome(failure: reply) },
                    hop: hop,
                    remoteIP: target.address,
                    tls: nil
                )
            } catch {
                let reply = Reply(
                    .serviceNotAvailable,
                    EnhancedStatusCode(4, 4, 1),
                    "cannot connect to \(hop): \(error)"
                )
                failure = Attempt(
                    outcomes: job.map { _ in .deferred(reply) },
                    hop: hop,
                    remoteIP: target.address,
                    tls: nil
                )
            }
            logger.info("server failed", metadata: ["server": "\(hop)", "address": "\(target.address)"])
        }
        return failure
    }

    /// The envelope of `job`'s transaction. Whether the content has 8-bit octets was found at ingress
    /// and stored as `BODY=8BITMIME` (``DueRecipient/body``), so the message is not scanned here.
    static func transaction(for job: [DueRecipient], size: Int) -> OutboundTransaction {
        let first = job[0]
        let recipients = job.map { recipient in
            OutboundTransaction.Recipient(
                forwardPath: ForwardPath(stored: recipient.address)
                    ?? .mailbox(Mailbox(localPart: recipient.address, domain: "invalid")),
                parameters: RcptParameters(storedNotify: recipient.notify, storedOriginalRecipient: recipient.orcpt)
            )
        }
        return OutboundTransaction(
            reversePath: ReversePath(stored: first.sender) ?? .null,
            recipients: recipients,
            size: size,
            needsSMTPUTF8: first.smtputf8,
            eightBit: first.body == BodyType.eightBitMIME.rawValue,
            dsnReturn: first.dsnRet.flatMap(DSNReturn.init(rawValue:)),
            envelopeID: first.dsnEnvid
        )
    }

    private func record(
        _ recipient: DueRecipient,
        _ outcome: DeliveryOutcome,
        attempt: Attempt,
        now: Date,
        logger: Logger
    )
        -> (recorded: RecordedAttempt, reply: Reply)
    {
        var state: QueuedRecipient.State
        var reply = outcome.reply
        var next: Date?
        var expired = false
        switch outcome {
        case .delivered:
            state = .delivered
        case .bounced:
            state = .bounced
        case .deferred:
            state = .deferred
            next = self.configuration.retry.nextAttempt(
                failedAttempts: recipient.attempts + 1,
                receivedAt: recipient.receivedAt,
                now: now
            )
            if next == nil {
                state = .bounced
                expired = true
                reply = Reply(
                    .transactionFailed,
                    EnhancedStatusCode(5, 4, 7),
                    "delivery time expired; last try: \(Self.text(of: outcome.reply))"
                )
            }
        }
        let text = Self.text(of: reply)
        Counter(label: "fefaent_\(state.rawValue)_total").increment()
        let warning = self.configuration.delayWarning
        let delayNotified =
            state == .deferred && warning > 0 && !recipient.delayNotified
            && now.timeIntervalSince(recipient.receivedAt) >= warning
        logger.info(
            "delivery",
            metadata: [
                "to": "<\(recipient.address)>",
                "relay": "\(attempt.hop.map { "\($0)" } ?? "none")\(attempt.remoteIP.map { "[\($0)]" } ?? "")",
                "tls": "\(attempt.tls?.description ?? "none")",
                "status": "\(state.rawValue)",
                "reply": "\(text)"
            ]
        )
        let recorded = RecordedAttempt(
            recipientID: recipient.recipientID,
            state: state,
            reply: text,
            nextAttemptAt: next,
            remoteHost: attempt.hop?.host,
            remoteIP: attempt.remoteIP,
            tls: attempt.tls,
            delayNotified: delayNotified,
            outcome: state == .deferred
                ? nil
                : RelayOutcome(
                    queueID: recipient.messageID,
                    recipient: recipient.address,
                    recipientRowID: recipient.recipientID,
                    result: state == .delivered ? .delivered : .failed,
                    failureReason: state == .delivered
                        ? nil : Self.failureReason(reply, expired: expired, noRoute: attempt.noRoute),
                    reply: ReplyFacts(reply),
                    remoteHost: attempt.hop?.host,
                    remoteIP: attempt.remoteIP,
                    tls: attempt.tls,
                    attempts: recipient.attempts + 1,
                    submittedAt: recipient.receivedAt,
                    finishedAt: now
                )
        )
        return (recorded, reply)
    }

    /// Why a recipient failed for good, as the evidence states it.
    static func failureReason(_ reply: Reply, expired: Bool, noRoute: Bool) -> RelayOutcome.FailureReason {
        if expired { return .expired }
        if noRoute { return .noRouteToDomain }
        switch reply.enhancedCode?.description {
        case "5.3.4", "5.6.7": return .notSupportedByRemoteServer
        default: return .rejectedByRemoteServer
        }
    }

    /// A reply as one line: `250 2.0.0 Ok: queued as X`.
    static func text(of reply: Reply) -> String {
        ReplyFacts(reply).description
    }
}

struct DeliveryError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
