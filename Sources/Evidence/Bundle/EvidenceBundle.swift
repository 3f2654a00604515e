//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
import MailMessage

/// The self-contained evidence of one message, as files: each record with its signature, time-stamp
/// and inclusion proof, the checkpoint the proofs lead to, the log's key, the CA, the message, and a
/// signed manifest that lists every record of the message (so a bundle from which a record was
/// removed does not verify). `fefaent evidence export` writes it to a folder; the evidence PDF
/// embeds the same files.
public struct EvidenceBundle: Sendable {
    /// One file of the bundle.
    public struct File: Sendable {
        /// The path inside the bundle (`records/ID.json`, `checkpoint.txt`…).
        public var path: String
        public var data: [UInt8]
        public var mimeType: String
        public var description: String
    }

    public var files: [File]
    /// The checkpoint every inclusion proof leads to.
    public var checkpoint: StoredCheckpoint

    /// The files a bundle has outside `records/`.
    public static let topLevelNames: Set<String> = [
        "checkpoint.txt", "checkpoint.tsr", "log.vkey", "ca.pem", "message.eml", "manifest.json", "manifest.p7s",
        "README.txt", "latest-checkpoint.txt", "latest-checkpoint.tsr", "consistency.json"
    ]

    /// Builds the bundle of `records` (every record of the message), which a checkpoint must cover.
    public static func make(
        log: EvidenceLog,
        records: [StoredRecord],
        message: [UInt8]?,
        caPEM: String,
        at time: UTCDateTime = .now()
    ) throws -> EvidenceBundle {
        guard let last = records.map(\.leafIndex).max(), let checkpoint = try log.store.checkpoint(covering: last)
        else {
            throw EvidenceProblem("no checkpoint covers these records yet; the daemon writes one every second")
        }
        var files: [File] = []
        func add(_ path: String, _ data: [UInt8], _ type: String, _ description: String) {
            files.append(File(path: path, data: data, mimeType: type, description: description))
        }
        for record in records {
            let base = "records/\(record.evidenceID)"
            add(
                base + ".json",
                record.body,
                "application/json",
                "Evidence record \(record.evidenceID) (\(record.kind))"
            )
            add(base + ".sig", record.signature.signature, "application/octet-stream", "The signature value")
            var unsigned: [[UInt8]] = []
            if let stamp = try log.store.timestamp(evidenceID: record.evidenceID) {
                unsigned.append(CMSSigner.signatureTimeStampAttribute(token: stamp.token))
                add(base + ".tsr", stamp.token, "application/timestamp-reply", "RFC 3161 time-stamp of the signature")
            }
            for (index, token) in try log.store.archiveTokens(evidenceID: record.evidenceID).enumerated() {
                add(
                    base + ".ats\(index + 1).tsr",
                    token,
                    "application/timestamp-reply",
                    "Archive time-stamp \(index + 1) over the record, its signature and the tokens before it"
                )
            }
            add(
                base + ".p7s",
                try log.signer.assemble(record.signature, unsignedAttributes: unsigned),
                "application/pkcs7-signature",
                "CMS signature of \(record.evidenceID), with its time-stamp"
            )
            let proof = InclusionProof(
                leafIndex: record.leafIndex,
                treeSize: checkpoint.size,
                hashes: try log.inclusionProof(index: record.leafIndex, size: checkpoint.size)
            )
            add(
                base + ".proof.json",
                proof.json.canonicalBytes,
                "application/json",
                "Inclusion proof of \(record.evidenceID) in the log at checkpoint \(checkpoint.size)"
            )
        }
        add("checkpoint.txt", Array(checkpoint.note.utf8), "text/plain", "The signed log checkpoint (C2SP signed note)")
        if let token = checkpoint.token {
            add("checkpoint.tsr", token, "application/timestamp-reply", "RFC 3161 time-stamp of checkpoint.txt")
        }
        // The newest checkpoint and the proof that it extends the covering one: whoever holds a later
        // checkpoint (published, witnessed) can link this bundle to it.
        if let latest = try log.store.latestCheckpoint(), latest.size > checkpoint.size {
            add("latest-checkpoint.txt", Array(latest.note.utf8), "text/plain", "The newest signed log checkpoint")
            if let token = latest.token {
                add("latest-checkpoint.tsr", token, "application/timestamp-reply", "RFC 3161 time-stamp of it")
            }
            add(
                "consistency.json",
                try log.consistencyProof(from: checkpoint.size, to: latest.size).json.canonicalBytes,
                "application/json",
                "Consistency proof from checkpoint.txt to latest-checkpoint.txt (RFC 9162)"
            )
        }
        add("log.vkey", Array((log.verifierKey + "\n").utf8), "text/plain", "The log's verifier key")
        add("ca.pem", Array(caPEM.utf8), "application/x-pem-file", "The CA certificate (use your own copy if you can)")
        if let message {
            add("message.eml", message, "message/rfc822", "The original message, as received")
        }
        let manifest = Manifest(
            queueIDs: Array(Set(records.map(\.queueID))).sorted(),
            records: records.map {
                Manifest.Entry(
                    evidenceID: $0.evidenceID,
                    kind: $0.kind,
                    leafIndex: $0.leafIndex,
                    sha256: Array(SHA256.hash(data: $0.body))
                )
            },
            messageSHA256: message.map { Array(SHA256.hash(data: $0)) },
            checkpointSize: checkpoint.size,
            issuedAt: time
        )
        let body = manifest.json.canonicalBytes
        add("manifest.json", body, "application/json", "The signed list of every record of this message")
        add(
            "manifest.p7s",
            try log.signer.assemble(try log.signer.sign(content: body, time: time)),
            "application/pkcs7-signature",
            "CMS signature of manifest.json"
        )
        add(
            "README.txt",
            Array(EvidenceExporter.readme(ids: records.map(\.evidenceID)).utf8),
            "text/plain",
            "How to verify"
        )
        return EvidenceBundle(files: files, checkpoint: checkpoint)
    }

