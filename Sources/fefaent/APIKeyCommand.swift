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
import Spool

/// `fefaent apikey add|list|revoke`: the API keys of accounts (API v1, `Authorization: Bearer`).
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey",
        abstract: "Manage API keys: each sends certified mail and reads evidence for one account.",
        discussion: """
            A key is shown once, when it is made; the server keeps only its SHA-256. A running server
            sees new and revoked keys at once.
            """,
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a key for an account and print it once.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account the key acts for.") var account: String
        @Option(help: "What the key is for (shown by list).") var label: String = ""

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard try database.account(named: self.account) != nil else {
                throw CLIError("no account \(self.account) (fefaent account add \(self.account) first)")
            }
            let label = String(self.label.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(100))
            let issued = try database.addAPIKey(account: self.account, label: label)
            print(issued.token)
            FileHandle.standardError.write(
                Data(
                    "key \(issued.key.id) of account \(self.account) made: keep it now, it is not shown again\n".utf8
                )
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Only this account's keys.") var account: String?

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            let keys = try database.apiKeys(account: self.account)
            guard !keys.isEmpty else { return print("no API keys") }
            let format = ISO8601DateFormatter()
            print("ID                ACCOUNT           CREATED               LAST USED             STATE    LABEL")
            for key in keys {
                let state = key.revokedAt.map { "revoked " + format.string(from: $0) } ?? "active"
                print(
                    [
                        key.id, key.account.padding(toLength: 16, withPad: " ", startingAt: 0),
                        format.string(from: key.createdAt), key.lastUsedAt.map { format.string(from: $0) } ?? "never",
                        state, key.label
                    ].joined(separator: "  ")
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key for good: its calls get 401.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The key's id (as list shows it), or the whole key.") var key: String

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            let id = APIKey.parse(self.key)?.id ?? self.key
            guard try database.apiKey(id: id) != nil else { throw CLIError("no API key \(id)") }
            guard try database.revokeAPIKey(id: id) else { throw CLIError("key \(id) was already revoked") }
            print("key \(id) revoked")
        }
    }
}
