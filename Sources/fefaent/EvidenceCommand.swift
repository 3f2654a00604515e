//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Crypto
import Evidence
import FefaentServer
import Foundation
import Spool
import SwiftASN1
import X509

/// `fefaent evidence`: read, export, verify and audit the evidence.
struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Show, export, verify and audit signed, time-stamped evidence.",
        subcommands: [
            List.self, Show.self, Export.self, PDF.self, Verify.self, Audit.self, Checkpoint.self, Consistency.self,
            Renew.self, Recover.self
        ]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List evidence records, oldest first.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Only the records of this queue id.") var queue: String?

        func run() async throws {
            let (log, _) = try openEvidence(self.options.config)
            let records =
                try self.queue.map { try log.store.records(queueID: $0) } ?? log.store.allRecords(limit: 100_000)
            print("LEAF  EVIDENCE ID                  KIND                       TIME (UTC)                STAMPED")
            for record in records {
                let stamped = try log.store.timestamp(evidenceID: record.evidenceID) != nil
                print(
                    String(record.leafIndex).padding(toLength: 5, withPad: " ", startingAt: 0),
                    record.evidenceID.padding(toLength: 28, withPad: " ", startingAt: 0),
                    record.kind.padding(toLength: 26, withPad: " ", startingAt: 0),
                    UTCDateTime(millisecondsSinceEpoch: record.timeMs).description.padding(
                        toLength: 25,
                        withPad: " ",
                        startingAt: 0
                    ),
                    stamped ? "yes" : "not yet"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a record and where it stands: signature, time-stamp, log."
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The evidence id.") var id: String

        func run() async throws {
            let (log, keys) = try openEvidence(self.options.config)
            guard let record = try log.store.record(id: self.id) else {
                throw CLIError("no evidence record \(self.id)")
            }
            let json = try JSONSerialization.jsonObject(with: Data(record.body))
            let pretty = try JSONSerialization.data(
                withJSONObject: json,
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            )
            print(String(decoding: pretty, as: UTF8.self))
            let stamp = try log.store.timestamp(evidenceID: record.evidenceID)
            var unsigned: [[UInt8]] = []
            if let stamp { unsigned.append(CMSSigner.signatureTimeStampAttribute(token: stamp.token)) }
            let cms = try log.signer.assemble(record.signature, unsignedAttributes: unsigned)
            do {
                let verified = try CMSVerifier.verify(
                    cms,
                    detachedContent: record.body,
                    trustedRoots: keys.trustedRoots,
                    requiredUsage: .emailProtection
                )
                print("signature   valid, by \(verified.signer.subject)")
                if let signed = verified.signingTime { print("signed at   \(signed)") }
            } catch {
                print("signature   INVALID: \(error)")
            }
            do {
                if let token = try log.store.verifiedTimeStamp(of: record, trustedRoots: keys.trustedRoots) {
                    print("time-stamp  \(token.genTime) by \(token.authority.subject)")
                } else {
                    print("time-stamp  not yet (the TSA is asked every checkpoint interval)")
                }
            } catch {
                print("time-stamp  INVALID: \(error)")
            }
            print("log         leaf \(record.leafIndex); leaf hash \(Data(record.leafHash).base64EncodedString())")
            if let checkpoint = try log.store.checkpoint(covering: record.leafIndex) {
                let proof = try log.inclusionProof(index: record.leafIndex, size: checkpoint.size)
                let included = MerkleTree.verifyInclusion(
                    leafHash: record.leafHash,
                    index: record.leafIndex,
                    size: checkpoint.size,
                    proof: proof,
                    root: checkpoint.root
                )
                print(
                    "checkpoint  size \(checkpoint.size), inclusion proof of \(proof.count) hashes: \(included ? "valid" : "INVALID")"
                )
            } else {
                print("checkpoint  none covers it yet")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a self-contained folder: records, signatures, tokens, proofs, certificates, the message."
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "A queue id, or an evidence id: every record of its message is exported.") var id: String
        @Option(help: "The folder to write (new or empty).") var out: String

        func run() async throws {
            let (log, keys) = try openEvidence(self.options.config)
            let (records, message) = try evidenceRecords(for: self.id, log: log, configPath: self.options.config)
            do {
                try EvidenceExporter(log: log, caPEM: keys.caPEM).export(
                    records: records,
                    message: message,
                    to: self.out
                )
            } catch let problem as EvidenceProblem {
                throw CLIError(problem.description)
            }
            print(
                "\(records.count) record(s) written to \(self.out)\(message == nil ? " (the message is no longer in the spool)" : "")"
            )
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Verify exported evidence offline, trusting only a CA certificate; says what holds and what does not."
        )
        @Argument(help: "An exported evidence folder (`fefaent evidence export`).") var path: String
        @Option(help: "The CA certificate to trust (default: ca.pem in the folder).") var ca: String?
        @Option(help: "The log's verifier key (default: log.vkey in the folder).") var logKey: String?

        func run() async throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: self.path, isDirectory: &isDirectory) else {
                throw CLIError("\(self.path) does not exist")
            }
            if !isDirectory.boolValue {
                guard let data = FileManager.default.contents(atPath: self.path), data.starts(with: Array("%PDF-".utf8))
                else {
                    throw CLIError(
                        "\(self.path) is neither an evidence PDF nor an evidence folder (`fefaent evidence export`)"
                    )
                }
                guard let caPath = self.ca else { throw CLIError("a PDF is verified against --ca CA.pem") }
                let report = EvidencePDFVerifier.verify(
                    pdf: Array(data),
                    trustedRoots: try readCA(caPath),
                    logKey: try self.logKey.map(readLogKey)
                )
                printReport(report)
                if !report.passed { throw ExitCode(1) }
                return
            }
            let roots = try readCA(self.ca ?? self.path + "/ca.pem")
            let (report, _) = EvidenceBundleVerifier.verify(
                directory: self.path,
                trustedRoots: roots,
                logKey: try self.logKey.map(readLogKey)
            )
            printReport(report)
            if !report.passed { throw ExitCode(1) }
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the whole log: every record and checkpoint, and checkpoints kept by others."
        )
        @OptionGroup var options: ConfigOption
        @Option(name: .customLong("checkpoint"), help: "A checkpoint someone kept (a signed note file); repeatable.")
        var checkpoints: [String] = []
        @Flag(help: "Also verify every record's CMS signature (one ECDSA verification per record).")
        var signatures = false
        @Flag(
            help:
                "Also verify every record's signature and own time-stamp token (the checkpoints' tokens are always verified)."
        )
        var deep = false

        func run() async throws {
            let (log, keys) = try openEvidence(self.options.config)
            let notes = try self.checkpoints.map { path in
                guard let note = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw CLIError("cannot read the kept checkpoint \(path)")
                }
                guard note.hasSuffix("\n"), note.contains("\n\n\u{2014} ") else {
                    throw CLIError(
                        "\(path) is not a signed checkpoint (a C2SP signed note from `fefaent evidence checkpoint`)"
                    )
                }
                return note
            }
            let auditor = EvidenceAuditor(
                store: log.store,
                trustedRoots: keys.trustedRoots,
                signer: log.signer.certificate,
                logKey: (log.origin, keys.logKey.publicKey)
            )
            let (report, summary) = try auditor.audit(
                keptCheckpoints: notes,
                verifyRecordSignatures: self.signatures || self.deep,
                verifyRecordTimeStamps: self.deep
            )
            printReport(report)
            print(
                String(
                    format: "%d records (%d time-stamped), %d checkpoints, audited in %.3f s (%.0f records/s)",
                    summary.records,
                    summary.stampedRecords,
                    summary.checkpoints,
                    summary.seconds,
                    Double(summary.records) / max(summary.seconds, 1e-9)
                )
            )
            if !report.passed { throw ExitCode(1) }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the latest signed checkpoint (keep it: audits compare against it)."
        )
        @OptionGroup var options: ConfigOption
        @Flag(help: "Say where checkpoints went instead: the anchor, the publication folder, each witness.")
        var status = false

        func run() async throws {
            let (log, _) = try openEvidence(self.options.config)
            guard let checkpoint = try log.store.latestCheckpoint() else { throw CLIError("no checkpoint yet") }
            guard self.status else {
                print(checkpoint.note, terminator: "")
                return
            }
            let configuration = try loadConfiguration(self.options.config)
            let (database, _) = try openQueue(self.options.config)
            print(
                "log          \(log.head.size) records; newest checkpoint \(checkpoint.size), written \(checkpoint.createdAt), "
                    + (checkpoint.token == nil ? "not time-stamped yet" : "time-stamped")
            )
            print(
                "anchor       \(try database.evidenceAnchor().map { "size \($0.size)" } ?? "none yet") (queue database)"
            )
            if let folder = configuration.evidence?.publicationFolder {
                let latest = (try? String(contentsOfFile: folder + "/latest.txt", encoding: .utf8))
                    .flatMap { $0.split(separator: "\n").dropFirst().first }
                print("published    \(folder): \(latest.map { "latest size \($0)" } ?? "nothing yet")")
            } else {
                print("published    no publication_folder configured")
            }
            let states = Dictionary(uniqueKeysWithValues: try database.witnessStates().map { ($0.url, $0) })
            let witnesses = configuration.evidence?.witnesses ?? []
            if witnesses.isEmpty { print("witnesses    none configured") }
            for url in witnesses {
                let state = states[url]
                var line = "witness      \(url): "
                if let state, state.acknowledgedSize > 0 {
                    line += "cosigned size \(state.acknowledgedSize) at \(state.acknowledgedAt.map(utc) ?? "?")"
                } else {
                    line += "has cosigned nothing yet"
                }
                if let error = state?.lastError {
                    line += "; last try \(state?.lastAttemptAt.map(utc) ?? "?") failed: \(error)"
                }
                print(line)
            }
        }
    }
}

