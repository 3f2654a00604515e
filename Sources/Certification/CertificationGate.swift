//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
public import MailMessage
public import SMTPCore
import SMTPNIO
public import Spool

/// What the certification says of a mail at the end of DATA.
public enum Admission: Sendable {
    /// No certifier address among the recipients: the mail is queued as it is.
    case plain
    /// A certified mail: the spool commits it with this (the charge happens in that transaction).
    case certified(CertifiedSubmission)
    /// Refused: the client gets `reply`, a SubmissionRejection record says why.
    case refused(Refusal)
    /// Not decided now (the accounts cannot be read, DNS failed while checking the sender): the
    /// client gets a `4xx` and tries again; nothing is recorded.
    case unavailable(Reply)
}

/// A refused certified mail: why, the reply, and what the rejection record states.
public struct Refusal: Sendable {
    public var reason: SubmissionRejected.Reason
    public var reply: Reply
    public var account: String?
    public var headerFrom: String?

    public init(reason: SubmissionRejected.Reason, reply: Reply, account: String? = nil, headerFrom: String? = nil) {
        self.reason = reason
        self.reply = reply
        self.account = account
        self.headerFrom = headerFrom
    }
}

/// Decides, at the end of DATA, whether a mail to the certifier is certified, for which account,
/// to whom and at what price (DESIGN.md, "Ingress rules").
///
/// Cc mode (the MX, no AUTH): the From header's address must belong to an account and be vouched
/// for by an aligned DKIM pass, an aligned SPF pass or the account's trusted networks. Submission
/// (AUTH): the From address must be one of the authenticated account's senders.
public struct CertificationGate: Sendable {
    public let settings: CertificationSettings
    public let database: SpoolDatabase
    public let resolver: any MailDNSResolver

    public init(settings: CertificationSettings, database: SpoolDatabase, resolver: any MailDNSResolver) {
        self.settings = settings
        self.database = database
        self.resolver = resolver
    }

    /// Whether the envelope names a certifier address (only then does ``admit`` read the mail).
    public static func isCertifierMail(_ envelope: Envelope) -> Bool {
        envelope.recipients.contains { $0.kind == .certifier }
    }

    /// `parsed` is `content` as the spool parsed it while it streamed in (parsed here when `nil`).
    public func admit(
        content: [UInt8],
        parsed: ParsedMessage? = nil,
        envelope: Envelope,
        metadata: ReceptionMetadata
    ) async
        -> Admission
    {
        let certifiers = envelope.recipients.filter { $0.kind == .certifier }.map {
            $0.forwardPath.address.lowercased()
        }
        guard let certifier = certifiers.first else { return .plain }
        guard content.count <= self.settings.maximumMessageSize else {
            return .refused(
                Refusal(
                    reason: .messageTooLarge,
                    reply: CertificationRules.tooLarge(size: content.count, limit: self.settings.maximumMessageSize)
                )
            )
        }
        let message = parsed ?? MessageParser.parse(content)
        guard let from = message.from.first else {
            return .refused(Refusal(reason: .senderNotRegistered, reply: CertificationRules.notRegistered(nil)))
        }
        let account: Account
        do {
            guard let found = try self.account(for: from.address, authenticatedAs: envelope.authenticatedUser) else {
                return .refused(
                    Refusal(
                        reason: .senderNotRegistered,
                        reply: CertificationRules.notRegistered(from.address),
                        account: envelope.authenticatedUser,
                        headerFrom: from.address
                    )
                )
            }
            account = found
        } catch {
            return .unavailable(
                Reply(.localError, EnhancedStatusCode(4, 3, 0), "cannot read the accounts; try again later")
            )
        }
        let check: (CertifiedSubmission.SenderCheck, String)
        if let user = envelope.authenticatedUser, let key = metadata.apiKeyID {
            check = (.apiKey, "\(user)/\(key)")
        } else if let user = envelope.authenticatedUser {
            check = (.smtpAuth, user)
        } else {
            switch await self.authenticate(
                from: from.address,
                content: content,
                envelope: envelope,
                client: metadata.clientAddress,
                account: account
            ) {
            case .success(let passed):
                check = passed
            case .failure(let failures) where failures.temporary:
                return .unavailable(
                    Reply(
                        .localError,
                        EnhancedStatusCode(4, 7, 5),
                        "cannot check sender \(from.address) now: " + failures.reasons.joined(separator: "; ")
                            + "; try again later"
                    )
                )
            case .failure(let failures):
                return .refused(
                    Refusal(
                        reason: .senderNotAuthenticated,
                        reply: CertificationRules.notAuthenticated(from.address, failures: failures.reasons),
                        account: account.name,
                        headerFrom: from.address
                    )
                )
            }
        }
        let certifierSet = Set(self.settings.certifierAddresses)
        let recipients =
            envelope.authenticatedUser == nil
            ? CertificationRules.carbonCopyRecipients(
                to: message.to,
                cc: message.cc,
                includeCc: account.certifyCc,
                certifiers: certifierSet
            )
            : CertificationRules.submissionRecipients(
                envelope: envelope.recipients.map(\.forwardPath.address),
                certifiers: certifierSet
            )
        guard !recipients.isEmpty else {
            return .refused(
                Refusal(
                    reason: .noRecipients,
                    reply: CertificationRules.noRecipients(),
                    account: account.name,
                    headerFrom: from.address
                )
            )
        }
        let invoiceCertifier = certifiers.first { self.settings.invoiceAddresses.contains($0) }
        return .certified(
            CertifiedSubmission(
                account: account.name,
                mode: envelope.authenticatedUser == nil ? .carbonCopy : .submission,
                certifier: invoiceCertifier ?? certifier,
                invoice: invoiceCertifier != nil,
                invoiceFiles: invoiceCertifier == nil ? [] : InvoiceFiles.find(in: message, content: content),
                senderAddress: from.address,
                senderName: from.displayName,
                senderCheck: check.0,
                senderCheckIdentity: check.1,
                language: account.language,
                subject: message.subject,
                recipients: recipients.map { .init(address: $0, token: TrackingToken.make()) },
                unitsPerRecipient: CertificationRules.unitsPerRecipient(
                    size: content.count,
                    unitSize: self.settings.unitSize
                )
            )
        )
    }