    /// The bundle's files by path.
    public var byPath: [String: [UInt8]] {
        Dictionary(self.files.map { ($0.path, $0.data) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The signed list of every record of a message at the time of the export: what a verifier needs to
/// tell a complete bundle from one a record was taken out of.
public struct Manifest: Hashable, Sendable {
    /// One record: its id, kind, log position and the SHA-256 of its canonical JSON.
    public struct Entry: Hashable, Sendable {
        public var evidenceID: String
        public var kind: String
        public var leafIndex: Int
        public var sha256: [UInt8]
    }

    public var queueIDs: [String]
    public var records: [Entry]
    /// The SHA-256 of `message.eml`, when the bundle carries the message.
    public var messageSHA256: [UInt8]?
    public var checkpointSize: Int
    public var issuedAt: UTCDateTime

    public var json: CanonicalJSON {
        .object([
            "format": .string("fefaent-evidence-manifest/1"),
            "queueIds": .array(self.queueIDs.map(CanonicalJSON.string)),
            "records": .array(
                self.records.map {
                    .object([
                        "evidenceId": .string($0.evidenceID), "kind": .string($0.kind),
                        "leafIndex": .integer(Int64($0.leafIndex)), "sha256": .string(Hex.encode($0.sha256))
                    ])
                }
            ),
            "message": self.messageSHA256.map { .object(["sha256": .string(Hex.encode($0))]) } ?? .null,
            "checkpointSize": .integer(Int64(self.checkpointSize)),
            "issuedAt": .string(self.issuedAt.description),
            "issuedAtMs": .integer(self.issuedAt.millisecondsSinceEpoch)
        ])
    }

    public init(
        queueIDs: [String],
        records: [Entry],
        messageSHA256: [UInt8]?,
        checkpointSize: Int,
        issuedAt: UTCDateTime
    ) {
        self.queueIDs = queueIDs
        self.records = records
        self.messageSHA256 = messageSHA256
        self.checkpointSize = checkpointSize
        self.issuedAt = issuedAt
    }

    public init(json: CanonicalJSON) throws(EvidenceProblem) {
        guard json["format"]?.stringValue == "fefaent-evidence-manifest/1" else {
            throw EvidenceProblem("the manifest has an unknown format")
        }
        var entries: [Entry] = []
        for item in json["records"]?.arrayValue ?? [] {
            guard let id = item["evidenceId"]?.stringValue, let kind = item["kind"]?.stringValue,
                let index = item["leafIndex"]?.integerValue,
                let text = item["sha256"]?.stringValue, let hash = Hex.decode(text)
            else { throw EvidenceProblem("the manifest lists a record it does not describe") }
            entries.append(Entry(evidenceID: id, kind: kind, leafIndex: Int(index), sha256: Array(hash)))
        }
        guard let size = json["checkpointSize"]?.integerValue,
            let issued = json["issuedAtMs"]?.integerValue.map(UTCDateTime.init(millisecondsSinceEpoch:))
        else { throw EvidenceProblem("the manifest has no checkpoint size or date") }
        self.init(
            queueIDs: (json["queueIds"]?.arrayValue ?? []).compactMap(\.stringValue),
            records: entries,
            messageSHA256: json["message"]?["sha256"]?.stringValue.flatMap { Hex.decode($0) },
            checkpointSize: Int(size),
            issuedAt: issued
        )
    }
}
