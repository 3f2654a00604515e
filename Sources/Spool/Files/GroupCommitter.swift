//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Logging
import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Makes received messages durable in batches: one `fdatasync` and one SQLite transaction for all
/// the messages that arrived while the previous batch was being written.
///
/// Concurrent sessions thus share their flushes (group commit): with 20 sessions a batch holds up
/// to 20 messages and the disk sees one sync of the segment file and one of the WAL for all of them.
/// A session's completion is called only after both syncs returned, and only then does the client
/// get its `250`.
final class GroupCommitter: Sendable {
    struct Pending: Sendable {
        var message: SealedMessage
        var record: QueuedMessage
        var recipients: [QueuedRecipient]
        /// What the evidence will attest, written in the same transaction as the rows.
        var event: EncodedEvent?
        /// A certified mail's charge and `certified_message` row; its recipients carry their tokens.
        var certification: CertifiedSubmission?
        /// A mail to reception mailboxes: its charge, rows and Maildir copies.
        var reception: ReceptionDelivery?
        /// An API call's idempotency key, taken with the message.
        var idempotency: IdempotencyClaim? = nil
        var completion: @Sendable (Result<Void, any Error>) -> Void
    }

    private struct Queue {
        var pending: [Pending] = []
        var running = false
    }

    /// The segment file small messages are appended to; only the draining thread touches it.
    private struct Segment {
        var fd: Int32
        var name: String
        var size: Int
    }

    private let queue = NIOLockedValueBox(Queue())
    /// Messages whose Maildir copies were stored since the last transaction: the next one marks them.
    private let storedReceptions = NIOLockedValueBox<[String]>([])
    private let segment = NIOLockedValueBox<Segment?>(nil)
    private let threadPool: NIOThreadPool
    private let layout: SpoolLayout
    private let database: SpoolDatabase
    private let segmentLimit: Int
    private let logger: Logger
    /// Rung after a batch that queued recipients for delivery.
    private let arrivals: Doorbell

