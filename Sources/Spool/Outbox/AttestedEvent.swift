//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import SMTPCore

/// An event that evidence attests, as the facts the queue knows at the moment it happens.
///
/// Each event is written to the outbox in the same SQLite transaction as the state change it
/// attests (the spool commit before the `250`, a delivery outcome, a notice queued), and the
/// evidence writer turns it into a signed record later. Facts are typed (booleans and enums), never
/// encoded in strings for someone to search afterwards.
public enum AttestedEvent: Codable, Hashable, Sendable {
    /// A message was accepted and spooled (`250` after DATA follows this commit).
    case submissionAccepted(SubmissionAccepted)
    /// A recipient's delivery ended: the remote server accepted it, or it failed for good.
    case relayOutcome(RelayOutcome)
    /// Fefaent queued a mail of its own (a bounce, a delay notice, a certification notice) about another message.
    case noticeQueued(NoticeQueued)
    /// A mail to the certifier was refused at the end of DATA (nothing queued, nothing charged).
    case submissionRejected(SubmissionRejected)
    /// A certified copy's tracking pixel was fetched.
    case trackingFetched(TrackingFetched)
    /// An Openum link was used (the document handed over, or a fetch that is no access) or expired.
    case documentAccess(DocumentAccess)

    /// The queue id of the message the event is about.
    public var queueID: String {
        switch self {
        case .submissionAccepted(let event): return event.queueID
        case .relayOutcome(let event): return event.queueID
        case .noticeQueued(let event): return event.noticeQueueID
        case .submissionRejected(let event): return event.queueID
        case .trackingFetched(let event): return event.queueID
        case .documentAccess(let event): return event.queueID
        }
    }

    /// The event's name in the outbox's `kind` column (for people reading the table).
    var kindName: String {
        switch self {
        case .submissionAccepted: return "submissionAccepted"
        case .relayOutcome: return "relayOutcome"
        case .noticeQueued: return "noticeQueued"
        case .submissionRejected: return "submissionRejected"
        case .trackingFetched: return "trackingFetched"
        case .documentAccess: return "documentAccess"
        }
    }
}

/// TLS on a connection as it was negotiated.
public struct TLSFacts: Codable, Hashable, Sendable, CustomStringConvertible {
    /// `TLSv1.3`, `TLSv1.2`.
    public var version: String
    /// Whether the peer's certificate chain was verified against trusted roots and its name.
    public var peerCertificateVerified: Bool

    public init(version: String, peerCertificateVerified: Bool) {
        self.version = version
        self.peerCertificateVerified = peerCertificateVerified
    }

    /// As the queue shows it: `TLSv1.3, certificate verified`.
    public var description: String {
        "\(self.version), certificate \(self.peerCertificateVerified ? "verified" : "not verified")"
    }
}

/// The SMTP session that handed a message over.
public struct SessionFacts: Codable, Hashable, Sendable {
    public var clientAddress: String
    public var heloName: String
    /// The listener's name (`mx`, `submission`, `submissions`, or `local` for Fefaent's own mail).
    public var listener: String
    /// RFC 3848 protocol name (`ESMTPSA`…).
    public var protocolName: String
    public var tls: TLSFacts?
    /// The SMTP AUTH identity, when the client authenticated.
    public var authenticatedAs: String?
    /// Whether the client's address was in the trusted networks (`auth.trusted_networks`).
    public var clientInTrustedNetwork: Bool

    public init(
        clientAddress: String,
        heloName: String,
        listener: String,
        protocolName: String,
        tls: TLSFacts?,
        authenticatedAs: String?,
        clientInTrustedNetwork: Bool = false
    ) {
        self.clientInTrustedNetwork = clientInTrustedNetwork
        self.clientAddress = clientAddress
        self.heloName = heloName
        self.listener = listener
        self.protocolName = protocolName
        self.tls = tls
        self.authenticatedAs = authenticatedAs
    }
}

/// A message accepted and spooled.
public struct SubmissionAccepted: Codable, Hashable, Sendable {
    public struct Recipient: Codable, Hashable, Sendable {
        public var address: String
        public var kind: RecipientKind

