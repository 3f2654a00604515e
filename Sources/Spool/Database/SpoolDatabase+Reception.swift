//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import GRDB

extension SpoolDatabase {
    // MARK: - Mailboxes

    /// Adds a mailbox; fails when the address is taken.
    public func addMailbox(_ mailbox: ReceptionMailbox) throws {
        try self.writer.write { db in try mailbox.insert(db) }
    }

    /// Replaces a mailbox's settings; returns whether it existed.
    @discardableResult
    public func updateMailbox(_ mailbox: ReceptionMailbox) throws -> Bool {
        try self.writer.write { db in
            guard try ReceptionMailbox.fetchOne(db, key: mailbox.address) != nil else { return false }
            try mailbox.update(db)
            return true
        }
    }

    /// Removes a mailbox (what it received stays listed and attested); returns whether it existed.
    @discardableResult
    public func removeMailbox(_ address: String) throws -> Bool {
        try self.writer.write { db in try ReceptionMailbox.deleteOne(db, key: address.lowercased()) }
    }

    public func mailboxes() throws -> [ReceptionMailbox] {
        try self.writer.read { db in try ReceptionMailbox.order(Column("address")).fetchAll(db) }
    }

    public func mailbox(named address: String) throws -> ReceptionMailbox? {
        try self.writer.read { db in try ReceptionMailbox.fetchOne(db, key: address.lowercased()) }
    }

    // MARK: - Receptions

    /// What a mailbox received, newest first.
    public func receptions(mailbox address: String, limit: Int = 100) throws -> [ReceptionEntry] {
        try self.writer.read { db in
            try ReceptionEntry.fetchAll(
                db,
                sql: "SELECT * FROM reception WHERE mailbox = ? ORDER BY received_at DESC, id DESC LIMIT ?",
                arguments: [address.lowercased(), limit]
            )
        }
    }

    /// The copies of one received mail.
    public func receptions(messageID: String) throws -> [ReceptionEntry] {
        try self.writer.read { db in
            try ReceptionEntry.fetchAll(
                db,
                sql: "SELECT * FROM reception WHERE message_id = ? ORDER BY id",
                arguments: [messageID]
            )
        }
    }

    /// Decides, in one transaction, which received mails are acknowledged now: per mail, its first
    /// pending copy is marked sent (its other pending copies `off`: one acknowledgement answers the
    /// mail), unless the sender had the mailbox's hourly number of them already (then every pending
    /// copy says so). Mails are taken in the order given, so the limit holds within the batch.
    /// Returns the copies to acknowledge, by message.
    public func reserveAcknowledgements(messageIDs: [String], now: Date) throws -> [String: ReceptionEntry] {
        guard !messageIDs.isEmpty else { return [:] }
        return try self.writer.write { db in
            // Only what the decision needs: most mails get no acknowledgement, and their rows carry the
            // stored header.
            let pendingCopies = try db.cachedStatement(
                sql: """
                    SELECT id, mailbox, envelope_sender FROM reception
                    WHERE message_id = ? AND acknowledgement = 'pending' ORDER BY id
                    """
            )
            let limitOf = try db.cachedStatement(
                sql: "SELECT acknowledgements_per_hour FROM mailbox WHERE address = ?"
            )
            let sentCount = try db.cachedStatement(
                sql: """
                    SELECT count(*) FROM reception INDEXED BY reception_acknowledged
                    WHERE envelope_sender = ? AND mailbox = ? AND acknowledgement = 'sent' AND received_at >= ?
                    """
            )
            let update = try db.cachedStatement(
                sql: "UPDATE reception SET acknowledgement = ?, acknowledgement_reason = ? WHERE id = ?"
            )
            let entry = try db.cachedStatement(sql: "SELECT * FROM reception WHERE id = ?")
            var reserved: [String: ReceptionEntry] = [:]
            for id in messageIDs {
                let pending = try Row.fetchAll(pendingCopies, arguments: [id])
                guard let first = pending.first else { continue }
                let firstID: Int64 = first["id"]
                let mailbox: String = first["mailbox"]
                let sender: String = first["envelope_sender"]
                let limit = try Int.fetchOne(limitOf, arguments: [mailbox]) ?? 10
                let sent = try Int.fetchOne(sentCount, arguments: [sender, mailbox, now.addingTimeInterval(-3600)]) ?? 0
                if sent >= limit {
                    for row in pending {
                        try update.execute(arguments: [
                            "suppressed", AcknowledgementSuppression.hourlyLimit.rawValue, row["id"] as Int64
                        ])
                    }
                    continue
                }
                try update.execute(arguments: ["sent", nil, firstID])
                for other in pending.dropFirst() { try update.execute(arguments: ["off", nil, other["id"] as Int64]) }
                reserved[id] = try ReceptionEntry.fetchOne(entry, arguments: [firstID])
            }
            return reserved
        }
    }

