//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
import Foundation
public import X509

/// What a verification found: each check, passed or not, in words an auditor can act on.
public struct VerificationReport: Sendable {
    public struct Check: Sendable {
        public var passed: Bool
        public var subject: String
        public var text: String
    }

    public var checks: [Check] = []

    public init() {}

    public var passed: Bool { !self.checks.isEmpty && self.checks.allSatisfy(\.passed) }

    public mutating func pass(_ subject: String, _ text: String) {
        self.checks.append(Check(passed: true, subject: subject, text: text))
    }
    public mutating func fail(_ subject: String, _ text: String) {
        self.checks.append(Check(passed: false, subject: subject, text: text))
    }
}

/// Verifies an exported evidence folder (``EvidenceExporter``) offline, trusting only `trustedRoots`.
public enum EvidenceBundleVerifier {
    public static func verify(
        directory: String,
        trustedRoots: [Certificate],
        logKey: (name: String, key: Curve25519.Signing.PublicKey)?
    ) -> (report: VerificationReport, records: [EvidenceRecord]) {
        var report = VerificationReport()
        var records: [EvidenceRecord] = []
        let manager = FileManager.default

        // The checkpoint the proofs refer to.
        var checkpoint: Checkpoint? = nil
        let keyText = try? String(contentsOfFile: directory + "/log.vkey", encoding: .utf8)
        let key = logKey ?? keyText.flatMap { try? Checkpoint.publicKey(fromVerifierKey: $0) }
        if let note = try? String(contentsOfFile: directory + "/checkpoint.txt", encoding: .utf8), let key {
            do {
                let verified = try Checkpoint(verifying: note, publicKey: key.key)
                checkpoint = verified
                report.pass("checkpoint", "signed by the log key \(key.name) (tree size \(verified.size))")
                if let token = manager.contents(atPath: directory + "/checkpoint.tsr") {
                    let stamp = try TimeStampToken(
                        verifying: Array(token),
                        for: Array(SHA256.hash(data: Array(note.utf8))),
                        trustedRoots: trustedRoots
                    )
                    report.pass("checkpoint", "time-stamped \(stamp.genTime) by \(stamp.authority.subject)")
                } else {
                    report.fail("checkpoint", "has no time-stamp (checkpoint.tsr is missing)")
                }
            } catch {
                report.fail("checkpoint", "\(error)")
            }
        } else {
            report.fail("checkpoint", "checkpoint.txt or log.vkey is missing")
        }

        let names = ((try? manager.contentsOfDirectory(atPath: directory + "/records")) ?? []).filter {
            $0.hasSuffix(".json") && !$0.hasSuffix(".proof.json")
        }.sorted()
        if names.isEmpty { report.fail("records", "the folder holds no records") }
        for name in names {
            let id = String(name.dropLast(5))
            let base = directory + "/records/" + id
            if let record = self.verifyRecord(
                id: id,
                base: base,
                checkpoint: checkpoint,
                trustedRoots: trustedRoots,
                report: &report
            ) {
                records.append(record)
            }
        }

        if let message = manager.contents(atPath: directory + "/message.eml") {
            let digest = SHA256.hash(data: message).map { String(format: "%02x", $0) }.joined()
            let claimed = Set(records.map(\.messageSHA256))
            if claimed == [digest] {
                report.pass("message.eml", "SHA-256 \(digest) is the message the records certify")
            } else {
                report.fail(
                    "message.eml",
                    "SHA-256 \(digest) is not the hash the records certify: the message was changed"
                )
            }
        }
        return (report, records)
    }

    static func verifyRecord(
        id: String,
        base: String,
        checkpoint: Checkpoint?,
        trustedRoots: [Certificate],
        report: inout VerificationReport
    ) -> EvidenceRecord? {
        let subject = "record \(id)"
        guard let body = FileManager.default.contents(atPath: base + ".json").map(Array.init) else {
            report.fail(subject, "is missing")
            return nil
        }
        let record: EvidenceRecord
        do {
            let json = try CanonicalJSON(parsing: body)
            guard json.canonicalBytes == body else {
                report.fail(subject, "is not in canonical form (RFC 8785): it was edited")
                return nil
            }
            record = try EvidenceRecord(json: json)
            guard record.evidenceID == id else {
                report.fail(subject, "names another evidence id (\(record.evidenceID))")
                return nil
            }
        } catch {
            report.fail(subject, "is not a readable record: \(error)")
            return nil
        }
        guard let cms = FileManager.default.contents(atPath: base + ".p7s").map(Array.init) else {
            report.fail(subject, "has no signature (\(id).p7s)")
            return record
        }
        // The leaf commits to the record and its signature.
        var leafHash = MerkleTree.leafHash(body)
        if let reader = try? SignedDataReader(der: cms) {
            leafHash = LogLeaf.hash(
                body: body,
                signature: CMSSignature(signedAttributes: reader.signedAttributes, signature: reader.signature)
            )
        }
        do {
            let verified = try CMSVerifier.verify(
                cms,
                detachedContent: body,
                trustedRoots: trustedRoots,
                requiredUsage: .emailProtection
            )
            report.pass(subject, "\(record.kind.rawValue) at \(record.time), signed by \(verified.signer.subject)")
            // The record was signed when it was written, after the event it attests.
            if let signed = verified.signingTime,
                signed.millisecondsSinceEpoch + 1_000 < record.time.millisecondsSinceEpoch
            {
                report.fail(subject, "attests an event at \(record.time) but was signed before, at \(signed)")
            }
            if let stamp = try verified.signatureTimeStamp(trustedRoots: trustedRoots) {
                if stamp.genTime.millisecondsSinceEpoch + 1_000 < record.time.millisecondsSinceEpoch {
                    report.fail(
                        subject,
                        "was time-stamped at \(stamp.genTime), before the time it claims (\(record.time))"
                    )
                } else {
                    let delay = Double(stamp.genTime.millisecondsSinceEpoch - record.time.millisecondsSinceEpoch) / 1000
                    report.pass(
                        subject,
                        "time-stamped \(stamp.genTime) (\(String(format: "%.1f", max(0, delay))) s after the event)"
                    )
                }
            } else {
                report.fail(subject, "has no time-stamp yet (CAdES-T token missing)")
            }
        } catch {
            report.fail(subject, "\(error)")
        }
        if let checkpoint {
            do {
                guard let data = FileManager.default.contents(atPath: base + ".proof.json") else {
                    throw EvidenceProblem("has no inclusion proof")
                }
                let proof = try InclusionProof(json: try CanonicalJSON(parsing: Array(data)))
                guard proof.treeSize == checkpoint.size,
                    MerkleTree.verifyInclusion(
                        leafHash: leafHash,
                        index: proof.leafIndex,
                        size: proof.treeSize,
                        proof: proof.hashes,
                        root: checkpoint.root
                    )
                else {
                    throw EvidenceProblem("is not in the log at the checkpoint: the inclusion proof fails")
                }
                report.pass(
                    subject,
                    "is leaf \(proof.leafIndex) of the log of \(proof.treeSize) records (inclusion proof)"
                )
            } catch {
                report.fail(subject, "\(error)")
            }
        }
        return record
    }
}
