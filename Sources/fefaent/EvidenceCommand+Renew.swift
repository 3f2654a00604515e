//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Evidence
import FefaentServer
import Foundation

extension EvidenceCommand {
    /// `fefaent evidence renew [--within-days N]`: archive time-stamps before certificates expire.
    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add archive time-stamps to records whose time-stamp certificates expire soon.",
            discussion: """
                Each archive time-stamp covers the record, its signature and every token before it, so the \
                evidence stays verifiable after the older certificates expire. The daemon does this on its \
                own once a day (`[evidence] renew_within_days`); this runs it now.
                """
        )
        @OptionGroup var options: ConfigOption
        @Option(help: "Renew records whose newest time-stamp's certificate expires within this many days.")
        var withinDays: Int?

        func run() async throws {
            let configuration = try loadConfiguration(self.options.config)
            let (log, keys) = try openEvidence(self.options.config)
            let days = self.withinDays ?? configuration.evidence?.renewWithinDays ?? 90
            guard days >= 0 else { throw CLIError("--within-days must not be negative") }
            let due = try log.dueForRenewal(
                before: Date().addingTimeInterval(TimeInterval(days) * 86_400),
                trustedRoots: keys.trustedRoots
            )
            let (renewed, failure) = await log.renew(due, with: keys.stamper)
            print("\(renewed) of \(due.count) record(s) due within \(days) days renewed with an archive time-stamp")
            if let failure {
                throw CLIError("the time-stamping authority failed: \(failure)")
            }
        }
    }
}
