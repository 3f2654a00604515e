//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import SMTPCore
public import Spool
import Synchronization

/// The reception mailboxes: the `mailbox` table (read again by ``refresh()``, so `fefaent mailbox
/// add` takes effect on a running server) over those of the config file.
public final class MailboxDirectory: Sendable {
    private let configured: [String: ReceptionMailbox]
    private let table = Mutex<[String: ReceptionMailbox]>([:])
    public let database: SpoolDatabase

    public init(configured: [ReceptionMailbox], database: SpoolDatabase) {
        self.configured = Dictionary(configured.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        self.database = database
    }

    /// Reads the table again.
    public func refresh() throws {
        let mailboxes = try self.database.mailboxes()
        self.table.withLock { $0 = Dictionary(uniqueKeysWithValues: mailboxes.map { ($0.address, $0) }) }
    }

    /// The mailbox an address belongs to: its own, else its domain's (`@domain`).
    public func mailbox(for address: String) -> ReceptionMailbox? {
        let lowered = address.lowercased()
        guard let at = lowered.lastIndex(of: "@") else { return nil }
        let domain = String(lowered[at...])
        return self.table.withLock { table in
            table[lowered] ?? self.configured[lowered] ?? table[domain] ?? self.configured[domain]
        }
    }

    /// The lookup the SMTP listeners ask at RCPT.
    public var ingressDirectory: ReceptionDirectory {
        ReceptionDirectory(owner: self) { [self] address in self.mailbox(for: address) != nil }
    }
}
