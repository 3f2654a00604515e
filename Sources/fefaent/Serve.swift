//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import FefaentServer
import Logging

/// `fefaent serve`: runs the daemon until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon until SIGTERM or SIGINT.")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let configuration = try loadConfiguration(self.options.config)
        bootstrapLogging(level: configuration.logLevel)
        let logger = Logger(label: "fefaent")
        let daemon = try FefaentDaemon(configuration: configuration, logger: logger)
        logger.info("fefaent starting", metadata: ["spool": "\(configuration.spoolDirectory)"])
        // The listeners bind inside the service group, once SIGTERM and SIGINT are trapped.
        try await daemon.run()
        logger.info("fefaent stopped")
    }
}

/// Loads the configuration, turning a bad value into a one-line error that names its key.
func loadConfiguration(_ path: String) throws -> FefaentConfiguration {
    do {
        return try FefaentConfiguration.load(path: path)
    } catch let error as ConfigurationError {
        throw CLIError("\(path): \(error)")
    }
}

/// Logs to standard error as `time level label: key=value … message`, every value escaped
/// (``FefaentLogHandler``).
func bootstrapLogging(level: String) {
    LoggingSystem.bootstrap { label in
        var handler = FefaentLogHandler(label: label)
        handler.logLevel = Logger.Level(rawValue: level) ?? .info
        return handler
    }
}
