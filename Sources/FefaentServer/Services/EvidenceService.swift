//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Evidence
public import Foundation
import Metrics
public import Logging
public import ServiceLifecycle
public import Spool
public import X509
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The evidence writer: turns the queue database's outbox into signed, logged, time-stamped records.
///
/// Every attested event was written to the outbox in the same transaction as the state change it
/// attests (``AttestedEvent``). The writer takes outbox rows in row order, signs them (CMS, signing
/// time = now), appends them to the Merkle log in one evidence transaction that also stores each
/// row's sequence number, and only then prunes the outbox: a crash in between signs nothing twice
/// (the writer resumes after the highest sequence the log holds) and loses nothing (the rows stay
/// until their records are stored). Nothing is read from the queue's mutable rows: the event carries
/// its facts, and the message content is read from its spool file, checked against the digest the
/// event recorded at reception.
///
/// Once per checkpoint interval it writes a signed checkpoint if the log grew and moves the queue
/// database's anchor to it (the start-up check compares the log against the anchor); another loop
/// publishes it and time-stamps what is not stamped yet.
///
/// The work (file reads, SQLite writes, signing, the built-in TSA) runs on a thread of its own at a
/// lower scheduling priority (nice 10), never on the cooperative pool: under a burst, acceptance
/// keeps the CPU and evidence follows as soon as there is room. Nothing is lost meanwhile: the rows
/// wait in the outbox, and each record keeps its event's time.
public final class EvidenceService: Service, Sendable {
    public let log: EvidenceLog
    let spool: Spool
    let stamper: any TimeStamping
    /// How often a checkpoint is made at most (`checkpoint_interval_ms`), and time-stamps are sought.
    let interval: Duration
    /// How often the outbox is signed and logged (`record_interval_ms`).
    let recordInterval: Duration
    let publisher: CheckpointPublisher?
    /// Who issues the records, under which policy.
    let issuer: EvidenceRecord.Issuer?
    /// Renewal: how long before a time-stamp certificate expires, the roots, and when it last ran.
    let renewal: (margin: TimeInterval, trustedRoots: [Certificate])?
    private let lastRenewal = Mutex<Date?>(nil)
    let logger: Logger
    private let messages = Mutex<[String: MessageFacts]>([:])
    private let worker: NIOThreadPool
    /// The built-in TSA's thread (nice 10 too).
    private let stampWorker: NIOThreadPool
    /// When the write loop last made (or tried) a checkpoint.
    private let lastCheckpointRound = Mutex<ContinuousClock.Instant?>(nil)
    /// The outbox is pruned up to here (the evidence log holds every row before it).
    private let pruned = Mutex<Int64>(0)

    public init(
        log: EvidenceLog,
        spool: Spool,
        stamper: any TimeStamping,
        interval: Duration,
        recordInterval: Duration = .milliseconds(100),
        publisher: CheckpointPublisher? = nil,
        issuer: EvidenceRecord.Issuer? = nil,
        renewal: (margin: TimeInterval, trustedRoots: [Certificate])? = nil,
        logger: Logger
    ) {
        self.issuer = issuer
        self.renewal = renewal
        self.log = log
        self.spool = spool
        let worker = NIOThreadPool(numberOfThreads: 1)
        worker.start()
        worker.submit { _ in Self.lowerThisThreadsPriority() }
        self.worker = worker
        let stampWorker = NIOThreadPool(numberOfThreads: 1)
        stampWorker.start()
        stampWorker.submit { _ in Self.lowerThisThreadsPriority() }
        self.stampWorker = stampWorker
        // The built-in TSA signs on a thread of its own: time-stamping a burst's records never holds up
        // signing the next ones. An external TSA is waited for, not computed.
        self.stamper =
            (stamper as? TimeStampAuthority).map { WorkerTimeStamping(authority: $0, worker: stampWorker) } ?? stamper
        self.interval = interval
        self.recordInterval = recordInterval
        self.publisher = publisher
        self.logger = logger
    }

