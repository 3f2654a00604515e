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
import Spool

/// `fefaent account add|list|delete`: the accounts that may AUTH on the submission ports.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Manage the accounts that may authenticate.",
        subcommands: [Add.self, List.self, Delete.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account, or set its password; the password is read from standard input."
        )

        @OptionGroup var options: ConfigOption
        @Argument(help: "The account (user) name, e.g. acme or alice@acme.example.") var name: String

        func run() async throws {
            let configuration = try loadConfiguration(self.options.config)
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CLIError("give the password on standard input, e.g. `echo secret | fefaent account add NAME`")
            }
            let database = try openOrCreateQueue(configuration)
            let hash = Bcrypt.hash(line, cost: UInt8(configuration.bcryptCost))
            try database.saveAccount(Account(name: self.name, passwordHash: hash, createdAt: Date()))
            print("account \(self.name) saved (bcrypt, cost \(configuration.bcryptCost))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            for account in try database.accounts() {
                print("\(account.name)  created \(utc(account.createdAt))")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account.")
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

func openOrCreateQueue(_ configuration: FefaentConfiguration) throws -> SpoolDatabase {
    try FileManager.default.createDirectory(atPath: configuration.spoolDirectory, withIntermediateDirectories: true)
    return try SpoolDatabase.open(path: SpoolLayout(root: configuration.spoolDirectory).path(SpoolLayout.databaseFile))
}
