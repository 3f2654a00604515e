//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Evidence
import FefaentServer
import Foundation
import Spool
import SwiftASN1
import X509

extension Demo {
    /// The log behind the notices, and an auditor's offline check of one message's evidence.
    static func evidenceSteps(daemon: FefaentDaemon, queueID: String, work: String, number: Int) async throws {
        guard let service = daemon.evidence, let evidence = daemon.configuration.evidence else {
            throw DemoError("the demo config has an [evidence] section")
        }
        step(number, "An auditor's check: the Cc-mode mail's records, exported and verified offline")
        let keys = try EvidenceKeys(evidence)
        let records = try service.log.store.records(queueID: queueID)
        for record in records {
            let genTime = (try? service.log.store.verifiedTimeStamp(of: record, trustedRoots: keys.trustedRoots))??
                .genTime
            say(
                "  leaf \(record.leafIndex)  \(record.evidenceID) \(record.kind)"
                    + (genTime.map { ", time-stamped \($0)" } ?? ", not stamped yet")
            )
        }
        if let checkpoint = try service.log.store.checkpoints().last {
            say("  the latest checkpoint (a C2SP signed note; every notice and PDF quotes one):")
            for line in checkpoint.note.split(separator: "\n") { say("    \(line)") }
        }
        let folder = work + "/evidence/export-\(queueID)"
        let message = try daemon.spool.database.message(id: queueID).map {
            Array(try daemon.spool.contents(of: $0)[$0.headerLength...])
        }
        try EvidenceExporter(log: service.log, caPEM: keys.caPEM).export(records: records, message: message, to: folder)
        say("  exported to \(folder); each record checks with openssl:")
        let id = records.first?.evidenceID ?? ""
        say(
            "    openssl cms -verify -binary -inform DER -in records/\(id).p7s -content records/\(id).json -CAfile ca.pem -purpose any"
        )
        let (report, _) = EvidenceBundleVerifier.verify(directory: folder, trustedRoots: keys.trustedRoots, logKey: nil)
        let failed = report.checks.filter { !$0.passed }
        say("  fefaent evidence verify: \(report.checks.count) checks, \(failed.isEmpty ? "all passed" : "FAILED")")
        for check in failed { say("  FAIL \(check.subject): \(check.text)") }
        guard report.passed else { throw DemoError("the exported evidence does not verify") }
    }
}
