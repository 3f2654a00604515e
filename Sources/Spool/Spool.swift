//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import Logging
public import MailMessage
public import NIOCore
public import SMTPCore

/// The durable store of accepted mail: message files plus the queue database.
///
/// A session asks for an ``IncomingMessage`` when DATA or BDAT begins, streams the content into it,
/// seals it and calls ``commit(_:envelope:metadata:completion:)``. The completion runs once the
/// octets and the queue rows are on disk; that is when the client may hear `250`.
public final class Spool: Sendable {
    public let layout: SpoolLayout
    public let database: SpoolDatabase
    /// Messages larger than this go to a file of their own while they arrive.
    public let spillThreshold: Int
    private let committer: GroupCommitter
    private let logger: Logger
    private let lockDescriptor: Int32
    /// Whether accepted messages are attested (an outbox row per message, for the evidence writer).
    public let attestsEvents: Bool
    /// The MIME limits every incoming message is parsed with (nesting depth, header block size).
    public let parserOptions: MessageParser.Options
    /// Rung when committed messages have recipients to deliver: the queue runner waits on it.
    public let arrivals = Doorbell()

    /// Opens the spool at `directory`, creating it if needed, and brings files and queue into agreement
    /// (see ``SpoolRecovery``).
    public init(
        directory: String,
        spillThreshold: Int = 1024 * 1024,
        segmentLimit: Int = 64 * 1024 * 1024,
        attestsEvents: Bool = false,
        parserOptions: MessageParser.Options = MessageParser.Options(),
        logger: Logger = Logger(label: "fefaent.spool")
    ) throws {
        self.attestsEvents = attestsEvents
        self.parserOptions = parserOptions
        self.layout = SpoolLayout(root: directory)
        try self.layout.create()
        // Like Postfix's master.lock: two daemons on one spool would delete each other's files at start-up.
        guard let lock = try POSIX.lockExclusively(self.layout.path(SpoolLayout.lockFile)) else {
            throw SpoolInUse(path: directory)
        }
        self.lockDescriptor = lock
        self.database = try SpoolDatabase.open(path: self.layout.path(SpoolLayout.databaseFile))
        self.spillThreshold = spillThreshold
        self.logger = logger
        let report = try SpoolRecovery(layout: self.layout, database: self.database).run()
        if !report.isEmpty {
            logger.notice(
                "spool recovered",
                metadata: [
                    "removed_temporary": "\(report.removedTemporaryFiles)",
                    "removed_orphans": "\(report.removedOrphanFiles)",
                    "missing": "\(report.missingMessages)"
                ]
            )
        }
        for id in report.missingMessages {
            logger.error("queued message has no file; marked missing", metadata: ["queue_id": "\(id)"])
        }
        self.committer = GroupCommitter(
            layout: self.layout,
            database: self.database,
            segmentLimit: segmentLimit,
            arrivals: self.arrivals,
            logger: logger
        )
    }

    /// Starts a message; `header` (the Received field) is stored in front of the content.
    public func beginMessage(queueID: String, header: ByteBuffer) -> IncomingMessage {
        IncomingMessage(
            queueID: queueID,
            header: header,
            temporaryPath: self.layout.path(SpoolLayout.temporaryFolder + "/" + queueID),
            spillThreshold: self.spillThreshold,
            parserOptions: self.parserOptions
        )
    }

