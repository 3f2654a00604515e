//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// What the certification decided for an accepted mail; committed with it (the charge, the
/// certified recipients with their tracking tokens, the `certified_message` row) and attested in
/// its SubmissionAcceptance record.
public struct CertifiedSubmission: Codable, Hashable, Sendable {
    /// How the mail reached the certifier.
    public enum Mode: String, Codable, Hashable, Sendable {
        /// The certifier was in Cc (or To) of a mail the sender's own MTA delivered to the MX.
        case carbonCopy = "cc"
        /// An authenticated account sent it through Fefaent with the certifier among the recipients.
        case submission
        /// Openum: the recipients get a link to a document, and opening it is certified.
        case openum
    }

    /// How the sender was shown to be who the From header says.
    public enum SenderCheck: String, Codable, Hashable, Sendable {
        /// A DKIM signature that verified, by a domain aligned with the From domain.
        case dkim
        /// SPF passed for the envelope sender's domain, aligned with the From domain.
        case spf
        /// The client's address is in the account's trusted networks.
        case trustedNetwork
        /// The client authenticated as the account (SMTP AUTH).
        case smtpAuth
        /// The call carried an API key of the account (HTTP API).
        case apiKey
    }

    /// A certified recipient and the token of its copy's tracking pixel (never part of a record).
    public struct Recipient: Codable, Hashable, Sendable {
        public var address: String
        public var token: String

        public init(address: String, token: String) {
            self.address = address
            self.token = token
        }
    }

    /// An invoice file attached to a certified invoice: its name, type and the SHA-256 of its decoded bytes.
    public struct InvoiceFile: Codable, Hashable, Sendable {
        public var name: String
        public var contentType: String
        public var format: String
        public var sha256: String

        public init(name: String, contentType: String, format: String, sha256: String) {
            self.name = name
            self.contentType = contentType
            self.format = format
            self.sha256 = sha256
        }
    }

    public var account: String
    public var mode: Mode
    /// The certifier address the mail was sent to (`certify@…`, or the invoice address).
    public var certifier: String
    public var invoice: Bool
    public var invoiceFiles: [InvoiceFile]
    /// The From header's address and display name.
    public var senderAddress: String
    public var senderName: String?
    public var senderCheck: SenderCheck
    /// The domain (or network, or AUTH identity) that passed `senderCheck`.
    public var senderCheckIdentity: String
    public var language: Account.Language
    public var subject: String?
    public var recipients: [Recipient]
    /// Units charged in all: `unitsPerRecipient` for each recipient.
    public var units: Int
    public var unitsPerRecipient: Int
    /// Openum: the document the recipients' links lead to.
    public var document: OpenumDocument? = nil

    public init(
        account: String,
        mode: Mode,
        certifier: String,
        invoice: Bool,
        invoiceFiles: [InvoiceFile],
        senderAddress: String,
        senderName: String?,
        senderCheck: SenderCheck,
        senderCheckIdentity: String,
        language: Account.Language,
        subject: String?,
        recipients: [Recipient],
        unitsPerRecipient: Int
    ) {
        self.account = account
        self.mode = mode
        self.certifier = certifier
        self.invoice = invoice
        self.invoiceFiles = invoiceFiles
        self.senderAddress = senderAddress
        self.senderName = senderName
        self.senderCheck = senderCheck
        self.senderCheckIdentity = senderCheckIdentity
        self.language = language
        self.subject = subject
        self.recipients = recipients
        self.unitsPerRecipient = unitsPerRecipient
        self.units = unitsPerRecipient * recipients.count
    }
}

/// A mail to the certifier refused at the end of DATA: what was refused, why, and the reply.
public struct SubmissionRejected: Codable, Hashable, Sendable {
    public enum Reason: String, Codable, Hashable, Sendable {
        /// The From address belongs to no account.
        case senderNotRegistered
        /// The From address belongs to an account, but no DKIM, SPF or trusted network vouches for it.
        case senderNotAuthenticated
        /// The account's balance does not cover the mail.
        case insufficientUnits
        /// No recipient is left once the certifier addresses are taken out.
        case noRecipients
        /// Larger than a certified mail may be.
        case messageTooLarge
        /// A mail to an Openum address without an attachment to send.
        case noDocument
    }

    /// The queue id the session announced (nothing was queued under it).
    public var queueID: String
    public var rejectedAt: Date
    public var envelopeSender: String
    public var envelopeRecipients: [String]
    public var headerFrom: String?
    public var account: String?
    public var reason: Reason
    public var reply: ReplyFacts
    public var messageSHA256: String
    public var messageSize: Int
    public var session: SessionFacts

    public init(
        queueID: String,
        rejectedAt: Date,
        envelopeSender: String,
        envelopeRecipients: [String],
        headerFrom: String?,
        account: String?,
        reason: Reason,
        reply: ReplyFacts,
        messageSHA256: String,
        messageSize: Int,
        session: SessionFacts
    ) {
        self.queueID = queueID
        self.rejectedAt = rejectedAt
        self.envelopeSender = envelopeSender
        self.envelopeRecipients = envelopeRecipients
        self.headerFrom = headerFrom
        self.account = account
        self.reason = reason
        self.reply = reply
        self.messageSHA256 = messageSHA256
        self.messageSize = messageSize
        self.session = session
    }
}

/// A fetch of a certified copy's tracking pixel.
public struct TrackingFetched: Codable, Hashable, Sendable {
    /// Who fetched it, as far as the request tells.
    public enum Fetcher: String, Codable, Hashable, Sendable, CaseIterable {
        /// Gmail's image proxy (GoogleImageProxy).
        case googleImageProxy
        /// Yahoo's image proxy.
        case yahooImageProxy
        /// Apple Mail Privacy Protection, which fetches every image when the mail arrives.
        case applePrivacyPrefetch
        /// A link or attachment scanner of a security gateway.
        case securityScanner
        /// A mail client fetching the image itself.
        case mailClient
    }

    public var queueID: String
    public var recipient: String
    public var recipientRowID: Int64
    public var fetchedAt: Date
    public var clientIP: String
    public var userAgent: String
    public var fetcher: Fetcher
    /// Fetched within seconds of the delivery: more likely a pre-fetch than a person.
    public var likelyPrefetch: Bool
    /// The recipient's first fetch (the one the opening addendum reports).
    public var firstFetch: Bool
    /// The evidence id of the copy's delivery record, when it was delivered.
    public var deliveryEvidenceID: String?

    public init(
        queueID: String,
        recipient: String,
        recipientRowID: Int64,
        fetchedAt: Date,
        clientIP: String,
        userAgent: String,
        fetcher: Fetcher,
        likelyPrefetch: Bool,
        firstFetch: Bool,
        deliveryEvidenceID: String?
    ) {
        self.queueID = queueID
        self.recipient = recipient
        self.recipientRowID = recipientRowID
        self.fetchedAt = fetchedAt
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.fetcher = fetcher
        self.likelyPrefetch = likelyPrefetch
        self.firstFetch = firstFetch
        self.deliveryEvidenceID = deliveryEvidenceID
    }
}
