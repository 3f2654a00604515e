//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
public import Foundation
public import X509
import Synchronization

/// Something that time-stamps a SHA-256 digest: the built-in TSA, or an external one over HTTP.
public protocol TimeStamping: Sendable {
    /// A DER TimeStampToken over `digest`; throws when the TSA cannot be reached or refuses.
    func timeStamp(digest: [UInt8]) async throws -> [UInt8]
}

extension TimeStampAuthority: TimeStamping {
    public func timeStamp(digest: [UInt8]) async throws -> [UInt8] {
        try self.token(for: digest)
    }
}

/// Writes evidence: signs each record (CMS), appends it to the Merkle log and the store in one
/// transaction, and on request writes a signed checkpoint and time-stamps what is not yet stamped.
///
/// Signing and logging never wait for a TSA: time-stamps are added afterwards (``stamp(with:limit:)``),
/// and a TSA that is down only delays them.
public final class EvidenceLog: Sendable {
    public let store: EvidenceStore
    public let signer: CMSSigner
    public let origin: String
    let logKey: Curve25519.Signing.PrivateKey
    private let state: Mutex<CompactRange>
    /// Every complete subtree hash, for roots and proofs without reading every leaf.
    private let nodes: Mutex<MerkleNodeCache>
    /// Every record below this leaf index, and every checkpoint below this size, has its time-stamp:
    /// stamping reads on from there (stamps are never removed).
    private let stampedBelow = Mutex<(records: Int, checkpoints: Int)>((0, 0))

    public init(store: EvidenceStore, signer: CMSSigner, logKey: Curve25519.Signing.PrivateKey, origin: String) throws {
        self.store = store
        self.signer = signer
        self.logKey = logKey
        self.origin = origin
        var range = CompactRange()
        var nodes = MerkleNodeCache()
        for hash in try store.leafHashes() {
            range.append(leafHash: hash)
            nodes.append(leafHash: hash)
        }
        self.state = Mutex(range)
        self.nodes = Mutex(nodes)
    }

    /// The log's verifier key (C2SP note format), for whoever keeps checkpoints.
    public var verifierKey: String { Checkpoint.verifierKey(name: self.origin, publicKey: self.logKey.publicKey) }

    /// Signs, logs and stores `records`, in order, in one transaction. The CMS signing time is the
    /// time of signing (the record carries the event's own time); `outboxSequences`, when given, names
    /// the outbox row of each record, so a writer that restarts resumes after the last one stored.
    @discardableResult
    public func append(_ records: [EvidenceRecord], outboxSequences: [Int64]? = nil) throws -> [StoredRecord] {
        precondition(outboxSequences == nil || outboxSequences!.count == records.count)
        // Signing needs no lock; the log position and the insert do.
        let signingTime = UTCDateTime.now()
        let signed = try records.enumerated().map { index, record -> (EvidenceRecord, [UInt8], CMSSignature, Int64?) in
            let body = record.canonicalBytes
            return (record, body, try self.signer.sign(content: body, time: signingTime), outboxSequences?[index])
        }
        return try self.state.withLock { range in
            var stored: [StoredRecord] = []
            var next = range
            for (record, body, signature, sequence) in signed {
                let item = StoredRecord(
                    leafIndex: next.size,
                    record: record,
                    body: body,
                    signature: signature,
                    outboxSequence: sequence
                )
                next.append(leafHash: item.leafHash)
                stored.append(item)
            }
            try self.store.insert(stored)
            range = next
            self.nodes.withLock { nodes in
                for item in stored { nodes.append(leafHash: item.leafHash) }
            }
            return stored
        }
    }

    /// A record due for an archive time-stamp, and what the new one covers.
    public struct DueRenewal: Sendable {
        public var evidenceID: String
        /// The new token's place in the record's chain (1 for the first archive time-stamp).
        public var position: Int
        public var imprint: [UInt8]
    }

    /// The stamped records whose newest token's TSA certificate expires before `deadline`
    /// (see ``ArchiveTimeStamps``). Reads the whole log: run it off the event loops.
    public func dueForRenewal(before deadline: Date, trustedRoots: [Certificate]) throws -> [DueRenewal] {
        var due: [DueRenewal] = []
        try self.store.forEachRecord { batch in
            for record in batch {
                let chain = try self.store.tokenChain(evidenceID: record.evidenceID)
                guard !chain.isEmpty,
                    let newest = try? ArchiveTimeStamps.verifyChain(
                        body: record.body,
                        signature: record.signature,
                        tokens: chain,
                        trustedRoots: trustedRoots
                    ).last,
                    newest.authority.notValidAfter < deadline
                else { continue }
                due.append(
                    DueRenewal(
                        evidenceID: record.evidenceID,
                        position: chain.count,
                        imprint: ArchiveTimeStamps.imprint(
                            body: record.body,
                            signature: record.signature,
                            tokens: chain
                        )
                    )
                )
            }
        }
        return due
    }

    /// Adds the archive time-stamps of `due`; returns how many were stored, and the TSA's error if it
    /// failed (the rest waits for the next renewal).
    public func renew(_ due: [DueRenewal], with authority: any TimeStamping) async -> (renewed: Int, failure: String?) {
        var tokens: [(evidenceID: String, position: Int, token: [UInt8])] = []
        var failure: String? = nil
        for item in due {
            do {
                tokens.append((item.evidenceID, item.position, try await authority.timeStamp(digest: item.imprint)))
            } catch {
                failure = "\(error)"
                break
            }
        }
        do {
            try self.store.insertArchiveTimestamps(tokens, at: .now())
        } catch {
            return (0, "cannot store archive time-stamps: \(error)")
        }
        return (tokens.count, failure)
    }