    /// Two loops side by side: one signs and logs the outbox and makes checkpoints, the other
    /// time-stamps what the first logged (and publishes, and renews), so that a burst's time-stamps
    /// never delay the next records' signatures.
    ///
    /// Records are signed every `recordInterval` (100 ms by default, so evidence follows the events
    /// closely); checkpoints are made at most once per `interval` (`checkpoint_interval_ms`).
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.repeatUntilShutdown(every: self.recordInterval) {
                    await self.writeRound(checkpointDue: self.checkpointDue())
                }
            }
            group.addTask { await self.repeatUntilShutdown(every: self.interval) { await self.stampRound() } }
        }
        if !Task.isCancelled {
            await self.tick()  // what happened during the drain (a cancelled run leaves it in the outbox)
        }
        try await self.worker.shutdownGracefully()
        try await self.stampWorker.shutdownGracefully()
    }

    private func repeatUntilShutdown(every interval: Duration, _ round: () async -> Void) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await round()
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Whether a checkpoint interval has passed since the last checkpoint round (and starts the next).
    private func checkpointDue(now: ContinuousClock.Instant = .now) -> Bool {
        self.lastCheckpointRound.withLock { last in
            guard last.map({ now - $0 >= self.interval }) ?? true else { return false }
            last = now
            return true
        }
    }

    /// nice 10 for the calling thread (Linux schedules threads one by one).
    static func lowerThisThreadsPriority() {
        #if os(Linux)
        // PRIO_PROCESS with 0 is the calling thread: Linux keeps a nice value per thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    /// One round of both loops: the outbox, a checkpoint, the anchor, then time-stamps.
    public func tick() async {
        await self.writeRound()
        await self.stampRound()
    }

    /// The outbox signed and logged; then, when `checkpointDue`, a checkpoint and the anchor.
    func writeRound(checkpointDue: Bool = true) async {
        do {
            let written = try await self.worker.runIfActive { try self.writePending() }
            if written > 0 {
                self.logger.debug("evidence written", metadata: ["count": "\(written)"])
            }
            guard checkpointDue else { return }
            if let checkpoint = try await self.worker.runIfActive({ try self.log.checkpoint() }) {
                self.logger.debug("checkpoint", metadata: ["size": "\(checkpoint.size)"])
                // The start-up check compares the log with this anchor. Were this write lost, the
                // anchor only lags: the next checkpoint moves it.
                try self.spool.database.saveEvidenceAnchor(
                    EvidenceAnchor(
                        size: checkpoint.size,
                        root: checkpoint.root,
                        note: checkpoint.note,
                        updatedAt: Date()
                    )
                )
            }
        } catch {
            self.logger.error("cannot write evidence", metadata: ["error": "\(error)"])
        }
    }

    /// Time-stamps for what the log holds, the checkpoints published, renewals when due.
    func stampRound() async {
        let (stamped, failure) = await self.log.stamp(with: self.stamper)
        if let failure {
            self.logger.warning(
                "time-stamping deferred",
                metadata: ["error": "\(failure)", "stamped": "\(stamped)"]
            )
        }
        if let publisher = self.publisher {
            await publisher.publish(store: self.log.store, logger: self.logger)
        }
        await self.renewIfDue()
    }

    /// Once a day: archive time-stamps for records whose time-stamp certificates expire soon.
    func renewIfDue(now: Date = Date()) async {
        guard let renewal = self.renewal,
            self.lastRenewal.withLock({ $0.map { now.timeIntervalSince($0) >= 86_400 } ?? true })
        else { return }
        self.lastRenewal.withLock { $0 = now }
        do {
            let due = try await self.worker.runIfActive {
                try self.log.dueForRenewal(
                    before: now.addingTimeInterval(renewal.margin),
                    trustedRoots: renewal.trustedRoots
                )
            }
            guard !due.isEmpty else { return }
            let (renewed, failure) = await self.log.renew(due, with: self.stamper)
            self.logger.notice("evidence renewed", metadata: ["records": "\(renewed)", "due": "\(due.count)"])
            if let failure {
                self.lastRenewal.withLock { $0 = nil }  // try again next round
                self.logger.warning("evidence renewal deferred", metadata: ["error": "\(failure)"])
            }
        } catch {
            self.logger.error("cannot renew evidence", metadata: ["error": "\(error)"])
        }
    }

    /// Signs and logs every outbox row not yet in the log; returns how many.
    @discardableResult
    public func writePending() throws -> Int {
        var written = try self.log.store.lastOutboxSequence()
        var total = 0
        while true {
            let entries = try self.spool.database.outbox(after: written, limit: 500)
            guard let last = entries.last else { break }
            try self.log.append(entries.map(self.record(for:)), outboxSequences: entries.map(\.sequence))
            written = last.sequence
            total += entries.count
            Counter(label: "fefaent_evidence_records_total").increment(by: entries.count)
        }
        // Rows the log holds leave the outbox (after a crash, those stored before it too).
        if written > self.pruned.withLock({ $0 }) {
            try self.spool.database.pruneOutbox(through: written)
            self.pruned.withLock { $0 = written }
        }
        return total
    }

    // MARK: - Records from events

    func record(for entry: OutboxEntry) -> EvidenceRecord {
        var record = self.eventRecord(for: entry)
        record.issuer = self.issuer
        return record
    }

    func eventRecord(for entry: OutboxEntry) -> EvidenceRecord {
        switch entry.event {
        case .submissionAccepted(let event):
            let facts = self.facts(
                of: SpooledContent(queueID: event.queueID, sha256: event.messageSHA256, size: event.messageSize),
                sender: event.certification?.senderAddress ?? event.envelopeSender,
                content: event.content
            )
            var record = Self.record(
                kind: event.isReception || event.reception != nil ? .receivedFromNonERDS : .submissionAcceptance,
                id: entry.evidenceID,
                time: UTCDateTime(event.receivedAt),
                queueID: event.queueID,
                sender: event.envelopeSender,
                recipients: event.recipients.map(\.address),
                facts: facts,
                details: .submission(
                    clientIP: event.session.clientAddress,
                    heloName: event.session.heloName,
                    authenticatedAs: event.session.authenticatedAs,
                    tls: event.session.tls.map(Self.tls),
                    reply: "250 2.0.0 Ok: queued as \(event.queueID)"
                ),
                submissionTime: UTCDateTime(event.receivedAt)
            )
            record.senderAuthentication =
                event.session.authenticatedAs.map { .smtpAuth(identity: $0) }
                ?? (event.session.clientInTrustedNetwork ? .trustedNetwork : EvidenceRecord.SenderAuthentication.none)
            if let certification = event.certification {
                Self.certify(&record, certification)
            }
            if let reception = event.reception {
                Self.receive(&record, reception)
            }
            return record
        case .relayOutcome(let event):
            let facts = self.loggedFacts(queueID: event.queueID)
            var record = Self.record(
                kind: event.result == .delivered ? .relayToNonERDS : .relayToNonERDSFailure,
                id: entry.evidenceID,
                time: UTCDateTime(event.finishedAt),
                queueID: event.queueID,
                sender: facts.sender,
                recipients: [event.recipient],
                facts: facts,
                details: .relay(
                    remoteHost: event.remoteHost ?? "",
                    remoteIP: event.remoteIP ?? "",
                    tls: event.tls.map(Self.tls),
                    reply: event.reply.description
                ),
                submissionTime: UTCDateTime(event.submittedAt),
                reason: event.failureReason.flatMap { EvidenceRecord.Reason(rawValue: $0.rawValue) }
            )
            record.supersedes = event.supersedes
            return record
        case .submissionRejected(let event):
            return Self.rejectionRecord(event, id: entry.evidenceID)
        case .trackingFetched(let event):
            return Self.fetchRecord(event, id: entry.evidenceID, facts: self.loggedFacts(queueID: event.queueID))
        case .documentAccess(let event):
            return Self.documentRecord(event, id: entry.evidenceID, facts: self.loggedFacts(queueID: event.queueID))
        case .noticeQueued(let event):
            let facts = self.facts(
                of: SpooledContent(queueID: event.noticeQueueID, sha256: event.messageSHA256, size: event.messageSize),
                sender: ""
            )
            return Self.record(
                kind: .senderNotification,
                id: entry.evidenceID,
                time: UTCDateTime(event.queuedAt),
                queueID: event.noticeQueueID,
                sender: "",
                recipients: [event.noticeRecipient],
                facts: facts,
                details: .notice(
                    kind: event.kind.rawValue,
                    aboutQueueID: event.aboutQueueID,
                    reportedRecipients: event.reportedRecipients
                ),
                submissionTime: UTCDateTime(event.aboutSubmittedAt)
            )
        }
    }

    static func tls(_ facts: TLSFacts) -> EvidenceRecord.TLSDetails {
        EvidenceRecord.TLSDetails(version: facts.version, cipher: nil, peerVerified: facts.peerCertificateVerified)
    }

    static func record(
        kind: EvidenceRecord.Kind,
        id: String,
        time: UTCDateTime,
        queueID: String,
        sender: String,
        recipients: [String],
        facts: MessageFacts,
        details: EvidenceRecord.Details,
        submissionTime: UTCDateTime?,
        reason: EvidenceRecord.Reason? = nil
    ) -> EvidenceRecord {
        EvidenceRecord(
            kind: kind,
            time: time,
            evidenceID: id,
            queueID: queueID,
            messageID: facts.messageID,
            sender: sender,
            recipients: recipients,
            subject: facts.subject,
            messageSHA256: facts.sha256,
            messageSize: Int64(facts.size),
            attachments: facts.attachments,
            details: details,
            submissionTime: submissionTime,
            reason: reason
        )
    }

    /// What the first record of a message says of it: read from its spool file, whose content must be
    /// what was accepted (else the parts are left out and the log says why).
    func facts(of message: SpooledContent, sender: String, content: ContentFacts? = nil) -> MessageFacts {
        var facts = MessageFacts(sha256: message.sha256, size: message.size, sender: sender)
        if let content {
            // Read at ingress from the octets the digest was taken over: nothing to read back.
            facts.messageID = content.messageID
            facts.subject = content.subject
            facts.attachments = content.parts.map {
                EvidenceRecord.Attachment(
                    name: $0.name,
                    contentType: $0.contentType,
                    size: Int64($0.size),
                    sha256: $0.sha256
                )
            }
            self.remember(facts, of: message.queueID)
            return facts
        }
        do {
            guard let queued = try self.spool.database.message(id: message.queueID) else {
                self.logger.warning("message gone before its evidence", metadata: ["queue_id": "\(message.queueID)"])
                return facts
            }
            let read = try MessageFacts.read(queued, spool: self.spool, sender: sender)
            if read.sha256 == message.sha256 {
                facts = read
            } else {
                self.logger.error(
                    "spool file does not match the digest taken at reception; its parts are left out of the evidence",
                    metadata: ["queue_id": "\(message.queueID)"]
                )
            }
        } catch {
            self.logger.error(
                "cannot read a message for its evidence",
                metadata: ["queue_id": "\(message.queueID)", "error": "\(error)"]
            )
        }
        self.remember(facts, of: message.queueID)
        return facts
    }

    private func remember(_ facts: MessageFacts, of queueID: String) {
        self.messages.withLock { cache in
            if cache.count >= 10_000 { cache.removeAll(keepingCapacity: true) }
            cache[queueID] = facts
        }
    }

    /// What later records say of a message: what its first record says (signed, never re-read from
    /// the spool or the queue), remembered since it was written or read back from the log.
    func loggedFacts(queueID: String) -> MessageFacts {
        if let known = self.messages.withLock({ $0[queueID] }) { return known }
        do {
            if let first = try self.log.store.records(queueID: queueID).first {
                let facts = MessageFacts(try EvidenceRecord(json: try CanonicalJSON(parsing: first.body)))
                self.messages.withLock { $0[queueID] = facts }
                return facts
            }
            self.logger.warning("no first record for a message's later evidence", metadata: ["queue_id": "\(queueID)"])
        } catch {
            self.logger.error(
                "cannot read a message's first record",
                metadata: ["queue_id": "\(queueID)", "error": "\(error)"]
            )
        }
        return MessageFacts(sha256: "", size: 0)
    }
}

/// The built-in TSA, signing on the evidence worker's thread.
struct WorkerTimeStamping: TimeStamping {
    let authority: TimeStampAuthority
    let worker: NIOThreadPool

    func timeStamp(digest: [UInt8]) async throws -> [UInt8] {
        try await self.worker.runIfActive { try self.authority.token(for: digest) }
    }
}
