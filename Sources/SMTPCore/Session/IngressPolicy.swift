//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Which recipients a listener accepts: the rule that keeps Fefaent from being an open relay.
///
/// Without authentication only Fefaent's own addresses are accepted: the certifier addresses,
/// the certified-reception mailboxes and the system addresses (postmaster, abuse, the per-recipient
/// `bounces+TOKEN@` return paths, and the notice sender). An authenticated account may relay anywhere.
///
/// - SeeAlso: DESIGN.md, "Ingress rules"
public struct IngressPolicy: Hashable, Sendable {
    /// The certifier addresses (`certify@…`), lower-cased.
    public var certifierAddresses: Set<String>
    /// Certified-reception mailboxes, lower-cased.
    public var receptionMailboxes: Set<String>
    /// Mailboxes kept as data (`fefaent mailbox add`): asked after ``receptionMailboxes``.
    public var receptionDirectory: ReceptionDirectory?
    /// Domains whose system addresses Fefaent answers for (the certifier domains), lower-cased.
    public var systemDomains: Set<String>
    /// Local parts that exist on every system domain.
    public var systemLocalParts: Set<String>
    /// Local-part prefixes of generated system addresses (`bounces+` for per-recipient return paths).
    public var systemLocalPartPrefixes: [String]

    public init(
        certifierAddresses: Set<String>,
        receptionMailboxes: Set<String> = [],
        receptionDirectory: ReceptionDirectory? = nil,
        systemDomains: Set<String>? = nil,
        systemLocalParts: Set<String> = ["postmaster", "abuse", "notices"],
        systemLocalPartPrefixes: [String] = ["bounces+"]
    ) {
        self.certifierAddresses = Set(certifierAddresses.map { $0.lowercased() })
        self.receptionMailboxes = Set(receptionMailboxes.map { $0.lowercased() })
        self.receptionDirectory = receptionDirectory
        self.systemDomains = Set(
            (systemDomains ?? Set(certifierAddresses.compactMap { $0.split(separator: "@").last.map(String.init) }))
                .map { $0.lowercased() }
        )
        self.systemLocalParts = systemLocalParts
        self.systemLocalPartPrefixes = systemLocalPartPrefixes
    }

    /// What the policy says of one recipient.
    public func evaluate(_ recipient: ForwardPath, authenticated: Bool) -> RecipientVerdict {
        guard case .mailbox(let mailbox) = recipient else {
            return .accept(.system)  // <Postmaster> must always be accepted (RFC 5321 §4.5.1)
        }
        let address = "\(mailbox.localPart)@\(mailbox.domain)".lowercased()
        let localPart = mailbox.localPart.lowercased()
        if self.certifierAddresses.contains(address) {
            return .accept(.certifier)
        }
        if self.receptionMailboxes.contains(address) || self.receptionDirectory?.contains(address) == true {
            return .accept(.reception)
        }
        if self.systemDomains.contains(mailbox.domain) {
            if self.systemLocalParts.contains(localPart)
                || self.systemLocalPartPrefixes.contains(where: {
                    localPart.hasPrefix($0) && localPart.count > $0.count
                })
            {
                return .accept(.system)
            }
            if !authenticated {
                return .reject(.userUnknown)
            }
        }
        return authenticated ? .accept(.relay) : .reject(.relayDenied)
    }
}

/// The verdict of the ``IngressPolicy`` on one recipient.
/// A lookup of reception mailboxes that may change while the server runs (the mailbox table).
///
/// Two directories are equal when they are the same lookup.
public struct ReceptionDirectory: Hashable, Sendable {
    private let identity: ObjectIdentifier
    private let lookup: @Sendable (String) -> Bool

    /// `lookup` gets a lower-cased address and says whether it is a reception mailbox (an address of
    /// its own or one of a whole domain's); it must not block (it runs on an event loop).
    public init(owner: AnyObject, lookup: @escaping @Sendable (String) -> Bool) {
        self.identity = ObjectIdentifier(owner)
        self.lookup = lookup
    }

    public func contains(_ address: String) -> Bool { self.lookup(address) }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.identity == rhs.identity }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.identity) }
}

public enum RecipientVerdict: Hashable, Sendable {
    case accept(RecipientKind)
    case reject(Reply)
}

/// Why a recipient was accepted; stored with it, it decides what the queue does with the copy.
public enum RecipientKind: String, Hashable, Sendable, Codable {
    /// A certifier address: the mail is to be certified.
    case certifier
    /// A certified-reception mailbox.
    case reception
    /// A system address: postmaster, bounces, notices.
    case system
    /// Any other address, accepted because the client authenticated.
    case relay
    /// A recipient of a certified mail (queued by the certification, never named by a listener).
    case certified

    /// Kinds that never share a transaction: each maps to the one it excludes.
    static let exclusiveKinds: [RecipientKind: RecipientKind] = [.certifier: .reception, .reception: .certifier]
}