    /// The account that certifies for `from`: the authenticated one (if `from` is among its
    /// senders), else the one whose senders include it.
    func account(for from: String, authenticatedAs user: String?) throws -> Account? {
        if let user {
            guard let account = try self.database.account(named: user), account.certifies(sender: from) else {
                return nil
            }
            return account
        }
        return try self.database.account(certifyingFor: from)
    }

    struct Failures: Error {
        var reasons: [String]
        /// A DNS lookup failed for now (DKIM or SPF temperror): the answer may be a pass later.
        var temporary = false
    }

    /// Trusted networks first (no DNS), then DKIM, then SPF; the first aligned pass wins.
    func authenticate(
        from: String,
        content: [UInt8],
        envelope: Envelope,
        client: String,
        account: Account
    ) async -> Result<(CertifiedSubmission.SenderCheck, String), Failures> {
        let fromDomain = CertificationRules.domain(of: from)
        var reasons: [String] = []
        if let network = account.trustedNetworkList.first(where: { Self.network($0, contains: client) }) {
            return .success((.trustedNetwork, network))
        }
        let dkim = await DKIMVerifier(resolver: self.resolver, now: Int(Date().timeIntervalSince1970))
            .verify(message: content)
        if let domain = dkim.compactMap(\.passedDomain).first(where: {
            CertificationRules.aligned($0, with: fromDomain)
        }) {
            return .success((.dkim, domain))
        }
        reasons.append(
            dkim.isEmpty
                ? "no DKIM signature for \(fromDomain)"
                : "DKIM " + dkim.map(\.description).joined(separator: ", ") + " (none aligned with \(fromDomain))"
        )
        var temporary = dkim.contains {
            guard case .temperror = $0 else { return false }
            return true
        }
        let envelopeSender = envelope.reversePath.address
        let spfDomain = envelopeSender.isEmpty ? envelope.heloName : CertificationRules.domain(of: envelopeSender)
        if let ip = IPAddress(client) {
            let spf = await SPFEvaluator(resolver: self.resolver).check(
                ip: ip,
                domain: spfDomain,
                sender: envelopeSender.isEmpty ? "postmaster@\(spfDomain)" : envelopeSender,
                helo: envelope.heloName
            )
            if spf == .pass, CertificationRules.aligned(spfDomain, with: fromDomain) {
                return .success((.spf, spfDomain))
            }
            reasons.append(
                spf == .pass
                    ? "SPF pass for \(spfDomain), which is not aligned with \(fromDomain)"
                    : "SPF \(spf) for \(spfDomain) from \(client)"
            )
            if case .temperror = spf { temporary = true }
        }
        reasons.append("\(client) is not in the trusted networks of account \(account.name)")
        return .failure(Failures(reasons: reasons, temporary: temporary))
    }

    /// Whether `client` is in `network` (`192.0.2.0/24`, `2001:db8::/32`, or one address), read by the
    /// parser of `auth.trusted_networks`.
    static func network(_ network: String, contains client: String) -> Bool {
        IPNetwork(network)?.contains(client) ?? false
    }
}
