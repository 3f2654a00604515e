//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import MailMessage
import NIOCore
import NIOPosix
public import SMTPCore
public import Spool

/// A certified mail asked for over the HTTP API: what the caller wrote and who called.
public struct APISubmission: Sendable {
    public var from: Mailbox
    public var fromName: String?
    public var to: [Mailbox]
    public var cc: [Mailbox]
    public var replyTo: Mailbox?
    public var subject: String
    public var text: String?
    public var html: String?
    public var attachments: [MessageDraft.Attachment]
    /// The account the API key belongs to, and the key's public id.
    public var account: String
    public var keyID: String
    public var clientAddress: String
    /// TLS as negotiated on the HTTP listener (`TLSv1.3`), `nil` for plain HTTP.
    public var tls: String?
    public var idempotency: IdempotencyClaim?
    /// Openum: the document the recipients get a link to (the attachments are then not used).
    public var document: MessageDraft.Attachment? = nil
    public var documentExpiresAt: Date? = nil
    public var documentReminderAt: Date? = nil

    public init(
        from: Mailbox,
        fromName: String?,
        to: [Mailbox],
        cc: [Mailbox],
        replyTo: Mailbox?,
        subject: String,
        text: String?,
        html: String?,
        attachments: [MessageDraft.Attachment],
        account: String,
        keyID: String,
        clientAddress: String,
        tls: String?,
        idempotency: IdempotencyClaim?
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.account = account
        self.keyID = keyID
        self.clientAddress = clientAddress
        self.tls = tls
        self.idempotency = idempotency
    }

    /// Each recipient once (To before Cc), compared without case.
    var recipients: [Mailbox] {
        var seen: Set<String> = []
        return (self.to + self.cc).filter { seen.insert($0.address.lowercased()).inserted }
    }
}

extension CertificationIngress {
    /// Composes the mail, streams it into the spool as a session would, and admits it as an
    /// authenticated submission of the key's account with the certifier among its recipients: the
    /// gate, the charge, the record and the certified copies are those of SMTP. Returns the queue id
    /// and the outcome (`.accepted` once the commit is durable).
    public func submit(
        _ submission: APISubmission,
        now: Date = Date()
    ) async -> (queueID: String, outcome: IngressOutcome) {
        let queueID = QueueID.make(now: now)
        guard let certifier = self.settings.certifierAddresses.first, let certifierBox = Mailbox(parsing: certifier)
        else {
            return (queueID, .failed(APISubmissionError("no certifier address is configured")))
        }
        let epoch = Int64(now.timeIntervalSince1970)
        let received = ReceivedHeader(
            heloName: "api",
            clientAddress: submission.clientAddress,
            hostname: self.settings.hostname,
            protocolName: submission.tls == nil ? "HTTP" : "HTTPS",
            queueID: queueID,
            tls: submission.tls,
            recipient: nil,
            epochSeconds: epoch
        )
        let sealed: SealedMessage
        var document: OpenumDocument? = nil
        if let file = submission.document {
            // Openum: the document is stored on its own, durably, before the submission commits; the
            // mail the recipients get is the invitation with their link.
            do {
                (sealed, document) = try await self.openumInvitation(
                    OpenumRequest(
                        queueID: queueID,
                        received: received,
                        from: Address(displayName: submission.fromName, address: submission.from.address),
                        to: submission.to.map { Address(displayName: nil, address: $0.address) },
                        cc: submission.cc.map { Address(displayName: nil, address: $0.address) },
                        subject: submission.subject,
                        words: submission.text,
                        file: file,
                        account: submission.account,
                        expiresAt: submission.documentExpiresAt ?? now.addingTimeInterval(15 * 86_400),
                        reminderAt: submission.documentReminderAt
                    )
                )
            } catch {
                return (queueID, .failed(error))
            }
        } else {
            let draft = MessageDraft(
                from: Address(displayName: submission.fromName, address: submission.from.address),
                to: submission.to.map { Address(displayName: nil, address: $0.address) },
                cc: submission.cc.map { Address(displayName: nil, address: $0.address) },
                replyTo: submission.replyTo.map { Address(displayName: nil, address: $0.address) },
                subject: submission.subject,
                text: submission.text,
                html: submission.html,
                attachments: submission.attachments,
                messageID: "\(queueID.lowercased()).api@\(self.settings.domain)",
                date: RFC5322Date.format(epochSeconds: epoch)
            )
            var incoming = self.spool.beginMessage(queueID: queueID, header: ByteBuffer(string: received.encoded))
            do {
                // Large attachments spill to the message's own file while they are written.
                try MessageComposer.compose(draft, boundarySeed: TrackingToken.make()) { piece in
                    try incoming.append(ByteBuffer(bytes: piece))
                }
                sealed = try incoming.seal()
            } catch {
                incoming.abort()
                return (queueID, .failed(error))
            }
        }
        let everyone = submission.recipients
        let envelope = Envelope(
            reversePath: .mailbox(submission.from),
            mailParameters: MailParameters(
                smtpUTF8: (everyone + [submission.from]).contains(where: \.isInternationalized)
            ),
            recipients: everyone.map {
                AcceptedRecipient(forwardPath: .mailbox($0), parameters: RcptParameters(), kind: .relay)
            } + [
                AcceptedRecipient(forwardPath: .mailbox(certifierBox), parameters: RcptParameters(), kind: .certifier)
            ],
            heloName: "api",
            protocolName: received.protocolName,
            authenticatedUser: submission.account,
            chunked: false
        )
        var metadata = ReceptionMetadata(
            receivedAt: now,
            clientAddress: submission.clientAddress,
            listener: "api",
            tls: submission.tls
        )
        metadata.apiKeyID = submission.keyID
        let outcome = await withCheckedContinuation { continuation in
            self.commit(
                sealed,
                envelope: envelope,
                metadata: metadata,
                idempotency: submission.idempotency,
                document: document
            ) {
                continuation.resume(returning: $0)
            }
        }
        if document != nil, case .accepted = outcome {
        } else if document != nil {
            self.spool.discardOpenumDocument(queueID: queueID)
        }
        return (queueID, outcome)
    }
}

/// The API cannot submit at all (the configuration lacks what a certified mail needs).
public struct APISubmissionError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