    /// The root of the tree of the first `size` leaves, or nil when the log is shorter than that:
    /// whether the log is an extension of a head someone kept.
    public func root(ofFirst size: Int) throws -> MerkleTree.Hash? {
        if let root = self.nodes.withLock({ size <= $0.size ? $0.root(size: size) : nil }) { return root }
        let leaves = try self.store.leafHashes(upTo: size)
        guard leaves.count == size else { return nil }
        return MerkleTree.root(leaves[...])
    }

    /// The current tree size and root.
    public var head: (size: Int, root: MerkleTree.Hash) {
        self.state.withLock { ($0.size, $0.root) }
    }

    /// Writes a signed checkpoint of the current tree if it grew since the last one.
    @discardableResult
    public func checkpoint(at time: UTCDateTime = .now()) throws -> Checkpoint? {
        let (size, root) = self.head
        let last = try self.store.lastCheckpointSize()
        guard size > last else { return nil }
        let checkpoint = try Checkpoint(origin: self.origin, size: size, root: root, key: self.logKey)
        try self.store.insert(checkpoint: checkpoint, at: time)
        return checkpoint
    }

    /// Time-stamps checkpoints and then records that have no token yet (at most `limit` records).
    /// Returns how many were stamped, and the TSA's error if it failed (the rest waits for next time).
    public func stamp(with authority: any TimeStamping, limit: Int = 1_000) async -> (stamped: Int, failure: String?) {
        var recordTokens: [(String, [UInt8])] = []
        var checkpointTokens: [(Int, [UInt8])] = []
        var failure: String? = nil
        let below = self.stampedBelow.withLock { $0 }
        // Where the next round starts: past what this one stamps, or at the first it could not stamp.
        var next = below
        do {
            // Records are stamped only once a checkpoint covers them, and in the same transaction as
            // that checkpoint's token: a record that shows its token is always inside a stamped
            // checkpoint (what `evidence list` shows as complete, and what notices and exports need).
            let coveredSize = try self.store.lastCheckpointSize()
            let (checkpoints, lastSize) = try self.store.unstampedCheckpoints(from: below.checkpoints)
            next.checkpoints = checkpoints.count == 1_000 ? checkpoints.last!.size + 1 : (lastSize ?? -1) + 1
            for checkpoint in checkpoints {
                let reached = next.checkpoints
                next.checkpoints = checkpoint.size
                let digest = Array(SHA256.hash(data: Array(checkpoint.note.utf8)))
                checkpointTokens.append((checkpoint.size, try await authority.timeStamp(digest: digest)))
                next.checkpoints = reached
            }
            let (found, lastLeafIndex) = try self.store.unstampedRecords(from: below.records, limit: limit)
            let records = found.filter { $0.leafIndex < coveredSize }
            if records.count < found.count {
                next.records = found[records.count].leafIndex  // the first not yet in a checkpoint
            } else {
                next.records = found.count == limit ? found.last!.leafIndex + 1 : (lastLeafIndex ?? -1) + 1
            }
            for record in records {
                let reached = next.records
                next.records = record.leafIndex
                // CAdES-T: the token is over the signature value.
                let digest = Array(SHA256.hash(data: record.signature.signature))
                recordTokens.append((record.evidenceID, try await authority.timeStamp(digest: digest)))
                next.records = reached
            }
        } catch {
            failure = "\(error)"
        }
        do {
            try self.store.insertTimestamps(records: recordTokens, checkpoints: checkpointTokens, at: .now())
        } catch {
            return (0, "cannot store time-stamps: \(error)")
        }
        self.stampedBelow.withLock { $0 = next }
        return (recordTokens.count + checkpointTokens.count, failure)
    }

    /// The proof that the log of `newSize` records extends the log of `oldSize`.
    public func consistencyProof(from oldSize: Int, to newSize: Int) throws -> ConsistencyProof {
        if oldSize <= newSize,
            let hashes = self.nodes.withLock({
                newSize <= $0.size ? $0.consistencyProof(oldSize: oldSize, size: newSize) : nil
            })
        {
            return ConsistencyProof(oldSize: oldSize, newSize: newSize, hashes: hashes)
        }
        let leaves = try self.store.leafHashes(upTo: newSize)
        guard oldSize <= newSize, leaves.count == newSize else {
            throw EvidenceProblem("the log has \(leaves.count) records, not \(newSize)")
        }
        return ConsistencyProof(
            oldSize: oldSize,
            newSize: newSize,
            hashes: MerkleTree.consistencyProof(oldSize: oldSize, leaves: leaves[...])
        )
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves.
    public func inclusionProof(index: Int, size: Int) throws -> [MerkleTree.Hash] {
        if index < size,
            let proof = self.nodes.withLock({ size <= $0.size ? $0.inclusionProof(index: index, size: size) : nil })
        {
            return proof
        }
        let leaves = try self.store.leafHashes(upTo: size)
        return MerkleTree.inclusionProof(index: index, leaves: leaves[...])
    }
}
