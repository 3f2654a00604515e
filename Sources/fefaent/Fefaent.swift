//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser

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