        public init(address: String, kind: RecipientKind) {
            self.address = address
            self.kind = kind
        }
    }

    public var queueID: String
    public var receivedAt: Date
    /// The envelope sender (empty for `<>`).
    public var envelopeSender: String
    public var recipients: [Recipient]
    /// SHA-256 (hex) and size of the message as the client sent it.
    public var messageSHA256: String
    public var messageSize: Int
    public var session: SessionFacts
    /// What the certification decided, for a certified mail.
    public var certification: CertifiedSubmission?
    /// The mailboxes, the charge and the sender's authentication, for a mail to reception mailboxes.
    public var reception: ReceptionFacts?
    /// The message's own facts when the ingress parsed it (`nil`: the evidence writer reads them).
    public var content: ContentFacts? = nil

    public init(
        queueID: String,
        receivedAt: Date,
        envelopeSender: String,
        recipients: [Recipient],
        messageSHA256: String,
        messageSize: Int,
        session: SessionFacts,
        certification: CertifiedSubmission? = nil,
        reception: ReceptionFacts? = nil
    ) {
        self.certification = certification
        self.reception = reception
        self.queueID = queueID
        self.receivedAt = receivedAt
        self.envelopeSender = envelopeSender
        self.recipients = recipients
        self.messageSHA256 = messageSHA256
        self.messageSize = messageSize
        self.session = session
    }

    /// The acceptance of `message` as the spool commits it.
    init(
        _ message: SpooledContent,
        envelope: Envelope,
        metadata: ReceptionMetadata,
        certification: CertifiedSubmission? = nil,
        reception: ReceptionFacts? = nil
    ) {
        self.init(
            queueID: message.queueID,
            receivedAt: metadata.receivedAt,
            envelopeSender: envelope.reversePath.address,
            recipients: envelope.recipients.map { .init(address: $0.forwardPath.address, kind: $0.kind) },
            messageSHA256: message.sha256,
            messageSize: message.size,
            session: SessionFacts(
                clientAddress: metadata.clientAddress,
                heloName: envelope.heloName,
                listener: metadata.listener,
                protocolName: envelope.protocolName,
                // A client presents no certificate: its TLS says nothing about who it is.
                tls: metadata.tls.map { TLSFacts(version: $0, peerCertificateVerified: false) },
                authenticatedAs: envelope.authenticatedUser,
                clientInTrustedNetwork: metadata.clientIsTrusted
            ),
            certification: certification,
            reception: reception
        )
    }

    /// Whether every recipient is a certified-reception mailbox (then it is a reception, not a submission).
    public var isReception: Bool {
        !self.recipients.isEmpty && self.recipients.allSatisfy { $0.kind == .reception }
    }
}

/// An SMTP reply, as it was received or decided.
public struct ReplyFacts: Codable, Hashable, Sendable, CustomStringConvertible {
    public var code: Int
    /// RFC 3463 `class.subject.detail`, when the server gave one.
    public var enhancedCode: String?
    public var text: String

    public init(code: Int, enhancedCode: String?, text: String) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.text = text
    }

    /// The facts of a reply, its lines joined by spaces.
    public init(_ reply: Reply) {
        self.init(
            code: reply.code.rawValue,
            enhancedCode: reply.enhancedCode?.description,
            text: reply.lines.joined(separator: " ")
        )
    }

    /// As one line: `250 2.0.0 Ok: queued as X`.
    public var description: String {
        "\(self.code)" + (self.enhancedCode.map { " \($0)" } ?? "") + " " + self.text
    }
}

/// How a recipient's delivery ended.
public struct RelayOutcome: Codable, Hashable, Sendable {
    /// Delivered (the remote server accepted it) or failed for good.
    public enum Result: String, Codable, Hashable, Sendable {
        case delivered
        case failed
    }

    /// Why a delivery failed, in the terms of EN 319 522's event reasons.
    public enum FailureReason: String, Codable, Hashable, Sendable {
        /// The remote server refused the recipient or the message (5xx).
        case rejectedByRemoteServer
        /// The domain cannot receive mail (no such domain, null MX).
        case noRouteToDomain
        /// Every try failed until the queue lifetime ended.
        case expired
        /// The message needs something the remote server lacks (size, SMTPUTF8).
        case notSupportedByRemoteServer
        /// A bounce came back after the remote server had accepted the copy.
        case bouncedAfterDelivery
    }

