//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// One certified event: what happened to which message, when, with what proof of the content.
///
/// Kinds are named after ETSI EN 319 522 events. The record is signed and logged in its canonical
/// JSON form (RFC 8785), so anyone can re-derive the bytes the signature covers.
public struct EvidenceRecord: Hashable, Sendable {
    /// The event kinds.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case submissionAcceptance = "SubmissionAcceptance"
        case submissionRejection = "SubmissionRejection"
        case relayToNonERDS = "RelayToNonERDS"
        case relayToNonERDSFailure = "RelayToNonERDSFailure"
        case trackingResourceFetched = "TrackingResourceFetched"
        case receivedFromNonERDS = "ReceivedFromNonERDS"
        /// Fefaent queued a mail of its own about a message (a bounce or a delay notice).
        case senderNotification = "SenderNotification"
        /// The evidence log lost records (a disaster the operator recovered from); says what was lost.
        case logIncident = "EvidenceLogIncident"
        /// Openum: the recipient opened the document and it was served.
        case contentHandover = "ContentHandover"
        /// Openum: the link expired and the document was never opened.
        case contentHandoverFailure = "ContentHandoverFailure"
        /// Openum: the link was fetched by something that is not the recipient's act (a scanner, a
        /// preview, a HEAD request, a form posted without the landing page's cookie): no access.
        case documentLinkFetched = "DocumentLinkFetched"
    }

    /// Why an event happened the way it did (a delivery failure's cause), in EN 319 522's terms.
    public enum Reason: String, Hashable, Sendable, CaseIterable {
        case rejectedByRemoteServer
        case noRouteToDomain
        case expired
        case notSupportedByRemoteServer
        /// A bounce came back after the remote server had accepted the copy.
        case bouncedAfterDelivery
        /// Refusals of a submission (SubmissionRejection).
        case senderNotRegistered
        case senderNotAuthenticated
        case insufficientUnits
        case noRecipients
        case messageTooLarge
        case noDocument

        /// The failure as ETSI's registered e-mail evidence names the causes of a relay to a
        /// non-ERDS system failing (TS 102 640-2 RelayToNonREMSystem; the cases of TR 103 071 §4.10).
        public var etsiFailure: String {
            switch self {
            case .rejectedByRemoteServer, .notSupportedByRemoteServer: return "relayRejected"
            case .noRouteToDomain: return "recipientSystemUnreachable"
            case .expired: return "recipientSystemNotOperational"
            case .bouncedAfterDelivery: return "relayRejected"
            case .senderNotRegistered, .senderNotAuthenticated: return "senderNotAuthorised"
            case .insufficientUnits: return "insufficientCredit"
            case .noRecipients: return "noRecipient"
            case .messageTooLarge: return "messageTooLarge"
            case .noDocument: return "invalidContent"
            }
        }
    }

    /// An attachment (or body part) of the original message: its name, type, decoded size and hash.
    public struct Attachment: Hashable, Sendable {
        public var name: String?
        public var contentType: String
        public var size: Int64
        public var sha256: String

        public init(name: String?, contentType: String, size: Int64, sha256: String) {
            self.name = name
            self.contentType = contentType
            self.size = size
            self.sha256 = sha256
        }
    }

    /// The event's own facts: the SMTP peer of a relay, or the HTTP client of a fetch.
    public enum Details: Hashable, Sendable {
        /// `remoteHost`, `remoteIP`, TLS, and the remote server's reply.
        case relay(remoteHost: String, remoteIP: String, tls: TLSDetails?, reply: String)
        /// The client that fetched a tracking resource and what it looks like.
        case fetch(clientIP: String, userAgent: String, classification: String, likelyPrefetch: Bool)
        /// A submission's SMTP facts (client, its HELO name, authentication, TLS) and the reply it got.
        case submission(clientIP: String, heloName: String, authenticatedAs: String?, tls: TLSDetails?, reply: String)
        /// A mail Fefaent queued about another message: its kind, that message, whom it reports on.
        case notice(kind: String, aboutQueueID: String, reportedRecipients: [String])
        /// What the evidence log lost: the head the queue database had anchored, and the head found.
        case incident(anchoredSize: Int, anchoredRoot: String, foundSize: Int, foundRoot: String, statement: String)
        case none
    }

    /// Who issues the evidence and under which policy (EN 319 522-2's EvidenceIssuerDetails and
    /// EvidenceIssuerPolicyID).
    public struct Issuer: Hashable, Sendable {
        public var name: String
        /// The evidence policy's object identifier.
        public var policyID: String
        /// Where the policy can be read, if published.
        public var policyURL: String?

        public init(name: String, policyID: String, policyURL: String?) {
            self.name = name
            self.policyID = policyID
            self.policyURL = policyURL
        }

        /// Fefaent's default evidence policy identifier: an OID in the `2.25` (UUID) arc of
        /// ITU-T X.667, which needs no registration (UUID fb51383a-8b9a-4d16-8899-f9fe5e88cd95).
        public static let defaultPolicyID = "2.25.334057943440931390436920205166093323669"
    }

    /// How the sender was authenticated when the message was submitted (EN 319 522-2's
    /// SenderAuthenticationDetails).
    public enum SenderAuthentication: Hashable, Sendable {
        /// SMTP AUTH with this identity.
        case smtpAuth(identity: String)
        /// An API key of the account (`account/key-id`) over HTTP.
        case apiKey(identity: String)
        /// The client's address was in the configured trusted networks.
        case trustedNetwork
        /// A DKIM signature by this domain (aligned with the From domain) verified.
        case dkim(domain: String)
        /// SPF passed for this domain (aligned with the From domain).
        case spf(domain: String)
        /// Not authenticated (mail to the MX port from anyone).
        case none

        var method: String {
            switch self {
            case .smtpAuth: return "smtp-auth"
            case .apiKey: return "api-key"
            case .trustedNetwork: return "trusted-network"
            case .dkim: return "dkim"
            case .spf: return "spf"
            case .none: return "none"
            }
        }
    }

    /// What the certification decided for a certified mail (acceptance records), or about a
    /// recipient's copy (later records).
    public struct Certification: Hashable, Sendable {
        /// An invoice file of a certified invoice.
        public struct InvoiceFile: Hashable, Sendable {
            public var name: String
            /// `pdf`, `facturae`, `ubl`, `xml`.
            public var format: String
            public var sha256: String

            public init(name: String, format: String, sha256: String) {
                self.name = name
                self.format = format
                self.sha256 = sha256
            }
        }

        public var account: String
        /// `cc` or `submission`.
        public var mode: String
        /// The certifier address the mail was sent to.
        public var certifier: String
        public var invoice: Bool
        public var invoiceFiles: [InvoiceFile]
        /// The certified recipients (each gets its own copy and its own records).
        public var certifiedRecipients: [String]
        public var units: Int
        /// Openum: the document the recipients' links lead to.
        public var document: Document? = nil

        /// An Openum document: its name, type, size, digest and when its links expire.
        public struct Document: Hashable, Sendable {
            public var name: String
            public var contentType: String
            public var size: Int64
            public var sha256: String
            public var expiresAt: UTCDateTime

            public init(name: String, contentType: String, size: Int64, sha256: String, expiresAt: UTCDateTime) {
                self.name = name
                self.contentType = contentType
                self.size = size
                self.sha256 = sha256
                self.expiresAt = expiresAt
            }
        }

        public init(
            account: String,
            mode: String,
            certifier: String,
            invoice: Bool,
            invoiceFiles: [InvoiceFile],
            certifiedRecipients: [String],
            units: Int,
            document: Document? = nil
        ) {
            self.account = account
            self.mode = mode
            self.certifier = certifier
            self.invoice = invoice
            self.invoiceFiles = invoiceFiles
            self.certifiedRecipients = certifiedRecipients
            self.units = units
            self.document = document
        }
    }

    /// What a certified-reception mailbox states of a mail it received (ReceivedFromNonERDS).
    public struct Reception: Hashable, Sendable {
        /// One check of the sender (RFC 8601 result names: `pass`, `fail`, `none`…).
        public struct Check: Hashable, Sendable {
            public var result: String
            public var domain: String?

            public init(result: String, domain: String?) {
                self.result = result
                self.domain = domain
            }
        }

        public var mailboxes: [String]
        /// The account charged, `nil` for a mailbox of the config file.
        public var account: String?
        public var units: Int
        /// The From header's address.
        public var headerFrom: String?
        public var fromDomain: String
        public var spf: Check
        public var dkim: [Check]
        /// DMARC's result for the From domain and the policy it publishes.
        public var dmarc: Check
        public var dmarcPolicy: String?

        public init(
            mailboxes: [String],
            account: String?,
            units: Int,
            headerFrom: String?,
            fromDomain: String,
            spf: Check,
            dkim: [Check],
            dmarc: Check,
            dmarcPolicy: String?
        ) {
            self.mailboxes = mailboxes
            self.account = account
            self.units = units
            self.headerFrom = headerFrom
            self.fromDomain = fromDomain
            self.spf = spf
            self.dkim = dkim
            self.dmarc = dmarc
            self.dmarcPolicy = dmarcPolicy
        }
    }

    /// The digest algorithm of every SHA-256 a record states (message and parts): its OID.
    public static let digestAlgorithm = "2.16.840.1.101.3.4.2.1"

    /// TLS as it was on a connection.
    public struct TLSDetails: Hashable, Sendable {
        public var version: String
        public var cipher: String?
        public var peerVerified: Bool

        public init(version: String, cipher: String?, peerVerified: Bool) {
            self.version = version
            self.cipher = cipher
            self.peerVerified = peerVerified
        }
    }

    public var kind: Kind
    public var time: UTCDateTime
    public var evidenceID: String
    public var queueID: String
    public var messageID: String?
    public var sender: String
    public var recipients: [String]
    public var subject: String?
    public var messageSHA256: String
    public var messageSize: Int64
    public var attachments: [Attachment]
    public var details: Details
    /// The evidence id of the record this one replaces (a late bounce supersedes a delivery).
    public var supersedes: String?
    /// When the message was submitted (every record after the acceptance carries it).
    public var submissionTime: UTCDateTime?
    /// Why it happened so (a failure's cause), when there is more to say than the kind.
    public var reason: Reason?
    /// Who issues the record, under which policy.
    public var issuer: Issuer?
    /// How the sender was authenticated (acceptance records).
    public var senderAuthentication: SenderAuthentication?
    /// The certification of a certified mail.
    public var certification: Certification?
    /// What a reception mailbox states of a received mail.
    public var reception: Reception?

    public init(
        kind: Kind,
        time: UTCDateTime,
        evidenceID: String,
        queueID: String,
        messageID: String?,
        sender: String,
        recipients: [String],
        subject: String?,
        messageSHA256: String,
        messageSize: Int64,
        attachments: [Attachment],
        details: Details,
        supersedes: String? = nil,
        submissionTime: UTCDateTime? = nil,
        reason: Reason? = nil,
        issuer: Issuer? = nil,
        senderAuthentication: SenderAuthentication? = nil,
        certification: Certification? = nil,
        reception: Reception? = nil
    ) {
        self.certification = certification
        self.reception = reception
        self.submissionTime = submissionTime
        self.reason = reason
        self.issuer = issuer
        self.senderAuthentication = senderAuthentication
        self.kind = kind
        self.time = time
        self.evidenceID = evidenceID
        self.queueID = queueID
        self.messageID = messageID
        self.sender = sender
        self.recipients = recipients
        self.subject = subject
        self.messageSHA256 = messageSHA256
        self.messageSize = messageSize
        self.attachments = attachments
        self.details = details
        self.supersedes = supersedes
    }
}
