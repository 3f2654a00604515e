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
import Spool

extension EvidenceCommand {
    /// `fefaent evidence recover --statement TEXT`: after a real disaster (the evidence database lost
    /// or damaged and no backup), records the loss instead of hiding it.
    struct Recover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the loss of evidence after a disaster, so the daemon can start again.",
            discussion: """
                Run it with the daemon stopped, only when the evidence database cannot be restored. It \
                never re-creates lost records: it writes a signed, logged EvidenceLogIncident record that \
                names the head the queue database had anchored (size and root) and the head found, with \
                your statement, then moves the anchor to the log as it is now. Checkpoints published or \
                kept before the loss still show what the log held.
                """
        )
        @OptionGroup var options: ConfigOption
        @Option(help: "What happened, in your words (it goes into the signed incident record).")
        var statement: String

        func run() async throws {
            let configuration = try loadConfiguration(self.options.config)
            guard let evidence = configuration.evidence else {
                throw CLIError("no [evidence] section in \(self.options.config)")
            }
            let spool: Spool
            do {
                spool = try Spool(directory: configuration.spoolDirectory)
            } catch let error as SpoolInUse {
                throw CLIError("\(error): stop the daemon first")
            }
            defer { try? spool.close() }
            let anchor = try spool.database.evidenceAnchor()
            let keys = try EvidenceKeys(evidence)
            let existing =
                FileManager.default.fileExists(atPath: evidence.database)
                ? try EvidenceLog.open(evidence, keys: keys) : nil
            let finding = try EvidenceIntegrity.check(anchor: anchor, log: existing)
            guard let anchor, finding != .consistent else {
                print("the evidence log extends the anchored head: nothing to recover")
                return
            }
            let log = try existing ?? EvidenceLog.open(evidence, keys: keys)
            let found = log.head
            let record = EvidenceRecord(
                kind: .logIncident,
                time: .now(),
                evidenceID: EvidenceID.make(),
                queueID: "-",
                messageID: nil,
                sender: "",
                recipients: [],
                subject: nil,
                messageSHA256: "",
                messageSize: 0,
                attachments: [],
                details: .incident(
                    anchoredSize: anchor.size,
                    anchoredRoot: Data(anchor.root).base64EncodedString(),
                    foundSize: found.size,
                    foundRoot: Data(found.root).base64EncodedString(),
                    statement: self.statement
                )
            )
            try log.append([record])
            guard let checkpoint = try log.checkpoint() else { throw CLIError("cannot write a checkpoint") }
            _ = await log.stamp(with: keys.stamper)
            try spool.database.saveEvidenceAnchor(
                EvidenceAnchor(size: checkpoint.size, root: checkpoint.root, note: checkpoint.note, updatedAt: Date()),
                allowingReset: true
            )
            print(EvidenceIntegrity.Refusal(finding: finding, path: evidence.database).summary(advice: "Recorded."))
            print(
                "incident record \(record.evidenceID) written at leaf \(found.size); the anchor is now size \(checkpoint.size)"
            )
        }
    }
}
