//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
import Dispatch
import Foundation
import Synchronization
public import X509

/// Audits the whole log: every record's signature, time-stamp and leaf, every checkpoint's signature,
/// root and time-stamp, and any checkpoint an outsider kept (consistency: nothing was dropped,
/// altered or back-dated since).
public struct EvidenceAuditor: Sendable {
    public let store: EvidenceStore
    public let trustedRoots: [Certificate]
    public let signer: Certificate
    public let logKey: (name: String, key: Curve25519.Signing.PublicKey)

    public init(
        store: EvidenceStore,
        trustedRoots: [Certificate],
        signer: Certificate,
        logKey: (name: String, key: Curve25519.Signing.PublicKey)
    ) {
        self.store = store
        self.trustedRoots = trustedRoots
        self.signer = signer
        self.logKey = logKey
    }

    /// The audit's figures.
    public struct Summary: Sendable {
        public var records = 0
        public var stampedRecords = 0
        public var checkpoints = 0
        public var seconds = 0.0
    }

    /// Every record's leaf (its JSON and signature) is recomputed and must give the roots of the signed
    /// checkpoints. `verifyRecordSignatures` also checks each record's CMS signature against the signing
    /// certificate (one ECDSA verification per record: the slow part); `verifyRecordTimeStamps` also
    /// each record's own RFC 3161 token (CAdES-T). The checkpoints' tokens are always checked.
    public func audit(
        keptCheckpoints: [String] = [],
        verifyRecordSignatures: Bool = false,
        verifyRecordTimeStamps: Bool = false
    ) throws -> (report: VerificationReport, summary: Summary) {
        let start = DispatchTime.now().uptimeNanoseconds
        var report = VerificationReport()
        var summary = Summary()
        do {
            try CMSVerifier.checkCertificate(
                self.signer,
                at: nil,
                trustedRoots: self.trustedRoots,
                requiredUsage: .emailProtection
            )
        } catch {
            report.fail("signing certificate", "\(error)")
        }
        let checkpoints = try self.store.checkpoints()
        var pending = checkpoints[...]
        var roots: [Int: MerkleTree.Hash] = [:]
        var range = CompactRange()
        var lastTime: Int64 = 0
        var expectedIndex = 0
        var replayed: [MerkleTree.Hash] = []  // leaf hashes recomputed from the records as they are now
        var problems: [String] = []

        try self.store.forEachRecord { batch in
            // Signatures and tokens in parallel (the expensive part), the log replay in order.
            if verifyRecordSignatures || verifyRecordTimeStamps {
                problems += self.verifySignatures(batch, timeStamps: verifyRecordTimeStamps)
            }
            for record in batch {
                if record.leafIndex != expectedIndex {
                    problems.append(
                        "records \(expectedIndex) to \(record.leafIndex - 1) are missing from the log: deleted"
                    )
                }
                expectedIndex = record.leafIndex + 1
                let leaf = LogLeaf.hash(body: record.body, signature: record.signature)
                if leaf != record.leafHash {
                    problems.append(
                        "record \(record.evidenceID) (leaf \(record.leafIndex)): its content or signature was changed after it was logged"
                    )
                }
                range.append(leafHash: leaf)
                replayed.append(leaf)
                // Records are signed in log order, so signing times never go back (1 s for clock
                // steps), and no event happens after the record that attests it was signed.
                if let signed = SignedDataReader.signingTime(
                    inSignedAttributes: record.signature.signedAttributes
                )?.millisecondsSinceEpoch {
                    if signed < lastTime - 1_000 {
                        problems.append(
                            "record \(record.evidenceID) was signed before the record logged before it: back-dated"
                        )
                    }
                    if record.timeMs > signed + 1_000 {
                        problems.append(
                            "record \(record.evidenceID) attests an event after the time it was signed: forged time"
                        )
                    }
                    lastTime = max(lastTime, signed)
                } else {
                    problems.append("record \(record.evidenceID) has no readable signing time")
                }
                while let next = pending.first, next.size == range.size {
                    roots[next.size] = range.root
                    pending = pending.dropFirst()
                }
            }
            summary.records += batch.count
        }
        summary.stampedRecords = try self.store.stampedRecordCount()
        for problem in problems { report.fail("log", problem) }

        for checkpoint in checkpoints {
            let subject = "checkpoint \(checkpoint.size)"
            do {
                let verified = try Checkpoint(verifying: checkpoint.note, publicKey: self.logKey.key)
                guard verified.root == checkpoint.root, verified.size == checkpoint.size else {
                    throw EvidenceProblem("its note and its row disagree")
                }
                guard let root = roots[checkpoint.size], root == checkpoint.root else {
                    throw EvidenceProblem(
                        "its root is not the root of the log's first \(checkpoint.size) records: the log was rewritten"
                    )
                }
                if let token = checkpoint.token {
                    let stamp = try TimeStampToken(
                        verifying: token,
                        for: Array(SHA256.hash(data: Array(checkpoint.note.utf8))),
                        trustedRoots: self.trustedRoots
                    )
                    _ = stamp
                }
                summary.checkpoints += 1
            } catch {
                report.fail(subject, "\(error)")
            }
        }
        if !checkpoints.isEmpty, summary.checkpoints == checkpoints.count {
            report.pass(
                "checkpoints",
                "\(checkpoints.count) signed checkpoints match the log (last: \(checkpoints.last!.size) records)"
            )
        }
        for (index, note) in keptCheckpoints.enumerated() {
            let subject = "kept checkpoint \(index + 1)"
            do {
                let kept = try Checkpoint(verifying: note, publicKey: self.logKey.key)
                let leaves = replayed
                guard kept.size <= leaves.count else {
                    throw EvidenceProblem(
                        "covers \(kept.size) records but the log has only \(leaves.count): records were dropped"
                    )
                }
                let proof = MerkleTree.consistencyProof(oldSize: kept.size, leaves: leaves[...])
                guard
                    MerkleTree.verifyConsistency(
                        oldSize: kept.size,
                        newSize: leaves.count,
                        oldRoot: kept.root,
                        newRoot: MerkleTree.root(leaves[...]),
                        proof: proof
                    )
                else {
                    throw EvidenceProblem(
                        "the log is not an extension of it (consistency proof fails): records before it were changed or removed"
                    )
                }
                report.pass(
                    subject,
                    "the log of \(leaves.count) records extends it (size \(kept.size), consistency proof of \(proof.count) hashes)"
                )
            } catch {
                report.fail(subject, "\(error)")
            }
        }
        if problems.isEmpty, summary.records > 0 {
            let what =
                verifyRecordSignatures || verifyRecordTimeStamps ? "signatures valid, leaves intact" : "leaves intact"
            report.pass("records", "\(summary.records) records: \(what), none missing")
        }
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (report, summary)
    }

