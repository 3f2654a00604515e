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

/// `fefaent mailbox add|list|show|set|remove`: certified-reception mailboxes, and what they received.
struct MailboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbox",
        abstract:
            "Manage certified-reception mailboxes: where their mail goes, who pays, how senders are acknowledged.",
        discussion: """
            A running server reads the mailboxes again within a second: no restart is needed.
            ADDRESS is an address (claims@example.com) or a whole domain (@claims.example.com).
            """,
        subcommands: [Add.self, List.self, Show.self, Set.self, Remove.self]
    )

    /// What `add` and `set` may change.
    struct Settings: ParsableArguments {
        @Option(help: "The account charged: one unit per started 5 MB of each mail.") var account: String?
        @Option(help: "The Maildir the mail is stored in (made when missing).") var maildir: String?
        @Option(help: "The company's real mailbox: a copy is queued for it.") var forward: String?
        @Option(help: "Acknowledge each mail to its sender with the evidence PDF (true/false).") var acknowledge: Bool?
        @Option(help: "The language of acknowledgements: ca, es or en.") var language: String?
        @Option(help: "The most acknowledgements one sender gets in an hour.") var acknowledgementsPerHour: Int?
        @Option(help: "Who is told when the account runs out of units (default: the forward address).") var owner:
            String?

        func validate() throws {
            if let language, Account.Language(rawValue: language) == nil {
                throw ValidationError("--language must be ca, es or en")
            }
            if let limit = self.acknowledgementsPerHour, limit < 0 {
                throw ValidationError("--acknowledgements-per-hour must be 0 or more")
            }
            for (name, address) in [("--forward", self.forward), ("--owner", self.owner)] {
                if let address, !address.contains("@") || address.hasPrefix("@") {
                    throw ValidationError("\(name) \(address) is not an address")
                }
            }
        }

        /// Applies the options given.
        func apply(to mailbox: inout ReceptionMailbox) {
            if let account = self.account { mailbox.account = account.isEmpty ? nil : account }
            if let maildir = self.maildir {
                mailbox.maildir = maildir.isEmpty ? nil : URL(fileURLWithPath: maildir).standardizedFileURL.path
            }
            if let forward = self.forward { mailbox.forwardTo = forward.isEmpty ? nil : forward.lowercased() }
            if let acknowledge = self.acknowledge { mailbox.acknowledge = acknowledge }
            if let language = self.language.flatMap(Account.Language.init(rawValue:)) { mailbox.language = language }
            if let limit = self.acknowledgementsPerHour { mailbox.acknowledgementsPerHour = limit }
            if let owner = self.owner { mailbox.ownerAddress = owner.isEmpty ? nil : owner.lowercased() }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a reception mailbox.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "claims@example.com, or @example.com for a whole domain.") var address: String
        @OptionGroup var settings: Settings

        func run() async throws {
            guard ReceptionMailbox.isValidAddress(self.address) else {
                throw CLIError("\(self.address) is neither an address nor @domain")
            }
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            var mailbox = ReceptionMailbox(address: self.address)
            self.settings.apply(to: &mailbox)
            try check(mailbox, database: database)
            guard try database.mailbox(named: mailbox.address) == nil else {
                throw CLIError("mailbox \(mailbox.address) exists; change it with `fefaent mailbox set`")
            }
            if let maildir = mailbox.maildir { try Maildir(path: maildir).create() }
            try database.addMailbox(mailbox)
            print("mailbox \(mailbox.address) added: " + describe(mailbox))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List reception mailboxes.")
        @OptionGroup var options: ConfigOption

        func run() async throws {
            let configuration = try loadConfiguration(self.options.config)
            let database = try openOrCreateQueue(configuration)
            for mailbox in try database.mailboxes() {
                print("\(mailbox.address)  " + describe(mailbox))
            }
            for address in configuration.receptionMailboxes {
                print(
                    "\(address.lowercased())  (config file) maildir \(configuration.spoolDirectory)/mailboxes/\(address.lowercased())"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a mailbox and what it received, newest first.")
        @OptionGroup var options: ConfigOption
        @Argument var address: String
        @Option(help: "How many mails to list.") var limit: Int = 50

        func run() async throws {
            let configuration = try loadConfiguration(self.options.config)
            let database = try openOrCreateQueue(configuration)
            let address = self.address.lowercased()
            if let mailbox = try database.mailbox(named: address) {
                print("mailbox           \(mailbox.address)")
                print("account           \(mailbox.account ?? "(none: not charged)")")
                print("maildir           \(mailbox.maildir ?? "(none)")")
                print("forward to        \(mailbox.forwardTo ?? "(none)")")
                print(
                    "acknowledge       \(mailbox.acknowledge ? "yes, at most \(mailbox.acknowledgementsPerHour) per sender an hour" : "no")"
                )
                print("language          \(mailbox.language.rawValue)")
                print("owner             \(mailbox.ownerAddress ?? mailbox.forwardTo ?? "(none)")")
            } else if configuration.receptionMailboxes.map({ $0.lowercased() }).contains(address) {
                print("mailbox           \(address) (config file)")
            } else {
                throw CLIError("no mailbox \(address)")
            }
            let entries = try database.receptions(mailbox: address, limit: self.limit)
            print("received:         \(entries.count == self.limit ? "the last \(self.limit)" : "\(entries.count)")")
            print(
                "  time (UTC)            from                           evidence id                  acknowledgement   subject"
            )
            for entry in entries {
                let evidence = entry.evidenceId ?? "not certified (\(entry.notCertifiedReason ?? "?"))"
                var acknowledgement = entry.acknowledgement.rawValue
                if let reason = entry.acknowledgementReason { acknowledgement += ": \(reason.rawValue)" }
                print(
                    "  \(utc(entry.receivedAt))  \(pad(DisplaySafe.escape(entry.headerFrom ?? entry.envelopeSender), 30))  "
                        + "\(pad(evidence, 27))  \(pad(acknowledgement, 16))  \(DisplaySafe.escape(entry.subject ?? ""))"
                )
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a mailbox's settings (an empty value clears --account, --maildir, --forward, --owner)."
        )
        @OptionGroup var options: ConfigOption
        @Argument var address: String
        @OptionGroup var settings: Settings

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard var mailbox = try database.mailbox(named: self.address) else {
                throw CLIError("no mailbox \(self.address.lowercased())")
            }
            self.settings.apply(to: &mailbox)
            try check(mailbox, database: database)
            if let maildir = mailbox.maildir { try Maildir(path: maildir).create() }
            try database.updateMailbox(mailbox)
            print("mailbox \(mailbox.address) saved: " + describe(mailbox))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a mailbox (its Maildir, its records and its list of receptions stay)."
        )
        @OptionGroup var options: ConfigOption
        @Argument var address: String

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard try database.removeMailbox(self.address) else {
                throw CLIError("no mailbox \(self.address.lowercased())")
            }
            print("mailbox \(self.address.lowercased()) removed")
        }
    }
}

/// Refuses a mailbox that would lose or loop mail.
private func check(_ mailbox: ReceptionMailbox, database: SpoolDatabase) throws {
    guard mailbox.maildir != nil || mailbox.forwardTo != nil else {
        throw CLIError("mailbox \(mailbox.address) needs --maildir, --forward or both: its mail must go somewhere")
    }
    if let forward = mailbox.forwardTo,
        forward == mailbox.address
            || (mailbox.isDomain && forward.hasSuffix(mailbox.address))
    {
        throw CLIError("--forward \(forward) is the mailbox itself: its mail would loop")
    }
    if let account = mailbox.account, try database.account(named: account) == nil {
        throw CLIError("no account \(account) (add it with `fefaent account add`)")
    }
}

private func describe(_ mailbox: ReceptionMailbox) -> String {
    var parts: [String] = []
    parts.append("account \(mailbox.account ?? "(none)")")
    if let maildir = mailbox.maildir { parts.append("maildir \(maildir)") }
    if let forward = mailbox.forwardTo { parts.append("forward to \(forward)") }
    parts.append(
        mailbox.acknowledge
            ? "acknowledged (\(mailbox.language.rawValue), \(mailbox.acknowledgementsPerHour)/h)" : "not acknowledged"
    )
    return parts.joined(separator: ", ")
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text.padding(toLength: width, withPad: " ", startingAt: 0)
}