    /// Makes the message and its queue rows durable, with the outbox row that attests its acceptance
    /// (when the spool attests events), then calls `completion` (on the committer's thread).
    ///
    /// `attestation` replaces the default SubmissionAccepted event (Fefaent's own notices say what
    /// they are about); it gets the message's queue id and digest.
    public func commit(
        _ message: SealedMessage,
        envelope: Envelope,
        metadata: ReceptionMetadata,
        attestation: (@Sendable (SpooledContent) -> AttestedEvent)? = nil,
        certification: CertifiedSubmission? = nil,
        reception: ReceptionDelivery? = nil,
        idempotency: IdempotencyClaim? = nil,
        completion: @escaping @Sendable (Result<Void, any Error>) -> Void
    ) {
        // Whole milliseconds: the queue row and the attested event must say the same time.
        var metadata = metadata
        metadata.receivedAt = Date(
            timeIntervalSince1970: (metadata.receivedAt.timeIntervalSince1970 * 1000).rounded(.down) / 1000
        )
        var record = QueuedMessage(
            id: message.queueID,
            receivedAt: metadata.receivedAt,
            sender: envelope.reversePath.address,
            size: message.size,
            sha256: message.sha256,
            headerLength: message.headerLength,
            storage: .segment,
            path: "",
            offset: 0,
            length: message.headerLength + message.size,
            helo: envelope.heloName,
            clientAddress: metadata.clientAddress,
            listener: metadata.listener,
            protocolName: envelope.protocolName,
            authUser: envelope.authenticatedUser,
            tls: metadata.tls,
            body: Self.bodyType(declared: envelope.mailParameters.body, message: message)?.rawValue,
            smtputf8: envelope.mailParameters.smtpUTF8,
            dsnRet: envelope.mailParameters.dsnReturn?.rawValue,
            dsnEnvid: envelope.mailParameters.envelopeID,
            state: .queued
        )
        var recipients = envelope.recipients.map { recipient in
            QueuedRecipient(
                id: nil,
                messageId: message.queueID,
                address: recipient.forwardPath.address,
                kind: recipient.kind.rawValue,
                notify: recipient.parameters.notifyDescription,
                orcpt: recipient.parameters.originalRecipient.map { "\($0.addressType);\($0.address)" },
                state: .queued,
                attempts: 0,
                nextAttemptAt: metadata.receivedAt,
                lastReply: nil
            )
        }
        if let certification {
            // The certified recipients replace the envelope's: the certifier addresses receive nothing.
            recipients = certification.recipients.map { recipient in
                QueuedRecipient(
                    id: nil,
                    messageId: message.queueID,
                    address: recipient.address,
                    kind: RecipientKind.certified.rawValue,
                    notify: nil,
                    orcpt: nil,
                    state: .queued,
                    attempts: 0,
                    nextAttemptAt: metadata.receivedAt,
                    lastReply: nil,
                    token: recipient.token
                )
            }
        }
        var reception = reception
        if reception != nil {
            for index in reception!.copies.indices {
                reception!.copies[index].fileName = Maildir.fileName(
                    queueID: message.queueID,
                    copy: index,
                    hostname: reception!.hostname,
                    now: metadata.receivedAt
                )
            }
        }
        if let reception {
            // A mailbox's copy is stored before the `250`: its row says delivered. Onward copies queue.
            for index in recipients.indices where recipients[index].kind == RecipientKind.reception.rawValue {
                recipients[index].state = .delivered
            }
            let named = Set(recipients.map { $0.address.lowercased() })
            for forward in Set(reception.copies.compactMap(\.mailbox.forwardTo)).sorted()
            where !named.contains(forward.lowercased()) {
                recipients.append(
                    QueuedRecipient(
                        id: nil,
                        messageId: message.queueID,
                        address: forward,
                        kind: RecipientKind.relay.rawValue,
                        notify: nil,
                        orcpt: nil,
                        state: .queued,
                        attempts: 0,
                        nextAttemptAt: metadata.receivedAt,
                        lastReply: nil
                    )
                )
            }
        }
        if reception != nil, recipients.allSatisfy({ $0.state == .delivered }) {
            record.state = .done  // stored in its mailboxes, nothing to deliver: not in the queue
        }
        let content = SpooledContent(queueID: message.queueID, sha256: message.sha256, size: message.size)
        let event =
            self.attestsEvents
            ? EncodedEvent(
                attestation?(content)
                    ?? .submissionAccepted(
                        {
                            var accepted = SubmissionAccepted(
                                content,
                                envelope: envelope,
                                metadata: metadata,
                                certification: certification,
                                reception: reception?.facts
                            )
                            accepted.content = ContentFacts(message.parsed)
                            return accepted
                        }()
                    ),
                evidenceID: reception?.evidenceID ?? EvidenceID.make()
            ) : nil
        self.committer.submit(
            GroupCommitter.Pending(
                message: message,
                record: record,
                recipients: recipients,
                event: event,
                certification: certification,
                reception: reception,
                idempotency: idempotency,
                completion: completion
            )
        )
    }

