//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
import Foundation
import MailMessage
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
    /// Verifies an exported folder.
    public static func verify(
        directory: String,
        trustedRoots: [Certificate],
        logKey: (name: String, key: Curve25519.Signing.PublicKey)?
    ) -> (report: VerificationReport, records: [EvidenceRecord]) {
        var files: [String: [UInt8]] = [:]
        let manager = FileManager.default
        for name in EvidenceBundle.topLevelNames {
            if let data = manager.contents(atPath: directory + "/" + name) { files[name] = Array(data) }
        }
        for name in (try? manager.contentsOfDirectory(atPath: directory + "/records")) ?? [] {
            if let data = manager.contents(atPath: directory + "/records/" + name) {
                files["records/" + name] = Array(data)
            }
        }
        return self.verify(files: files, trustedRoots: trustedRoots, logKey: logKey)
    }

    /// Verifies a bundle's files (by path, as ``EvidenceBundle`` names them): the manifest and its
    /// signature, every record it lists (present, unchanged, signed, time-stamped, in the log at the
    /// checkpoint), no record it does not list, the checkpoint and its time-stamp, and the message.
    public static func verify(
        files: [String: [UInt8]],
        trustedRoots: [Certificate],
        logKey: (name: String, key: Curve25519.Signing.PublicKey)?
    ) -> (report: VerificationReport, records: [EvidenceRecord]) {
        var report = VerificationReport()
        var records: [EvidenceRecord] = []

        // The checkpoint the proofs refer to.
        var checkpoint: Checkpoint? = nil
        let keyText = files["log.vkey"].map { String(decoding: $0, as: UTF8.self) }
        let key = logKey ?? keyText.flatMap { try? Checkpoint.publicKey(fromVerifierKey: $0) }
        if let noteBytes = files["checkpoint.txt"], let key {
            let note = String(decoding: noteBytes, as: UTF8.self)
            do {
                let verified = try Checkpoint(verifying: note, publicKey: key.key)
                checkpoint = verified
                report.pass("checkpoint", "signed by the log key \(key.name) (tree size \(verified.size))")
                if let token = files["checkpoint.tsr"] {
                    let stamp = try TimeStampToken(
                        verifying: token,
                        for: Array(SHA256.hash(data: noteBytes)),
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

        if let checkpoint, let key, let latestNote = files["latest-checkpoint.txt"] {
            self.verifyLatest(
                latestNote,
                token: files["latest-checkpoint.tsr"],
                proof: files["consistency.json"],
                extending: checkpoint,
                key: key,
                trustedRoots: trustedRoots,
                report: &report
            )
        }

        let manifest = self.verifyManifest(
            files: files,
            checkpoint: checkpoint,
            trustedRoots: trustedRoots,
            report: &report
        )

        let ids = files.keys.filter {
            $0.hasPrefix("records/") && $0.hasSuffix(".json") && !$0.hasSuffix(".proof.json")
        }
        .map { String($0.dropFirst("records/".count).dropLast(5)) }.sorted()
        if ids.isEmpty { report.fail("records", "the bundle holds no records") }
        for id in ids {
            if let record = self.verifyRecord(
                id: id,
                files: files,
                checkpoint: checkpoint,
                trustedRoots: trustedRoots,
                report: &report
            ) {
                records.append(record)
            }
        }
        if let manifest {
            let present = Set(ids)
            for entry in manifest.records where !present.contains(entry.evidenceID) {
                report.fail(
                    "record \(entry.evidenceID)",
                    "\(entry.kind), listed in the manifest, is missing: it was removed from the bundle"
                )
            }
            let listed = Set(manifest.records.map(\.evidenceID))
            for id in ids where !listed.contains(id) {
                report.fail("record \(id)", "is not listed in the signed manifest: it was added to the bundle")
            }
            for entry in manifest.records where present.contains(entry.evidenceID) {
                if let body = files["records/\(entry.evidenceID).json"], Array(SHA256.hash(data: body)) != entry.sha256
                {
                    report.fail("record \(entry.evidenceID)", "differs from the record the manifest lists")
                }
            }
        }

        if let message = files["message.eml"] {
            let digest = Hex.encode(SHA256.hash(data: message))
            let claimed = Set(records.filter { $0.kind != .senderNotification }.map(\.messageSHA256))
            if claimed == [digest] {
                report.pass("message.eml", "SHA-256 \(digest) is the message the records certify")
            } else {
                report.fail(
                    "message.eml",
                    "SHA-256 \(digest) is not the hash the records certify: the message was changed"
                )
            }
        } else if manifest?.messageSHA256 != nil {
            report.fail("message.eml", "is missing, but the manifest says the bundle carries the message")
        }
        return (report, records)
    }

    /// The newest checkpoint a bundle carries: signed, time-stamped, and proved to extend the one
    /// the inclusion proofs lead to.
    static func verifyLatest(
        _ noteBytes: [UInt8],
        token: [UInt8]?,
        proof: [UInt8]?,
        extending checkpoint: Checkpoint,
        key: (name: String, key: Curve25519.Signing.PublicKey),
        trustedRoots: [Certificate],
        report: inout VerificationReport
    ) {
        let subject = "latest checkpoint"
        do {
            let latest = try Checkpoint(verifying: String(decoding: noteBytes, as: UTF8.self), publicKey: key.key)
            if let token {
                let stamp = try TimeStampToken(
                    verifying: token,
                    for: Array(SHA256.hash(data: noteBytes)),
                    trustedRoots: trustedRoots
                )
                report.pass(subject, "size \(latest.size), signed by the log key, time-stamped \(stamp.genTime)")
            } else {
                report.pass(subject, "size \(latest.size), signed by the log key (not time-stamped yet)")
            }
            guard let proof else { throw EvidenceProblem("has no consistency proof (consistency.json)") }
            let consistency = try ConsistencyProof(json: try CanonicalJSON(parsing: proof))
            guard consistency.verify(old: checkpoint, new: latest) else {
                throw EvidenceProblem(
                    "does not extend checkpoint \(checkpoint.size): the consistency proof fails (the log was rewritten)"
                )
            }
            report.pass(
                subject,
                "extends checkpoint \(checkpoint.size) (consistency proof of \(consistency.hashes.count) hashes)"
            )
        } catch {
            report.fail(subject, "\(error)")
        }
    }

    static func verifyManifest(
        files: [String: [UInt8]],
        checkpoint: Checkpoint?,
        trustedRoots: [Certificate],
        report: inout VerificationReport
    ) -> Manifest? {
        guard let body = files["manifest.json"], let cms = files["manifest.p7s"] else {
            report.fail(
                "manifest",
                "manifest.json or manifest.p7s is missing: whether records were removed cannot be told"
            )
            return nil
        }
        do {
            _ = try CMSVerifier.verify(
                cms,
                detachedContent: body,
                trustedRoots: trustedRoots,
                requiredUsage: .emailProtection
            )
            let json = try CanonicalJSON(parsing: body)
            guard json.canonicalBytes == body else { throw EvidenceProblem("is not in canonical form: it was edited") }
            let manifest = try Manifest(json: json)
            report.pass(
                "manifest",
                "signed; lists \(manifest.records.count) record(s) of \(manifest.queueIDs.joined(separator: ", ")), issued \(manifest.issuedAt)"
            )
            if let checkpoint, checkpoint.size != manifest.checkpointSize {
                report.fail(
                    "manifest",
                    "names checkpoint \(manifest.checkpointSize), the bundle carries \(checkpoint.size)"
                )
            }
            if let digest = manifest.messageSHA256, let message = files["message.eml"],
                Array(SHA256.hash(data: message)) != digest
            {
                report.fail("manifest", "names another message.eml than the one in the bundle")
            }
            return manifest
        } catch {
            report.fail("manifest", "\(error)")
            return nil
        }
    }

    static func verifyRecord(
        id: String,
        files: [String: [UInt8]],
        checkpoint: Checkpoint?,
        trustedRoots: [Certificate],
        report: inout VerificationReport
    ) -> EvidenceRecord? {
        let subject = "record \(id)"
        let base = "records/" + id
        guard let body = files[base + ".json"] else {
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
        guard let cms = files[base + ".p7s"] else {
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
                // Renewals: archive time-stamps over the record and the tokens before them.
                var archive: [[UInt8]] = []
                while let token = files[base + ".ats\(archive.count + 1).tsr"] { archive.append(token) }
                if !archive.isEmpty,
                    let signatureToken = verified.reader.unsignedAttributes.first(where: {
                        $0.type == OID.signatureTimeStampToken
                    })?.values.first
                {
                    let chain = try ArchiveTimeStamps.verifyChain(
                        body: body,
                        signature: CMSSignature(
                            signedAttributes: verified.reader.signedAttributes,
                            signature: verified.reader.signature
                        ),
                        tokens: [signatureToken] + archive,
                        trustedRoots: trustedRoots
                    )
                    report.pass(
                        subject,
                        "renewed \(archive.count) time(s), each before the certificate of the time-stamp before it "
                            + "expired; the newest by \(chain.last!.authority.subject) at \(chain.last!.genTime)"
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
                guard let data = files[base + ".proof.json"] else {
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