    init(layout: SpoolLayout, database: SpoolDatabase, segmentLimit: Int, arrivals: Doorbell, logger: Logger) {
        self.arrivals = arrivals
        self.layout = layout
        self.database = database
        self.segmentLimit = segmentLimit
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: 1)
        self.threadPool.start()
    }

    func submit(_ pending: Pending) {
        let startDraining = self.queue.withLockedValue { queue -> Bool in
            queue.pending.append(pending)
            guard !queue.running else { return false }
            queue.running = true
            return true
        }
        if startDraining {
            self.threadPool.submit { _ in self.drain() }
        }
    }

    func shutdown() throws {
        try self.threadPool.syncShutdownGracefully()
        let stored = self.storedReceptions.withLockedValue { $0 }
        if !stored.isEmpty {
            _ = try self.database.insert([], storedReceptions: stored)
        }
        self.segment.withLockedValue { segment in
            if let fd = segment?.fd { POSIX.close(fd) }
            segment = nil
        }
    }

    private func drain() {
        while true {
            let batch = self.queue.withLockedValue { queue -> [Pending] in
                let batch = queue.pending
                queue.pending.removeAll(keepingCapacity: true)
                if batch.isEmpty { queue.running = false }
                return batch
            }
            if batch.isEmpty { return }
            let refusals: [(any Error)?]
            do {
                refusals = try self.commit(batch)
            } catch {
                self.logger.error("spool commit failed", metadata: ["error": "\(error)", "batch": "\(batch.count)"])
                for pending in batch { pending.completion(.failure(error)) }
                continue
            }
            // Only recipients the queue runner delivers (relay and certified copies) wake it: mail to
            // a certifier address or a mailbox is not its work.
            let queued = zip(batch, refusals).contains { pending, refusal in
                refusal == nil && pending.recipients.contains(where: \.isDeliverable)
            }
            if queued { self.arrivals.ring() }
            for (pending, refusal) in zip(batch, refusals) {
                pending.completion(refusal.map { .failure($0) } ?? .success(()))
            }
        }
    }

    /// Writes the batch; returns, per message, why it was refused (a certified mail the balance does
    /// not cover: its octets stay as unreferenced bytes of a segment, or its file is removed).
    private func commit(_ batch: [Pending]) throws -> [(any Error)?] {
        var rows: [SpoolDatabase.NewMessage] = []
        var movedFiles: [String] = []
        // Messages before this index had their descriptors closed already.
        var started = 0
        do {
            var appendedToSegment = false
            var movedAny = false
            for pending in batch {
                started += 1
                var record = pending.record
                switch pending.message.content {
                case .memory(let bytes):
                    let (name, offset) = try self.append(bytes)
                    record.storage = .segment
                    record.path = SpoolLayout.segmentFolder + "/" + name
                    record.offset = offset
                    appendedToSegment = true
                case .file(let fd, let temporaryPath):
                    defer { POSIX.close(fd) }
                    try POSIX.fsync(fd, path: temporaryPath)
                    let relative = SpoolLayout.messageFolder + "/" + record.id
                    try POSIX.rename(temporaryPath, self.layout.path(relative))
                    movedFiles.append(self.layout.path(relative))
                    record.storage = .file
                    record.path = relative
                    record.offset = 0
                    movedAny = true
                }
                rows.append(
                    SpoolDatabase.NewMessage(
                        message: record,
                        recipients: pending.recipients,
                        event: pending.event,
                        certification: pending.certification,
                        reception: pending.reception,
                        idempotency: pending.idempotency
                    )
                )
            }
            if appendedToSegment {
                try self.segment.withLockedValue { segment in
                    guard let current = segment else { return }
                    try POSIX.fdatasync(current.fd, path: current.name)
                }
            }
            if movedAny {
                try POSIX.syncDirectory(self.layout.path(SpoolLayout.messageFolder))
            }
            let results = try self.database.insert(rows, storedReceptions: self.storedReceptions.withLockedValue { $0 })
            self.storedReceptions.withLockedValue { $0 = [] }
            var refusals: [(any Error)?] = []
            var copies: [MaildirJob] = []
            for (index, (row, result)) in zip(rows, results).enumerated() {
                switch result {
                case .refused(let refusal):
                    if row.message.storage == .file { POSIX.unlink(self.layout.path(row.message.path)) }
                    refusals.append(refusal)
                case .inserted(let certification):
                    refusals.append(nil)
                    copies += self.maildirJobs(of: batch[index], row: row.message, certification: certification)
                }
            }
            self.store(copies)
            return refusals
        } catch {
            // Nothing of a failed batch may look queued: its rows were not written, its files go.
            movedFiles.forEach(POSIX.unlink)
            for (index, pending) in batch.enumerated() {
                pending.message.discard(closingDescriptor: index >= started)
            }
            self.closeSegment()
            throw error
        }
    }

    /// One Maildir copy to store after the commit.
    private struct MaildirJob {
        var maildir: String
        var name: String
        var header: [UInt8]
        var source: MaildirSource
        var queueID: String
    }

    /// The Maildir copies of a received mail the commit accepted.
    private func maildirJobs(
        of pending: Pending,
        row: QueuedMessage,
        certification: ReceptionCertification?
    ) -> [MaildirJob] {
        guard let reception = pending.reception, let certification else { return [] }
        let source: MaildirSource
        switch pending.message.content {
        case .memory(let bytes):
            source = .bytes(Array(bytes.readableBytesView))
        case .file:
            source = .file(path: self.layout.path(row.path), offset: row.offset, length: row.length)
        }
        return reception.copies.compactMap { copy in
            copy.mailbox.maildir.map { maildir in
                MaildirJob(
                    maildir: maildir,
                    name: copy.fileName,
                    header: reception.storedHeader(for: copy, certification: certification),
                    source: source,
                    queueID: row.id
                )
            }
        }
    }

    /// Stores the batch's copies in their Maildirs, each synced before its rename into `new/`: all
    /// written, then all synced, then all renamed (see ``Maildir/deliver(_:)``).
    ///
    /// The mail is durable in the spool already: a copy that cannot be stored now (a full disk, a
    /// Maildir made unwritable) is logged and stored again later (``Spool/storeUnstoredReceptions()``),
    /// so the client still hears `250`.
    private func store(_ jobs: [MaildirJob]) {
        guard !jobs.isEmpty else { return }
        let failures = Maildir.deliver(
            jobs.map {
                Maildir.Delivery(
                    maildir: Maildir(path: $0.maildir),
                    name: $0.name,
                    header: $0.header,
                    source: $0.source
                )
            }
        )
        var unstored: Set<String> = []
        for (index, error) in failures {
            unstored.insert(jobs[index].queueID)
            self.logger.error(
                "cannot store a received mail in its Maildir; it stays in the spool and is stored again later",
                metadata: ["queue_id": "\(jobs[index].queueID)", "error": "\(error)"]
            )
        }
        // One sync of each `new/` renamed into; a mail counts as stored once all its copies' are.
        for folder in Set(jobs.lazy.filter { !unstored.contains($0.queueID) }.map(\.maildir)) {
            do {
                try Maildir(path: folder).syncNew()
            } catch {
                unstored.formUnion(jobs.lazy.filter { $0.maildir == folder }.map(\.queueID))
                self.logger.error("cannot sync a Maildir", metadata: ["maildir": "\(folder)", "error": "\(error)"])
            }
        }
        let stored = Set(jobs.map(\.queueID)).subtracting(unstored)
        self.storedReceptions.withLockedValue { $0 += stored }
    }

    /// Appends to the current segment, opening a new one when there is none or it is full.
    private func append(_ bytes: ByteBuffer) throws -> (name: String, offset: Int) {
        try self.segment.withLockedValue { segment in
            if segment == nil || segment!.size >= self.segmentLimit {
                if let full = segment {
                    // Octets appended to the full segment in this batch must be durable too.
                    try POSIX.fdatasync(full.fd, path: full.name)
                    POSIX.close(full.fd)
                }
                segment = nil
                let name = QueueID.make() + ".seg"
                let path = self.layout.path(SpoolLayout.segmentFolder + "/" + name)
                let fd = try POSIX.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_APPEND)
                try POSIX.syncDirectory(self.layout.path(SpoolLayout.segmentFolder))
                segment = Segment(fd: fd, name: name, size: 0)
            }
            let offset = segment!.size
            try bytes.withUnsafeReadableBytes { try POSIX.writeAll(segment!.fd, $0, path: segment!.name) }
            segment!.size += bytes.readableBytes
            return (segment!.name, offset)
        }
    }

    private func closeSegment() {
        self.segment.withLockedValue { segment in
            if let fd = segment?.fd { POSIX.close(fd) }
            segment = nil
        }
    }
}

import NIOCore
