//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// What the spool does for a mail to reception mailboxes, in the commit that makes it durable:
/// charge the account (when it has the units: else the mail is stored but not certified), write
/// the reception rows and the attesting event, then store a copy in each mailbox's Maildir before
/// the client hears `250`.
public struct ReceptionDelivery: Sendable {
    /// One mailbox's copy.
    public struct Copy: Sendable {
        public var mailbox: ReceptionMailbox
        /// The envelope recipient the copy is for.
        public var recipient: String
        /// Why no acknowledgement goes to the sender, decided at the end of DATA (RFC 3834 rules);
        /// `nil` when one may go (the hourly limit is applied when it is sent).
        public var acknowledgementSuppressed: AcknowledgementSuppression?
        /// The copy's file name in the Maildir (given by the spool's commit).
        public var fileName: String = ""

        public init(
            mailbox: ReceptionMailbox,
            recipient: String,
            acknowledgementSuppressed: AcknowledgementSuppression?
        ) {
            self.mailbox = mailbox
            self.recipient = recipient
            self.acknowledgementSuppressed = acknowledgementSuppressed
        }

        /// The copy's path in its Maildir's `new/`, when the mailbox has a Maildir.
        public var maildirFile: String? {
            self.mailbox.maildir.map { $0 + "/new/" + self.fileName }
        }
    }

    public var copies: [Copy]
    /// The account charged (the first copy's mailbox's); `nil`: nobody pays (config mailboxes).
    public var account: String?
    public var units: Int
    public var envelopeSender: String
    public var headerFrom: String?
    public var subject: String?
    public var authentication: AuthenticationFacts
    /// Header fields (each ending in CRLF) put in front of the stored copy, after the
    /// `Return-Path` and `Delivered-To` fields the spool writes: `Authentication-Results`.
    public var addedHeader: [UInt8]
    /// The evidence id of the ReceivedFromNonERDS record, made before the commit so that the
    /// stored copy can name it.
    public var evidenceID: String
    /// The host name for Maildir file names.
    public var hostname: String

    public init(
        copies: [Copy],
        account: String?,
        units: Int,
        envelopeSender: String,
        headerFrom: String?,
        subject: String?,
        authentication: AuthenticationFacts,
        addedHeader: [UInt8],
        evidenceID: String,
        hostname: String
    ) {
        self.copies = copies
        self.account = account
        self.units = units
        self.envelopeSender = envelopeSender
        self.headerFrom = headerFrom
        self.subject = subject
        self.authentication = authentication
        self.addedHeader = addedHeader
        self.evidenceID = evidenceID
        self.hostname = hostname
    }
}

extension ReceptionDelivery {
    /// What the acceptance event states of the reception.
    public var facts: ReceptionFacts {
        ReceptionFacts(
            mailboxes: self.copies.map(\.mailbox.address),
            account: self.account,
            units: self.units,
            headerFrom: self.headerFrom,
            authentication: self.authentication
        )
    }
}

extension ReceptionDelivery {
    /// The header fields in front of a stored copy: where it came from and went, its evidence id (or
    /// why it has none), how its sender was authenticated.
    public func storedHeader(for copy: Copy, certification: ReceptionCertification) -> [UInt8] {
        var text = "Return-Path: <\(self.envelopeSender)>\r\nDelivered-To: \(copy.recipient)\r\n"
        switch certification {
        case .certified(let evidenceID):
            text += "X-Fefaent-Evidence: \(evidenceID)\r\n"
        case .notCertified(let reason):
            text += "X-Fefaent-Certification: not certified (\(reason))\r\n"
        }
        return Array(text.utf8) + self.addedHeader
    }
}

/// Whether a received mail was certified, decided in its commit.
public enum ReceptionCertification: Hashable, Sendable {
    case certified(evidenceID: String)
    /// Stored, not certified: the mailbox's account had not the units.
    case notCertified(reason: String)
}

/// Why a received mail's sender gets no acknowledgement.
public enum AcknowledgementSuppression: String, Codable, Hashable, Sendable {
    /// The envelope sender is `<>` (a bounce, an auto-reply).
    case nullSender = "null sender"
    /// `Auto-Submitted` other than `no`.
    case autoSubmitted = "auto-submitted mail"
    /// `List-Id`, `List-Unsubscribe` or `Precedence: bulk/list/junk`.
    case mailingList = "mailing list"
    /// The sender is a reception mailbox or another address of this server.
    case ownAddress = "own address"
    /// Neither SPF nor DKIM vouched for the sender's domain (a forged sender: backscatter).
    case senderNotAuthenticated = "sender not authenticated"
    /// The sender had the hour's acknowledgements from this mailbox already.
    case hourlyLimit = "hourly limit reached"
    /// The mail was stored but not certified (no units): there is no evidence to send.
    case notCertified = "not certified"
    /// The server has no `[dkim]` key or no `[evidence]` to sign and prove an acknowledgement with.
    case notConfigured = "no [dkim] or [evidence] to send it with"
}
