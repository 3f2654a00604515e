//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import FefaentServer

/// `fefaent keys init`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage keys and certificates.",
        subcommands: [Init.self]
    )

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a development CA, a TLS server certificate, the evidence signing and TSA certificates."
        )

        @Option(help: "The folder to write the keys into.")
        var dir: String = "etc/keys"

        @Option(help: "The server's host name, put in the TLS certificate.")
        var hostname: String = "fefaent.localhost"

        @Option(help: "Where the CA's CRL (ca.crl) will be published; every certificate names it.")
        var crlURL: String?

        @Flag(help: "Replace existing keys.")
        var force = false

        func run() async throws {
            do {
                try DevelopmentKeys.create(
                    in: self.dir,
                    hostname: self.hostname,
                    crlURL: self.crlURL,
                    force: self.force
                )
            } catch let error as ConfigurationError {
                throw CLIError(error.description)
            }
            for file in DevelopmentKeys.files {
                print("\(self.dir)/\(file)")
            }
        }
    }
}
