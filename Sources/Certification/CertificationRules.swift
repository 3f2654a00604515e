//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import MailMessage
public import SMTPCore
public import Spool

/// The pure rules of certification: which mail is certified, for whom, at what price, and the reply
/// for each refusal. No I/O; ``CertificationGate`` feeds them what it looked up.
public enum CertificationRules {
    /// Units for a mail of `size` octets to `recipients` recipients: one per started `unitSize`,
    /// per recipient (an empty mail still costs one per recipient).
    public static func unitsPerRecipient(size: Int, unitSize: Int) -> Int {
        max(1, (size + unitSize - 1) / unitSize)
    }

    /// The certified recipients of a Cc-mode mail: To (and Cc when the account asks), minus the
    /// certifier addresses, de-duplicated (the domain compared without case), in header order.
    public static func carbonCopyRecipients(
        to: [Address],
        cc: [Address],
        includeCc: Bool,
        certifiers: Set<String>
    ) -> [String] {
        self.distinct((to + (includeCc ? cc : [])).map(\.address), excluding: certifiers)
    }

    /// The certified recipients of a submission: the envelope's, minus the certifier addresses.
    public static func submissionRecipients(envelope: [String], certifiers: Set<String>) -> [String] {
        self.distinct(envelope, excluding: certifiers)
    }

    static func distinct(_ addresses: [String], excluding certifiers: Set<String>) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for address in addresses where address.contains("@") {
            let key = self.normalized(address)
            guard !certifiers.contains(address.lowercased()), seen.insert(key).inserted else { continue }
            result.append(address)
        }
        return result
    }

    /// An address with its domain lower-cased (the local part's case may matter to its server).
    public static func normalized(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return String(address[..<at]) + address[at...].lowercased()
    }

    /// The domain part of an address, lower-cased.
    public static func domain(of address: String) -> String {
        address.split(separator: "@").last.map { $0.lowercased() } ?? ""
    }

    /// Relaxed alignment (DMARC, RFC 7489 §3.1): the authenticated domain is the From domain or a
    /// parent of it, or the From domain's parent below a public suffix (one label up, at least two).
    public static func aligned(_ authenticated: String, with fromDomain: String) -> Bool {
        AuthenticationFacts.aligned(authenticated, with: fromDomain)
    }

    // MARK: - Replies

    public static func tooLarge(size: Int, limit: Int) -> Reply {
        Reply(
            .exceededStorage,
            EnhancedStatusCode(5, 3, 4),
            "message of \(size) octets is larger than the \(limit) a certified mail may be"
        )
    }

    public static func notRegistered(_ from: String?) -> Reply {
        Reply(
            .mailboxUnavailable,
            EnhancedStatusCode(5, 7, 1),
            from.map { "sender \($0) is not registered for certification with any account" }
                ?? "the mail has no From address to certify for"
        )
    }

    public static func notAuthenticated(_ from: String, failures: [String]) -> Reply {
        Reply(
            .mailboxUnavailable,
            EnhancedStatusCode(5, 7, 1),
            "sender \(from) is not authenticated: " + failures.joined(separator: "; ")
        )
    }

    public static func noRecipients() -> Reply {
        Reply(
            .transactionFailed,
            EnhancedStatusCode(5, 5, 1),
            "no recipient to certify: the certifier address is the only recipient"
        )
    }

    public static func noDocument() -> Reply {
        Reply(
            .transactionFailed,
            EnhancedStatusCode(5, 6, 0),
            "no document to send: attach the file the recipients may open with their link"
        )
    }

    public static func insufficientUnits(_ refusal: InsufficientUnits, recipients: Int, perRecipient: Int) -> Reply {
        Reply(
            .transactionFailed,
            EnhancedStatusCode(5, 7, 0),
            "account \(refusal.account) has \(refusal.balance) units; this mail costs \(refusal.price) "
                + "(\(recipients) recipient(s) x \(perRecipient) unit(s))"
        )
    }
}