    public var queueID: String
    public var recipient: String
    public var recipientRowID: Int64
    public var result: Result
    public var failureReason: FailureReason?
    /// The reply that decided it (the remote server's, or Fefaent's own for an expiry).
    public var reply: ReplyFacts
    public var remoteHost: String?
    public var remoteIP: String?
    public var tls: TLSFacts?
    public var attempts: Int
    /// When the message was accepted, and when this outcome was recorded.
    public var submittedAt: Date
    public var finishedAt: Date
    /// The evidence id of the delivery record a late bounce supersedes.
    public var supersedes: String?

    public init(
        queueID: String,
        recipient: String,
        recipientRowID: Int64,
        result: Result,
        failureReason: FailureReason?,
        reply: ReplyFacts,
        remoteHost: String?,
        remoteIP: String?,
        tls: TLSFacts?,
        attempts: Int,
        submittedAt: Date,
        finishedAt: Date,
        supersedes: String? = nil
    ) {
        self.supersedes = supersedes
        self.queueID = queueID
        self.recipient = recipient
        self.recipientRowID = recipientRowID
        self.result = result
        self.failureReason = failureReason
        self.reply = reply
        self.remoteHost = remoteHost
        self.remoteIP = remoteIP
        self.tls = tls
        self.attempts = attempts
        self.submittedAt = submittedAt
        self.finishedAt = finishedAt
    }
}

/// A mail Fefaent queued on its own about another message.
public struct NoticeQueued: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable {
        /// An RFC 3464 report that delivery failed.
        case deliveryFailureReport
        /// An RFC 3464 report that delivery is delayed.
        case delayReport
        /// A certified mail was accepted and is being processed.
        case processingNotice
        /// A recipient's server accepted the certified copy: the certificate, with the evidence PDF.
        case deliveryCertificate
        /// A certified copy was not delivered (permanent failure, expiry, late bounce).
        case nonDeliveryCertificate
        /// A certified copy's tracking resource was fetched for the first time.
        case openingAddendum
        /// A reception mailbox acknowledges a mail to its sender, with the evidence PDF.
        case receptionAcknowledgement
        /// A reception mailbox's account ran out of units: its owner is told (once a day).
        case unitsExhausted
        /// An Openum recipient opened the document: the access certificate, with the evidence PDF.
        case accessCertificate
        /// An Openum link expired unopened: the certificate of non-access, with the evidence PDF.
        case nonAccessCertificate
        /// An Openum recipient who has not opened the document is reminded of its link.
        case openumReminder
    }

    public var kind: Kind
    public var noticeQueueID: String
    /// SHA-256 (hex) and size of the notice as queued.
    public var messageSHA256: String
    public var messageSize: Int
    /// The message the notice is about, and when it was submitted.
    public var aboutQueueID: String
    public var aboutSubmittedAt: Date
    /// Who the notice goes to, and which recipients of the original it reports on.
    public var noticeRecipient: String
    public var reportedRecipients: [String]
    public var queuedAt: Date

    public init(
        kind: Kind,
        notice: SpooledContent,
        aboutQueueID: String,
        aboutSubmittedAt: Date,
        noticeRecipient: String,
        reportedRecipients: [String],
        queuedAt: Date
    ) {
        self.kind = kind
        self.noticeQueueID = notice.queueID
        self.messageSHA256 = notice.sha256
        self.messageSize = notice.size
        self.aboutQueueID = aboutQueueID
        self.aboutSubmittedAt = aboutSubmittedAt
        self.noticeRecipient = noticeRecipient
        self.reportedRecipients = reportedRecipients
        self.queuedAt = queuedAt
    }
}

/// A message as the spool holds it: its queue id, and the SHA-256 (hex) and size of its content.
public struct SpooledContent: Hashable, Sendable {
    public var queueID: String
    public var sha256: String
    public var size: Int

    public init(queueID: String, sha256: String, size: Int) {
        self.queueID = queueID
        self.sha256 = sha256
        self.size = size
    }
}
