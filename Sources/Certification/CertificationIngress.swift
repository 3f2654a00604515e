//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
public import Logging
import MailMessage
import Metrics
public import NIOPosix
public import SMTPCore
public import Spool

/// What became of a mail the certification took at the end of DATA.
public enum IngressOutcome: Sendable {
    /// Durable (queued, or its effect recorded): the client may hear `250`.
    case accepted
    /// Refused for good with this reply and reason; nothing kept but the SubmissionRejection record.
    case rejected(Refusal)
    /// Not taken now (a `4xx`: try again later); nothing recorded.
    case refused(Reply)
    /// Not durable: the client keeps the mail and tries again (`451`).
    case failed(any Error)
}

/// The end of DATA for mail that concerns the certification: mail to a certifier address is
/// admitted (``CertificationGate``) and committed with its charge, or refused with a record; mail to
/// a `bounces+TOKEN@` return path is read as a bounce of a certified copy.
public struct CertificationIngress: Sendable {
    public let gate: CertificationGate
    public let spool: Spool
    /// Reads spilled messages (a file of up to 20 MB) off the cooperative pool.
    public let threadPool: NIOThreadPool
    public let logger: Logger

    public init(gate: CertificationGate, spool: Spool, threadPool: NIOThreadPool, logger: Logger) {
        self.gate = gate
        self.spool = spool
        self.threadPool = threadPool
        self.logger = logger
    }

    var settings: CertificationSettings { self.gate.settings }

    /// Whether the mail is the certification's: a certifier address among its recipients, or only
    /// `bounces+TOKEN@` return paths (a bounce that also goes to postmaster is queued as it is).
    public func handles(_ envelope: Envelope) -> Bool {
        envelope.recipients.contains { $0.kind == .certifier }
            || envelope.recipients.allSatisfy {
                $0.kind == .system && self.settings.token(inBounceAddress: $0.forwardPath.address) != nil
            }
    }

    /// Admits and commits a mail to the certifier. `idempotency` (an API call's key) is taken in the
    /// commit's transaction; a key taken before fails the commit with ``IdempotencyKeyUsed``.
    public func commit(
        _ message: SealedMessage,
        envelope: Envelope,
        metadata: ReceptionMetadata,
        idempotency: IdempotencyClaim? = nil,
        document: OpenumDocument? = nil,
        completion: @escaping @Sendable (IngressOutcome) -> Void
    ) {
        Task {
            let content: [UInt8]
            do {
                content = try await message.receivedContent(readingFilesOn: self.threadPool)
            } catch {
                message.refuse()
                return completion(.failed(error))
            }
            if !CertificationGate.isCertifierMail(envelope) {
                message.refuse()
                return completion(self.recordBounce(content, envelope: envelope, metadata: metadata))
            }
            switch await self.gate.admit(
                content: content,
                parsed: message.parsed,
                envelope: envelope,
                metadata: metadata
            ) {
            case .plain:
                self.spool.commit(message, envelope: envelope, metadata: metadata) { result in
                    switch result {
                    case .success: completion(.accepted)
                    case .failure(let error): completion(.failed(error))
                    }
                }
            case .certified(let admitted):
                var priced = admitted
                var document = document
                var committed = message
                if document == nil, self.settings.openumAddresses.contains(admitted.certifier) {
                    // A mail to an Openum address: its attachment goes behind a link.
                    guard
                        let request = self.openumRequest(
                            mail: content,
                            admitted: admitted,
                            envelope: envelope,
                            metadata: metadata,
                            queueID: message.queueID
                        )
                    else {
                        return completion(
                            self.refuse(
                                Refusal(
                                    reason: .noDocument,
                                    reply: CertificationRules.noDocument(),
                                    account: admitted.account,
                                    headerFrom: admitted.senderAddress
                                ),
                                message: message,
                                content: content,
                                envelope: envelope,
                                metadata: metadata
                            )
                        )
                    }
                    do {
                        let (invitation, facts) = try await self.openumInvitation(request)
                        message.refuse()  // the invitation is committed in its place
                        committed = invitation
                        document = facts
                    } catch {
                        message.refuse()
                        return completion(.failed(error))
                    }
                }
                if let document {
                    // Openum: the recipients get a link; the price is the document's.
                    priced.mode = .openum
                    priced.document = document
                    priced.unitsPerRecipient = CertificationRules.unitsPerRecipient(
                        size: document.size + content.count,
                        unitSize: self.settings.unitSize
                    )
                    priced.units = priced.unitsPerRecipient * priced.recipients.count
                }
                let submission = priced
                let openumDocument = document
                self.spool.commit(
                    committed,
                    envelope: envelope,
                    metadata: metadata,
                    certification: submission,
                    idempotency: idempotency
                ) { result in
                    switch result {
                    case .success:
                        if openumDocument != nil { Counter(label: "fefaent_openum_documents_total").increment() }
                        Counter(label: "fefaent_accepted_total").increment()
                        Counter(label: "fefaent_certified_total").increment()
                        Counter(label: "fefaent_units_charged_total").increment(by: submission.units)
                        completion(.accepted)
                    case .failure(let refusal as InsufficientUnits):
                        if openumDocument != nil { self.spool.discardOpenumDocument(queueID: message.queueID) }
                        let reply = CertificationRules.insufficientUnits(
                            refusal,
                            recipients: submission.recipients.count,
                            perRecipient: submission.unitsPerRecipient
                        )
                        completion(
                            self.refuse(
                                Refusal(
                                    reason: .insufficientUnits,
                                    reply: reply,
                                    account: submission.account,
                                    headerFrom: submission.senderAddress
                                ),
                                message: message,
                                content: content,
                                envelope: envelope,
                                metadata: metadata,
                                alreadyDropped: true
                            )
                        )
                    case .failure(let error):
                        if openumDocument != nil { self.spool.discardOpenumDocument(queueID: message.queueID) }
                        completion(.failed(error))
                    }
                }
            case .refused(let refusal):
                completion(
                    self.refuse(refusal, message: message, content: content, envelope: envelope, metadata: metadata)
                )
            case .unavailable(let reply):
                message.refuse()
                self.logger.warning(
                    "certification deferred",
                    metadata: ["queue_id": "\(message.queueID)", "reply": "\(ReplyFacts(reply))"]
                )
                completion(.refused(reply))
            }
        }
    }

