//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import GRDB

/// A customer account: who may authenticate on the submission ports (AUTH PLAIN / LOGIN), which
/// senders it certifies for, and its balance of units.
///
/// Only a bcrypt hash of the password is stored. The balance changes only together with a
/// ``LedgerEntry`` (``SpoolDatabase/credit(account:units:actor:reason:now:)`` and the charge in the
/// commit of a certified mail).
public struct Account: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "account"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// The language of the notices the account's senders get.
    public enum Language: String, Codable, Hashable, Sendable, CaseIterable, DatabaseValueConvertible {
        case catalan = "ca"
        case spanish = "es"
        case english = "en"
    }

    public var name: String
    public var passwordHash: String
    public var createdAt: Date
    /// Addresses the account certifies for, lower-cased, separated by spaces.
    public var senderAddresses: String = ""
    /// Domains all of whose addresses the account certifies for, lower-cased, separated by spaces.
    public var senderDomains: String = ""
    /// Networks (`192.0.2.0/24`, `2001:db8::/32`) whose mail needs no DKIM or SPF pass, separated by spaces.
    public var trustedNetworks: String = ""
    public var language: Language = .english
    /// Whether the Cc addresses of a mail are certified too (Cc mode).
    public var certifyCc: Bool = false
    /// Units left; changed only with a ledger row.
    public var balance: Int = 0

    public init(name: String, passwordHash: String, createdAt: Date) {
        self.name = name
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }

    public var senderAddressList: [String] { Self.list(self.senderAddresses) }
    public var senderDomainList: [String] { Self.list(self.senderDomains) }
    public var trustedNetworkList: [String] { Self.list(self.trustedNetworks) }

    /// Whether `address` (`local@domain`) is one of the account's senders.
    public func certifies(sender address: String) -> Bool {
        let lowered = address.lowercased()
        guard let at = lowered.lastIndex(of: "@") else { return false }
        let domain = String(lowered[lowered.index(after: at)...])
        return self.senderAddressList.contains(lowered) || self.senderDomainList.contains(domain)
    }

    /// Joins list items as the table stores them.
    public static func joined(_ items: [String]) -> String {
        items.map { $0.lowercased() }.joined(separator: " ")
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: " ").map(String.init)
    }
}

/// One change of an account's units: append-only (the table's triggers refuse updates and deletes).
public struct LedgerEntry: Codable, Hashable, Sendable, FetchableRecord {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    public var id: Int64
    public var account: String
    public var at: Date
    /// Units added (positive) or charged (negative).
    public var change: Int
    public var balanceAfter: Int
    /// Who made the change: `cli:USER` for an operator, `certification` for a charge.
    public var actor: String
    public var reason: String
    /// The certified mail a charge was for.
    public var queueId: String?
}

extension Account {
    /// Whether `name` can name an account: 1 to 64 of `A-Z a-z 0-9 . _ -` (an SMTP AUTH user name that
    /// needs no quoting anywhere it is shown or logged).
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    /// Why `password` cannot be an account's, or `nil`: at least 12 characters, and at most 72 octets
    /// (bcrypt reads no further: a longer one would be checked by its first 72 octets only).
    public static func passwordProblem(_ password: String) -> String? {
        if password.count < 12 { return "a password needs at least 12 characters" }
        if password.utf8.count > 72 { return "a password may have at most 72 octets (bcrypt reads no further)" }
        return nil
    }
}
