//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import FefaentServer

/// `fefaent config check`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a configuration file; a bad value names its key and what is wrong."
        )

        @OptionGroup var options: ConfigOption

        func run() async throws {
            let configuration = try loadConfiguration(self.options.config)
            let review = ConfigurationReview(configuration)
            for warning in review.warnings { print("warning: \(warning)") }
            guard review.problems.isEmpty else {
                throw CLIError(
                    "\(self.options.config): \(review.problems.count) problem(s)\n"
                        + review.problems.map { "  - \($0)" }.joined(separator: "\n")
                )
            }
            print("\(self.options.config): ok")
            print("  hostname      \(configuration.hostname)")
            print("  spool         \(configuration.spoolDirectory)")
            print("  certifier     \(configuration.certifierAddresses.joined(separator: ", "))")
            print(
                "  message size  \(configuration.maximumMessageSize) octets, \(configuration.maximumRecipients) recipients"
            )
            for listener in configuration.listeners {
                print("  listener      \(listener.name) (\(listener.kind)) on \(listener.host):\(listener.port)")
            }
        }
    }
}