    /// Drops the mail and writes its SubmissionRejection record.
    func refuse(
        _ refusal: Refusal,
        message: SealedMessage,
        content: [UInt8],
        envelope: Envelope,
        metadata: ReceptionMetadata,
        alreadyDropped: Bool = false
    ) -> IngressOutcome {
        if !alreadyDropped { message.refuse() }
        let event = SubmissionRejected(
            queueID: message.queueID,
            rejectedAt: Date(),
            envelopeSender: envelope.reversePath.address,
            envelopeRecipients: envelope.recipients.map(\.forwardPath.address),
            headerFrom: refusal.headerFrom,
            account: refusal.account,
            reason: refusal.reason,
            reply: ReplyFacts(refusal.reply),
            messageSHA256: message.sha256,
            messageSize: message.size,
            session: Self.session(envelope: envelope, metadata: metadata)
        )
        if self.spool.attestsEvents {
            do {
                try self.spool.database.attest(.submissionRejected(event))
            } catch {
                // Without its record the refusal would be unattested: the client tries again later.
                self.logger.error("cannot record a refusal", metadata: ["error": "\(error)"])
                return .failed(error)
            }
        }
        self.logger.notice(
            "certification refused",
            metadata: [
                "queue_id": "\(message.queueID)", "reason": "\(refusal.reason.rawValue)",
                "from": "\(refusal.headerFrom ?? "")", "reply": "\(ReplyFacts(refusal.reply))"
            ]
        )
        return .rejected(refusal)
    }

    /// A bounce to `bounces+TOKEN@`: a permanent failure after delivery supersedes the delivery.
    func recordBounce(_ content: [UInt8], envelope: Envelope, metadata: ReceptionMetadata) -> IngressOutcome {
        guard let report = BounceReport.parse(content), report.isPermanentFailure else {
            self.logger.info(
                "bounce without a permanent failure ignored",
                metadata: ["client": "\(metadata.clientAddress)"]
            )
            return .accepted
        }
        let failed = report.recipients.first(where: \.isPermanentFailure)!
        let enhanced = failed.status.isEmpty ? nil : failed.status
        let code = Int(failed.diagnostic?.split(separator: " ").first ?? "") ?? 550
        let reply = ReplyFacts(
            code: (500...599).contains(code) ? code : 550,
            enhancedCode: enhanced,
            text: "bounce received from \(report.reportingMTA ?? metadata.clientAddress): "
                + (failed.diagnostic ?? "status \(failed.status)")
        )
        let digest = Hex.encode(SHA256.hash(data: content))
        for recipient in envelope.recipients {
            guard let token = self.settings.token(inBounceAddress: recipient.forwardPath.address) else { continue }
            do {
                let event = try self.spool.database.recordLateBounce(token: token) { copy, delivery, submittedAt in
                    RelayOutcome(
                        queueID: copy.queueID,
                        recipient: copy.address,
                        recipientRowID: copy.rowID,
                        result: .failed,
                        failureReason: .bouncedAfterDelivery,
                        reply: reply,
                        remoteHost: failed.remoteMTA ?? report.reportingMTA,
                        remoteIP: metadata.clientAddress,
                        tls: metadata.tls.map { TLSFacts(version: $0, peerCertificateVerified: false) },
                        attempts: 1,
                        submittedAt: submittedAt,
                        finishedAt: Date(),
                        supersedes: delivery
                    )
                }
                self.logger.notice(
                    event == nil ? "bounce for no delivered copy ignored" : "late bounce recorded",
                    metadata: ["token": "\(token.prefix(6))…", "bounce_sha256": "\(digest)"]
                )
            } catch {
                return .failed(error)
            }
        }
        return .accepted
    }

    static func session(envelope: Envelope, metadata: ReceptionMetadata) -> SessionFacts {
        SessionFacts(
            clientAddress: metadata.clientAddress,
            heloName: envelope.heloName,
            listener: metadata.listener,
            protocolName: envelope.protocolName,
            tls: metadata.tls.map { TLSFacts(version: $0, peerCertificateVerified: false) },
            authenticatedAs: envelope.authenticatedUser,
            clientInTrustedNetwork: metadata.clientIsTrusted
        )
    }
}
