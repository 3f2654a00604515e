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
    /// Steps 8 and 9: the evidence the daemon wrote, exported and verified as an auditor would.
    static func evidenceSteps(daemon: FefaentDaemon, queueIDs: [String], work configPath: String) async throws {
        guard let service = daemon.evidence, let evidence = daemon.configuration.evidence else {
            throw DemoError("the demo config has an [evidence] section")
        }
        step(
            8,
            "Evidence: each step signed (CMS), time-stamped (RFC 3161) and logged (Merkle tree, signed checkpoints)"
        )
        var records: [StoredRecord] = []
        for _ in 0..<100 {
            records = try queueIDs.flatMap { try service.log.store.records(queueID: $0) }
            let stamped = try records.allSatisfy { try service.log.store.timestamp(evidenceID: $0.evidenceID) != nil }
            let covered = try records.allSatisfy {
                try service.log.store.checkpoint(covering: $0.leafIndex)?.token != nil
            }
            if records.count >= 3, stamped, covered { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let keys = try EvidenceKeys(evidence)
        for record in records {
            let genTime = (try? service.log.store.verifiedTimeStamp(of: record, trustedRoots: keys.trustedRoots))??
                .genTime
            say(
                "  leaf \(record.leafIndex)  \(record.evidenceID) \(record.kind)"
                    + (genTime.map { ", time-stamped \($0)" } ?? ", not stamped yet")
            )
        }
        guard records.count >= 3 else { throw DemoError("expected acceptance and delivery records") }
        if let checkpoint = try service.log.store.checkpoints().last {
            say("  the latest checkpoint (a C2SP signed note; customers keep these):")
            for line in checkpoint.note.split(separator: "\n") { say("    \(line)") }
        }

        step(9, "An auditor's check: export the delivered mail's evidence and verify it offline")
        let folder = (configPath as NSString).deletingLastPathComponent + "/evidence-\(queueIDs[1])"
        let delivered = try service.log.store.records(queueID: queueIDs[1])
        // The message as the sender's server sent it (behind the Received header Fefaent added).
        let message = try daemon.spool.database.message(id: queueIDs[1]).map {
            Array(try daemon.spool.contents(of: $0)[$0.headerLength...])
        }
        try EvidenceExporter(log: service.log, caPEM: keys.caPEM).export(
            records: delivered,
            message: message,
            to: folder
        )
        say("  written to \(folder); check it with openssl:")
        let id = delivered.last?.evidenceID ?? ""
        say(
            "    openssl cms -verify -binary -inform DER -in records/\(id).p7s -content records/\(id).json -CAfile ca.pem -purpose any"
        )
        say("    openssl ts -verify -token_in -in records/\(id).tsr -data records/\(id).sig -CAfile ca.pem")
        let (report, _) = EvidenceBundleVerifier.verify(directory: folder, trustedRoots: keys.trustedRoots, logKey: nil)
        for check in report.checks {
            say("  \(check.passed ? "ok  " : "FAIL") \(check.subject): \(check.text)")
        }
        guard report.passed else { throw DemoError("the exported evidence does not verify") }

        let fonts = EvidencePDF.defaultFonts.compactMap { path in
            FileManager.default.contents(atPath: path).flatMap {
                try? TrueTypeFont(data: Array($0), name: EvidencePDF.postScriptName(path))
            }
        }
        guard !fonts.isEmpty else {
            say("  (no TrueType fonts at \(EvidencePDF.defaultFonts.joined(separator: ", ")): the PDF step is skipped)")
            return
        }
        let document = try EvidencePDF.document(
            records: delivered,
            log: service.log,
            message: message,
            trustedRoots: keys.trustedRoots,
            caPEM: keys.caPEM
        )
        let pdf = try await PDFWriter(
            fonts: fonts,
            signer: keys.pdfSigner,
            stamper: keys.stamper,
            chainCertificates: keys.trustedRoots,
            revocationLists: keys.revocationLists
        ).write(document)
        let path = folder + ".pdf"
        try Data(pdf).write(to: URL(fileURLWithPath: path))
        let pdfReport = EvidencePDFVerifier.verify(pdf: pdf, trustedRoots: keys.trustedRoots, logKey: nil)
        say("  the evidence PDF: \(path) (\(pdf.count) bytes; check it with pdfsig or pyhanko sign validate)")
        for check in pdfReport.checks {
            say("  \(check.passed ? "ok  " : "FAIL") \(check.subject): \(check.text)")
        }
        guard pdfReport.passed else { throw DemoError("the evidence PDF does not verify") }
    }
}