    /// Queues a message Fefaent wrote itself (a delivery status notification): durable like any
    /// other before this returns, attested by the event `attestation` makes of it.
    public func enqueueLocal(
        _ content: [UInt8],
        envelope: Envelope,
        now: Date = Date(),
        attestation: (@Sendable (SpooledContent) -> AttestedEvent)? = nil
    ) async throws -> String {
        let queueID = QueueID.make(now: now)
        var message = self.beginMessage(queueID: queueID, header: ByteBuffer())
        try message.append(ByteBuffer(bytes: content))
        let sealed = try message.seal()
        let metadata = ReceptionMetadata(receivedAt: now, clientAddress: "127.0.0.1", listener: "local", tls: nil)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            self.commit(sealed, envelope: envelope, metadata: metadata, attestation: attestation) {
                continuation.resume(with: $0)
            }
        }
        return queueID
    }

    /// Stores again the Maildir copies of received mail that were not confirmed stored (a crash
    /// between the commit and the rename, a Maildir that could not be written): a copy already in
    /// `new/` or `cur/` is only marked. Returns how many copies were written.
    @discardableResult
    public func storeUnstoredReceptions() throws -> Int {
        var written = 0
        var done: [Int64] = []
        for entry in try self.database.unstoredReceptions() {
            guard let file = entry.maildirFile, let slash = file.range(of: "/new/", options: .backwards) else {
                done.append(entry.id)
                continue
            }
            let maildir = Maildir(path: String(file[..<slash.lowerBound]))
            let name = String(file[slash.upperBound...])
            if !maildir.holds(name: name) {
                guard let message = try self.database.message(id: entry.messageId),
                    let header = try self.database.storedHeader(receptionID: entry.id)
                else { continue }
                let source = MaildirSource.file(
                    path: self.layout.path(message.path),
                    offset: message.offset,
                    length: message.length
                )
                do {
                    try maildir.deliver(name: name, header: header, source: source)
                    try maildir.syncNew()
                    written += 1
                } catch {
                    self.logger.error(
                        "cannot store a received mail in its Maildir",
                        metadata: ["queue_id": "\(entry.messageId)", "error": "\(error)"]
                    )
                    continue
                }
            }
            done.append(entry.id)
        }
        try self.database.markStored(receptionIDs: done)
        return written
    }

    /// The stored octets of a message: the Received header Fefaent added, then the message as sent.
    public func contents(of message: QueuedMessage) throws -> [UInt8] {
        try self.layout.contents(of: message)
    }

    /// The body type the content needs onward: what the client declared, or `8BITMIME` when it said
    /// nothing (or `7BIT`) and sent 8-bit octets anyway (as Postfix's cleanup notes 8-bit content),
    /// found while the message streamed in so that delivery never scans it.
    static func bodyType(declared: BodyType?, message: SealedMessage) -> BodyType? {
        guard message.hasEightBitOctets, declared == nil || declared == .sevenBit else { return declared }
        return .eightBitMIME
    }

    /// Stops the committer after the batches already submitted are written.
    public func close() throws {
        try self.committer.shutdown()
        POSIX.close(self.lockDescriptor)
    }
}

/// Another process (another `fefaent serve`) holds the spool.
public struct SpoolInUse: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "the spool \(self.path) is in use by another fefaent process" }
}

/// How a message reached the server, stored with it.
public struct ReceptionMetadata: Hashable, Sendable {
    public var receivedAt: Date
    public var clientAddress: String
    /// The listener's name from the config (`mx`, `submission`, `submissions`).
    public var listener: String
    /// TLS as negotiated, e.g. `TLSv1.3`; `nil` for plaintext.
    public var tls: String?
    /// Whether the client's address is in the trusted networks.
    public var clientIsTrusted: Bool
    /// The API key (its public id) that authenticated an HTTP API call; `nil` for SMTP.
    public var apiKeyID: String? = nil

    public init(receivedAt: Date, clientAddress: String, listener: String, tls: String?, clientIsTrusted: Bool = false)
    {
        self.receivedAt = receivedAt
        self.clientAddress = clientAddress
        self.listener = listener
        self.tls = tls
        self.clientIsTrusted = clientIsTrusted
    }
}
