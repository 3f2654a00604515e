//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import GRDB

/// A certified-reception mailbox: an address (`claims@example.com`) or a whole domain
/// (`@claims.example.com`) whose mail is stored, certified and acknowledged to its sender.
public struct ReceptionMailbox: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "mailbox"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// `local@domain`, or `@domain` for every address of the domain; lower-cased.
    public var address: String
    /// The account charged for the certification; `nil` for mailboxes of the config file (not charged).
    public var account: String?
    /// The Maildir the mail is stored in (its `tmp`, `new` and `cur` are made when missing).
    public var maildir: String?
    /// The company's real mailbox: a copy is queued for it (onward delivery).
    public var forwardTo: String?
    /// Whether senders get an acknowledgement with the evidence PDF.
    public var acknowledge: Bool
    public var language: Account.Language
    /// The most acknowledgements one sender gets from this mailbox in an hour.
    public var acknowledgementsPerHour: Int
    /// Who is told when the account runs out of units (default: the forward address).
    public var ownerAddress: String?
    public var createdAt: Date

    public init(
        address: String,
        account: String? = nil,
        maildir: String? = nil,
        forwardTo: String? = nil,
        acknowledge: Bool = true,
        language: Account.Language = .english,
        acknowledgementsPerHour: Int = 10,
        ownerAddress: String? = nil,
        createdAt: Date = Date()
    ) {
        self.address = address.lowercased()
        self.account = account
        self.maildir = maildir
        self.forwardTo = forwardTo
        self.acknowledge = acknowledge
        self.language = language
        self.acknowledgementsPerHour = acknowledgementsPerHour
        self.ownerAddress = ownerAddress
        self.createdAt = createdAt
    }

    /// Whether this is a whole domain's mailbox (`@domain`).
    public var isDomain: Bool { self.address.hasPrefix("@") }

    /// Whether an address given as `local@domain` or `@domain` is well formed.
    public static func isValidAddress(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
        let domain = address[address.index(after: at)...]
        return !domain.isEmpty && domain.contains(".") && !domain.contains(" ") && !address.contains(" ")
            && address.filter({ $0 == "@" }).count == 1
    }
}

/// A mail a reception mailbox received, as `fefaent mailbox show` lists it.
public struct ReceptionEntry: Codable, Hashable, Sendable, FetchableRecord {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    /// What became of the acknowledgement to the sender.
    public enum Acknowledgement: String, Codable, Hashable, Sendable, DatabaseValueConvertible {
        /// Not decided yet: the evidence is being written.
        case pending
        case sent
        /// Not sent, for ``ReceptionEntry/acknowledgementReason``.
        case suppressed
        /// The mailbox does not acknowledge.
        case off
    }

    public var id: Int64
    public var messageId: String
    public var mailbox: String
    public var recipient: String
    public var receivedAt: Date
    public var envelopeSender: String
    public var headerFrom: String?
    public var subject: String?
    public var account: String?
    public var units: Int
    public var certified: Bool
    public var notCertifiedReason: String?
    public var evidenceId: String?
    public var maildirFile: String?
    public var stored: Bool
    public var acknowledgement: Acknowledgement
    public var acknowledgementReason: AcknowledgementSuppression?
    public var acknowledgementQueueId: String?
    public var language: Account.Language
}
