//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import FefaentServer
import Foundation
import HummingbirdBcrypt
import SMTPNIO
import Spool

/// `fefaent account add|list|show|set|credit|debit|delete`: the customers, their senders and their units.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Manage accounts: who may authenticate, which senders they certify for, their units and ledger.",
        subcommands: [Add.self, List.self, Show.self, Set.self, Credit.self, Debit.self, Delete.self]
    )

    /// What `add` and `set` may change.
    struct Settings: ParsableArguments {
        @Option(name: .customLong("sender"), help: "An address the account certifies for (repeat for more).")
        var senders: [String] = []
        @Option(name: .customLong("domain"), help: "A domain all of whose addresses it certifies for (repeatable).")
        var domains: [String] = []
        @Option(name: .customLong("network"), help: "A trusted network of the account's MTAs, e.g. 192.0.2.0/24.")
        var networks: [String] = []
        @Option(help: "The language of its notices: ca, es or en.") var language: String?
        @Option(help: "Whether the Cc addresses of its mails are certified too (true/false).") var certifyCc: Bool?

        func validate() throws {
            if let language, Account.Language(rawValue: language) == nil {
                throw ValidationError("--language must be ca, es or en")
            }
            for address in self.senders where !address.contains("@") {
                throw ValidationError("--sender \(address) is not an address")
            }
            for network in self.networks where IPNetwork(network) == nil {
                throw ValidationError("--network \(network) is not an address or address/prefix")
            }
        }

        /// Applies the options given; lists given replace the account's.
        func apply(to account: inout Account) {
            if !self.senders.isEmpty { account.senderAddresses = Account.joined(self.senders) }
            if !self.domains.isEmpty { account.senderDomains = Account.joined(self.domains) }
            if !self.networks.isEmpty { account.trustedNetworks = Account.joined(self.networks) }
            if let language = self.language.flatMap(Account.Language.init(rawValue:)) { account.language = language }
            if let certifyCc = self.certifyCc { account.certifyCc = certifyCc }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account; its SMTP AUTH password is read from standard input (or --no-password)."
        )

        @OptionGroup var options: ConfigOption
        @Argument(help: "The account (user) name, e.g. acme or alice@acme.example.") var name: String
        @OptionGroup var settings: Settings
        @Flag(help: "No SMTP AUTH: the account certifies in Cc mode only.") var noPassword = false
        @Option(help: "Units to start with (a ledger row says so).") var units: Int = 0

        func run() async throws {
            guard Account.isValidName(self.name) else {
                throw CLIError(
                    "an account name is 1 to 64 of A-Z a-z 0-9 . _ - (not \"\(DisplaySafe.escape(self.name))\")"
                )
            }
            let configuration = try loadConfiguration(self.options.config)
            let password: String
            if self.noPassword {
                password = TrackingToken.make() + TrackingToken.make()  // nobody knows it
            } else {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw CLIError(
                        "give the password on standard input, e.g. `echo secret | fefaent account add NAME`, or --no-password"
                    )
                }
                if let problem = Account.passwordProblem(line) { throw CLIError(problem) }
                password = line
            }
            let database = try openOrCreateQueue(configuration)
            let existing = try database.account(named: self.name)
            var account =
                existing ?? Account(name: self.name, passwordHash: "", createdAt: Date())
            account.passwordHash = Bcrypt.hash(password, cost: UInt8(configuration.bcryptCost))
            self.settings.apply(to: &account)
            try database.saveAccount(account)
            if self.units != 0 {
                try database.credit(
                    account: self.name,
                    units: self.units,
                    actor: operatorName(),
                    reason: "opening balance"
                )
            }
            print(
                "account \(self.name) \(existing == nil ? "added" : "saved") (bcrypt, cost \(configuration.bcryptCost))"
                    + (self.units != 0 ? ", \(self.units) units" : "")
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            for account in try database.accounts() {
                let senders = account.senderAddressList + account.senderDomainList.map { "*@\($0)" }
                print(
                    "\(account.name)  \(account.balance) units  \(account.language.rawValue)  "
                        + (senders.isEmpty ? "(no senders)" : senders.joined(separator: " "))
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an account and its ledger.")
        @OptionGroup var options: ConfigOption
        @Argument var name: String

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard let account = try database.account(named: self.name) else {
                throw CLIError("no account \(self.name)")
            }
            print("account           \(account.name)")
            print("created           \(utc(account.createdAt))")
            print("sender addresses  \(account.senderAddressList.joined(separator: " "))")
            print("sender domains    \(account.senderDomainList.joined(separator: " "))")
            print("trusted networks  \(account.trustedNetworkList.joined(separator: " "))")
            print("language          \(account.language.rawValue)")
            print("certify Cc        \(account.certifyCc ? "yes" : "no")")
            let ledger = try database.ledger(of: self.name)
            // The ledger is append-only; the balance column is a copy an operator could change by hand.
            let ledgerBalance = ledger.last?.balanceAfter ?? 0
            print(
                "balance           \(account.balance) units"
                    + (ledgerBalance == account.balance
                        ? "" : " (NOT what the ledger says: \(ledgerBalance); changed outside the ledger)")
            )
            print("ledger:")
            print("  #     when (UTC)            change  balance  by              why")
            for entry in ledger {
                print(
                    "  \(String(entry.id).padding(toLength: 5, withPad: " ", startingAt: 0)) \(utc(entry.at))  "
                        + "\(String(format: "%+6d", entry.change))  \(String(format: "%7d", entry.balanceAfter))  "
                        + "\(entry.actor.padding(toLength: 14, withPad: " ", startingAt: 0))  \(entry.reason)"
                        + (entry.queueId.map { " \($0)" } ?? "")
                )
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an account's senders, networks, language or Cc setting (lists given replace the old)."
        )
        @OptionGroup var options: ConfigOption
        @Argument var name: String
        @OptionGroup var settings: Settings
        @Flag(help: "Read a new SMTP AUTH password from standard input.") var password = false

        func run() async throws {
            let configuration = try loadConfiguration(self.options.config)
            let database = try openOrCreateQueue(configuration)
            guard var account = try database.account(named: self.name) else {
                throw CLIError("no account \(self.name)")
            }
            self.settings.apply(to: &account)
            if self.password {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw CLIError("give the new password on standard input")
                }
                if let problem = Account.passwordProblem(line) { throw CLIError(problem) }
                account.passwordHash = Bcrypt.hash(line, cost: UInt8(configuration.bcryptCost))
            }
            try database.saveAccount(account)
            print("account \(self.name) saved")
        }
    }

    struct Credit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add units to an account; the ledger records who and why."
        )
        @OptionGroup var options: ConfigOption
        @Argument var name: String
        @Argument(help: "Units to add, e.g. 100.") var units: Int
        @Option(help: "Why, as the ledger will say it.") var reason: String = "credit"

        func validate() throws {
            guard self.units > 0 else {
                throw ValidationError("units must be positive (`account debit` takes units away)")
            }
        }

        func run() async throws {
            try changeUnits(self.options, account: self.name, by: self.units, reason: self.reason)
        }
    }

    struct Debit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take units from an account (a refund, a correction); the ledger records who and why."
        )
        @OptionGroup var options: ConfigOption
        @Argument var name: String
        @Argument(help: "Units to take away, e.g. 5.") var units: Int
        @Option(help: "Why, as the ledger will say it.") var reason: String = "debit"

        func validate() throws {
            guard self.units > 0 else { throw ValidationError("units must be positive") }
        }

        func run() async throws {
            try changeUnits(self.options, account: self.name, by: -self.units, reason: self.reason)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account (its ledger stays).")
        @OptionGroup var options: ConfigOption
        @Argument var name: String

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard try database.deleteAccount(named: self.name) else {
                throw CLIError("no account \(self.name)")
            }
            print("account \(self.name) deleted")
        }
    }
}

/// Adds (or takes away) units with a ledger row, and says the new balance.
private func changeUnits(_ options: ConfigOption, account name: String, by units: Int, reason: String) throws {
    let database = try openOrCreateQueue(try loadConfiguration(options.config))
    guard try database.account(named: name) != nil else { throw CLIError("no account \(name)") }
    do {
        let balance = try database.credit(account: name, units: units, actor: operatorName(), reason: reason)
        print("account \(name): \(String(format: "%+d", units)) units, balance \(balance)")
    } catch let refusal as InsufficientUnits {
        throw CLIError("account \(name) has only \(refusal.balance) units")
    }
}

/// Who runs the command, as the ledger names an operator: `cli:USER`.
func operatorName() -> String {
    "cli:"
        + (ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown")
}

func openOrCreateQueue(_ configuration: FefaentConfiguration) throws -> SpoolDatabase {
    try FileManager.default.createDirectory(atPath: configuration.spoolDirectory, withIntermediateDirectories: true)
    return try SpoolDatabase.open(path: SpoolLayout(root: configuration.spoolDirectory).path(SpoolLayout.databaseFile))
}