/// The CA certificates in a PEM file, or a one-line error.
func readCA(_ path: String) throws -> [Certificate] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw CLIError("cannot read the CA certificate \(path)")
    }
    guard let roots = try? PEMDocument.parseMultiple(pemString: text).map({ try Certificate(pemDocument: $0) }),
        !roots.isEmpty
    else { throw CLIError("\(path) holds no PEM certificate") }
    return roots
}

/// A log verifier key file (C2SP note format), or a one-line error.
func readLogKey(_ path: String) throws -> (name: String, key: Curve25519.Signing.PublicKey) {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw CLIError("cannot read the log key \(path)")
    }
    do {
        return try Evidence.Checkpoint.publicKey(fromVerifierKey: text)
    } catch {
        throw CLIError("\(path) is not a log verifier key (name+keyid+base64, from log.vkey): \(error)")
    }
}

func printReport(_ report: VerificationReport) {
    for check in report.checks {
        print("\(check.passed ? "ok  " : "FAIL") \(check.subject): \(check.text)")
    }
    print(report.passed ? "VERIFIED" : "NOT VERIFIED")
}

/// The records of an evidence id, or of every event of a queue id, and the original message if the
/// spool still holds it (without the Received header Fefaent added).
func evidenceRecords(for id: String, log: EvidenceLog, configPath: String) throws -> ([StoredRecord], [UInt8]?) {
    // An evidence id stands for its message: a bundle always carries every record of the message.
    var records = try log.store.records(queueID: id)
    if records.isEmpty, let record = try log.store.record(id: id) {
        records = try log.store.records(queueID: record.queueID)
    }
    guard let first = records.first else { throw CLIError("no evidence for \(id)") }
    var message: [UInt8]? = nil
    if let (database, layout) = try? openQueue(configPath), let queued = try database.message(id: first.queueID) {
        message = Array(try layout.contents(of: queued)[queued.headerLength...])
    }
    return (records, message)
}

func openEvidence(_ configPath: String) throws -> (EvidenceLog, EvidenceKeys) {
    let configuration = try loadConfiguration(configPath)
    guard let evidence = configuration.evidence else {
        throw CLIError("no [evidence] section in \(configPath)")
    }
    guard FileManager.default.fileExists(atPath: evidence.database) else {
        throw CLIError("no evidence at \(evidence.database): the daemon has not run with this configuration yet")
    }
    let keys = try EvidenceKeys(evidence)
    let log = try EvidenceLog.open(evidence, keys: keys)
    return (log, keys)
}