    /// Checks each record's signature (and its time-stamp if it has one), on all cores.
    private func verifySignatures(_ batch: [StoredRecord], timeStamps: Bool) -> [String] {
        let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, batch.count / 256))
        let results = Mutex<[String]>([])
        let publicKey = self.signer.publicKey
        let tokens = timeStamps ? ((try? self.store.timestamps(for: batch.map(\.evidenceID))) ?? [:]) : [:]
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var problems: [String] = []
            var index = chunk
            while index < batch.count {
                let record = batch[index]
                index += chunks
                let digest = DERWriter.octetString(Array(SHA256.hash(data: record.body)))
                if !record.signature.signedAttributes.contains(subsequence: digest) {
                    problems.append("record \(record.evidenceID): its signed digest is not the digest of its content")
                } else if !publicKey.isValidSignature(
                    record.signature.signature,
                    for: record.signature.signedAttributes,
                    signatureAlgorithm: .ecdsaWithSHA256
                ) {
                    problems.append(
                        "record \(record.evidenceID): the signature does not verify with the signing certificate"
                    )
                }
                if let token = tokens[record.evidenceID] {
                    do {
                        // The CAdES-T token and every archive time-stamp renewing it.
                        _ = try ArchiveTimeStamps.verifyChain(
                            body: record.body,
                            signature: record.signature,
                            tokens: [token] + (try self.store.archiveTokens(evidenceID: record.evidenceID)),
                            trustedRoots: self.trustedRoots
                        )
                    } catch {
                        problems.append("record \(record.evidenceID): time-stamp: \(error)")
                    }
                }
            }
            results.withLock { $0 += problems }
        }
        return results.withLock { $0 }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= self.count else { return false }
        for start in 0...(self.count - subsequence.count) where self[start] == subsequence[0] {
            if self[start..<(start + subsequence.count)].elementsEqual(subsequence) { return true }
        }
        return false
    }
}
