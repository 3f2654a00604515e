//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation

/// Writes a self-contained evidence folder: records, CAdES-T signatures, tokens, certificates, the
/// inclusion proofs against a signed and time-stamped checkpoint, and the original message.
///
///     records/ID.json  ID.p7s  ID.sig  ID.tsr  ID.proof.json
///     checkpoint.txt  checkpoint.tsr  log.vkey  ca.pem  message.eml  README.txt
public struct EvidenceExporter: Sendable {
    public let log: EvidenceLog
    public let caPEM: String

    public init(log: EvidenceLog, caPEM: String) {
        self.log = log
        self.caPEM = caPEM
    }

    /// Exports `records` (ids), which must be covered by a checkpoint (write one first).
    public func export(evidenceIDs: [String], message: [UInt8]?, to directory: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory + "/records", withIntermediateDirectories: true)
        let records = try evidenceIDs.map { id -> StoredRecord in
            guard let record = try self.log.store.record(id: id) else {
                throw EvidenceProblem("no evidence record \(id)")
            }
            return record
        }
        guard let last = records.map(\.leafIndex).max(), let checkpoint = try self.log.store.checkpoint(covering: last)
        else {
            throw EvidenceProblem("no checkpoint covers these records yet; the daemon writes one every second")
        }
        let leaves = try self.log.store.leafHashes(upTo: checkpoint.size)
        for record in records {
            let base = "\(directory)/records/\(record.evidenceID)"
            try Data(record.body).write(to: URL(fileURLWithPath: base + ".json"))
            try Data(record.signature.signature).write(to: URL(fileURLWithPath: base + ".sig"))
            var unsigned: [[UInt8]] = []
            if let stamp = try self.log.store.timestamp(evidenceID: record.evidenceID) {
                unsigned.append(CMSSigner.signatureTimeStampAttribute(token: stamp.token))
                try Data(stamp.token).write(to: URL(fileURLWithPath: base + ".tsr"))
            }
            let cms = try self.log.signer.assemble(record.signature, unsignedAttributes: unsigned)
            try Data(cms).write(to: URL(fileURLWithPath: base + ".p7s"))
            let proof = InclusionProof(
                leafIndex: record.leafIndex,
                treeSize: checkpoint.size,
                hashes: MerkleTree.inclusionProof(index: record.leafIndex, leaves: leaves[...])
            )
            try Data(proof.json.canonicalBytes).write(to: URL(fileURLWithPath: base + ".proof.json"))
        }
        try checkpoint.note.write(toFile: directory + "/checkpoint.txt", atomically: true, encoding: .utf8)
        if let token = checkpoint.token {
            try Data(token).write(to: URL(fileURLWithPath: directory + "/checkpoint.tsr"))
        }
        try (self.log.verifierKey + "\n").write(toFile: directory + "/log.vkey", atomically: true, encoding: .utf8)
        try self.caPEM.write(toFile: directory + "/ca.pem", atomically: true, encoding: .utf8)
        if let message {
            try Data(message).write(to: URL(fileURLWithPath: directory + "/message.eml"))
        }
        try Self.readme(ids: evidenceIDs).write(toFile: directory + "/README.txt", atomically: true, encoding: .utf8)
    }

    static func readme(ids: [String]) -> String {
        let id = ids.first ?? "ID"
        return """
            Fefaent evidence, self-contained. Verify it offline with public tools:

            # The record's signature (CMS, detached, over the canonical JSON):
            openssl cms -verify -binary -inform DER -in records/\(id).p7s -content records/\(id).json \\
                -CAfile ca.pem -purpose any -out /dev/null
            # Its RFC 3161 time-stamp (over the signature value, CAdES-T):
            openssl ts -verify -token_in -in records/\(id).tsr -data records/\(id).sig -CAfile ca.pem
            # The checkpoint's time-stamp:
            openssl ts -verify -token_in -in checkpoint.tsr -data checkpoint.txt -CAfile ca.pem
            # Everything at once, with the inclusion proofs against checkpoint.txt (signed with log.vkey):
            fefaent evidence verify . --ca ca.pem

            Use your own copy of the CA certificate, not the one in this folder, if you can.

            """
    }
}
