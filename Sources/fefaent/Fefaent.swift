//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Glibc

/// `fefaent`: the certified-mail MTA's command line.
@main
struct Fefaent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fefaent",
        abstract: "Fefaent, a certified-mail MTA.",
        subcommands: [
            Serve.self, Demo.self, ConfigCommand.self, QueueCommand.self, KeysCommand.self, AccountCommand.self,
            MailboxCommand.self, APIKeyCommand.self, WebhookCommand.self,
            MessageCommand.self, EvidenceCommand.self
        ]
    )
}

extension Fefaent {
    /// Every file and folder Fefaent makes is its owner's only (`umask 077`, as Postfix's daemons
    /// run): the spool, the databases, the Maildir copies, the keys.
    static func main() async {
        umask(0o077)
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// The `--config` option every command that reads the configuration takes.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "etc/fefaent.toml"
}

/// A failure the user caused or must fix: printed as `Error: …`, exit status 1, no usage text.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
