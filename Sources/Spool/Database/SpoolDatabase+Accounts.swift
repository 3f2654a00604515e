//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import GRDB

/// The balance does not cover a certified mail: nothing was queued or charged.
public struct InsufficientUnits: Error, Hashable, Sendable, CustomStringConvertible {
    public var account: String
    public var balance: Int
    public var price: Int

    public init(account: String, balance: Int, price: Int) {
        self.account = account
        self.balance = balance
        self.price = price
    }

    public var description: String {
        "account \(self.account) has \(self.balance) units, the mail costs \(self.price)"
    }
}

extension SpoolDatabase {
    /// Adds (or, with a negative `units`, removes) units with a ledger row; returns the new balance.
    @discardableResult
    public func credit(
        account name: String,
        units: Int,
        actor: String,
        reason: String,
        now: Date = Date()
    ) throws
        -> Int
    {
        try self.writer.write { db in
            guard let account = try Account.fetchOne(db, key: name) else {
                throw DatabaseError(message: "no account \(name)")
            }
            guard account.balance + units >= 0 else {
                throw InsufficientUnits(account: name, balance: account.balance, price: -units)
            }
            return try Self.changeBalance(
                db,
                account: name,
                by: units,
                actor: actor,
                reason: reason,
                queueID: nil,
                now: now
            )
        }
    }

    /// The account's ledger, oldest first.
    public func ledger(of account: String) throws -> [LedgerEntry] {
        try self.writer.read { db in
            try LedgerEntry.fetchAll(
                db,
                sql: "SELECT * FROM ledger WHERE account = ? ORDER BY id",
                arguments: [account]
            )
        }
    }

    /// Charges `units` inside the caller's transaction, or throws ``InsufficientUnits`` having changed
    /// nothing (the charge is the first write of a certified mail's commit, so no savepoint is needed).
    static func charge(
        _ units: Int,
        account: String,
        queueID: String,
        now: Date,
        reason: String = "certified mail",
        in db: Database
    ) throws {
        let update = try db.cachedStatement(
            sql: "UPDATE account SET balance = balance - ? WHERE name = ? AND balance >= ? RETURNING balance"
        )
        guard let balance = try Int.fetchOne(update, arguments: [units, account, units]) else {
            let check = try db.cachedStatement(sql: "SELECT balance FROM account WHERE name = ?")
            throw InsufficientUnits(
                account: account,
                balance: try Int.fetchOne(check, arguments: [account]) ?? 0,
                price: units
            )
        }
        try Self.appendLedger(
            db,
            account: account,
            change: -units,
            balanceAfter: balance,
            actor: "certification",
            reason: reason,
            queueID: queueID,
            now: now
        )
    }

    private static func changeBalance(
        _ db: Database,
        account: String,
        by units: Int,
        actor: String,
        reason: String,
        queueID: String?,
        now: Date
    ) throws -> Int {
        try db.execute(sql: "UPDATE account SET balance = balance + ? WHERE name = ?", arguments: [units, account])
        let balance = try Int.fetchOne(db, sql: "SELECT balance FROM account WHERE name = ?", arguments: [account]) ?? 0
        try Self.appendLedger(
            db,
            account: account,
            change: units,
            balanceAfter: balance,
            actor: actor,
            reason: reason,
            queueID: queueID,
            now: now
        )
        return balance
    }

    private static func appendLedger(
        _ db: Database,
        account: String,
        change: Int,
        balanceAfter: Int,
        actor: String,
        reason: String,
        queueID: String?,
        now: Date
    ) throws {
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO ledger (account, at, change, balance_after, actor, reason, queue_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        )
        try insert.execute(arguments: [account, now, change, balanceAfter, actor, reason, queueID])
    }
}