    /// Records what became of a reception's acknowledgement.
    public func setAcknowledgement(
        receptionID: Int64,
        _ state: ReceptionEntry.Acknowledgement,
        reason: AcknowledgementSuppression?,
        queueID: String?
    ) throws {
        try self.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE reception SET acknowledgement = ?, acknowledgement_reason = ?, acknowledgement_queue_id = ?
                    WHERE id = ?
                    """,
                arguments: [state.rawValue, reason?.rawValue, queueID, receptionID]
            )
        }
    }

    /// Copies whose Maildir storing was not confirmed (a crash, a failed write), oldest first.
    public func unstoredReceptions(limit: Int = 500) throws -> [ReceptionEntry] {
        try self.writer.read { db in
            try ReceptionEntry.fetchAll(
                db,
                sql: "SELECT * FROM reception WHERE stored = 0 ORDER BY id LIMIT ?",
                arguments: [limit]
            )
        }
    }

    /// The header a copy was stored with (to store it again after a crash).
    public func storedHeader(receptionID: Int64) throws -> [UInt8]? {
        try self.writer.read { db in
            try Data.fetchOne(db, sql: "SELECT stored_header FROM reception WHERE id = ?", arguments: [receptionID])
                .map { Array($0) }
        }
    }

    public func markStored(receptionIDs: [Int64]) throws {
        guard !receptionIDs.isEmpty else { return }
        try self.writer.write { db in
            try db.execute(
                sql:
                    "UPDATE reception SET stored = 1 WHERE id IN (\(receptionIDs.map(String.init).joined(separator: ",")))"
            )
        }
    }

    static func markStored(_ messageIDs: [String], in db: Database) throws {
        let update = try db.cachedStatement(sql: "UPDATE reception SET stored = 1 WHERE message_id = ?")
        for id in messageIDs { try update.execute(arguments: [id]) }
    }

    // MARK: - Owner alerts

    /// An account out of units, to be told once a day.
    public struct OwnerAlert: Hashable, Sendable, FetchableRecord {
        public var account: String
        public var day: String
        public var mailbox: String
        public var ownerAddress: String?

        public init(row: Row) throws {
            self.account = row["account"]
            self.day = row["day"]
            self.mailbox = row["mailbox"]
            self.ownerAddress = row["owner_address"]
        }
    }

    public func pendingOwnerAlerts() throws -> [OwnerAlert] {
        try self.writer.read { db in
            try OwnerAlert.fetchAll(db, sql: "SELECT * FROM owner_alert WHERE sent_at IS NULL ORDER BY created_at")
        }
    }

    public func markOwnerAlertSent(_ alert: OwnerAlert, at now: Date) throws {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE owner_alert SET sent_at = ? WHERE account = ? AND day = ?",
                arguments: [now, alert.account, alert.day]
            )
        }
    }

    // MARK: - The commit

    /// A received mail's rows: charged when the account's balance covers it, else written without
    /// its event (not certified) with an alert for the owner (one a day per account).
    static func insertReception(
        _ new: NewMessage,
        _ reception: ReceptionDelivery,
        in db: Database
    ) throws -> ReceptionCertification {
        var new = new
        var certification = ReceptionCertification.certified(evidenceID: reception.evidenceID)
        var charged = 0
        if new.event == nil {
            certification = .notCertified(reason: "this server writes no evidence")
        } else if let account = reception.account, reception.units > 0 {
            do {
                try Self.charge(
                    reception.units,
                    account: account,
                    queueID: new.message.id,
                    now: new.message.receivedAt,
                    reason: "certified reception",
                    in: db
                )
                charged = reception.units
            } catch is InsufficientUnits {
                certification = .notCertified(reason: "account \(account) is out of units")
                new.event = nil
                let first = reception.copies.first
                try db.execute(
                    sql: """
                        INSERT INTO owner_alert (account, day, mailbox, owner_address, created_at)
                        VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                        """,
                    arguments: [
                        account, Self.day(new.message.receivedAt), first?.mailbox.address ?? "",
                        first?.mailbox.ownerAddress ?? first?.mailbox.forwardTo, new.message.receivedAt
                    ]
                )
            }
        }
        try Self.insert(new, in: db)
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO reception (message_id, mailbox, recipient, received_at, envelope_sender, header_from,
                    subject, account, units, certified, not_certified_reason, evidence_id, maildir_file, stored_header,
                    stored, acknowledgement, acknowledgement_reason, language)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        for (index, copy) in reception.copies.enumerated() {
            let acknowledgement: (ReceptionEntry.Acknowledgement, AcknowledgementSuppression?)
            switch (copy.mailbox.acknowledge, copy.acknowledgementSuppressed, certification) {
            case (false, _, _): acknowledgement = (.off, nil)
            case (true, .some(let reason), _): acknowledgement = (.suppressed, reason)
            case (true, nil, .notCertified): acknowledgement = (.suppressed, .notCertified)
            case (true, nil, .certified): acknowledgement = (.pending, nil)
            }
            var evidenceID: String? = nil
            var reason: String? = nil
            switch certification {
            case .certified(let id): evidenceID = id
            case .notCertified(let why): reason = why
            }
            try insert.execute(arguments: [
                new.message.id, copy.mailbox.address, copy.recipient, new.message.receivedAt,
                reception.envelopeSender.lowercased(), reception.headerFrom, reception.subject, reception.account,
                index == 0 ? charged : 0, evidenceID != nil, reason, evidenceID, copy.maildirFile,
                copy.mailbox.maildir == nil
                    ? nil : Data(reception.storedHeader(for: copy, certification: certification)),
                copy.mailbox.maildir == nil, acknowledgement.0.rawValue, acknowledgement.1?.rawValue,
                copy.mailbox.language.rawValue
            ])
        }
        return certification
    }

    /// `YYYY-MM-DD` in UTC.
    static func day(_ date: Date) -> String {
        String(UTCDay(date).description)
    }
}

/// A UTC calendar day, as the owner alerts count them.
struct UTCDay: CustomStringConvertible {
    var description: String

    init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.description = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

extension AcknowledgementSuppression: DatabaseValueConvertible {}
