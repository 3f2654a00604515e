//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Evidence
import Foundation
import X509

/// Measures evidence writing (sign + log + store, on a real SQLite file with synchronous=FULL) and
/// the audit: `EvidenceBenchmark RECORDS [BATCH]`. Driven by bench/evidence.sh.
@main
enum EvidenceBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let count = arguments.count > 1 ? Int(arguments[1]) ?? 20_000 : 20_000
        let batch = arguments.count > 2 ? Int(arguments[2]) ?? 100 : 100
        let folder = NSTemporaryDirectory() + "fefaent-evidence-bench-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let (ca, signer, tsa) = try self.pki()
        let store = try EvidenceStore.open(path: folder + "/evidence.sqlite")
        let logKey = Curve25519.Signing.PrivateKey()
        let log = try EvidenceLog(store: store, signer: signer, logKey: logKey, origin: "bench/evidence")

        var written = 0
        let start = DispatchTime.now().uptimeNanoseconds
        while written < count {
            let size = min(batch, count - written)
            try log.append((written..<(written + size)).map { self.record($0) })
            written += size
        }
        let writeSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(
            String(
                format: "write: %d records (sign + log + store, batches of %d) in %.3f s = %.0f records/s",
                count,
                batch,
                writeSeconds,
                Double(count) / writeSeconds
            )
        )

        let stampStart = DispatchTime.now().uptimeNanoseconds
        try log.checkpoint()
        var stamped = 0
        while true {
            let (done, failure) = await log.stamp(with: tsa, limit: 5_000)
            if let failure { print("stamp failure: \(failure)") }
            stamped += done
            if done == 0 { break }
        }
        let stampSeconds = Double(DispatchTime.now().uptimeNanoseconds - stampStart) / 1e9
        print(
            String(
                format: "stamp: %d tokens from the built-in TSA in %.3f s = %.0f tokens/s",
                stamped,
                stampSeconds,
                Double(stamped) / stampSeconds
            )
        )

        let auditor = EvidenceAuditor(
            store: store,
            trustedRoots: [ca],
            signer: signer.certificate,
            logKey: ("bench/evidence", logKey.publicKey)
        )
        for (mode, signatures, deep) in [("", false, false), (" --signatures", true, false), (" --deep", true, true)] {
            let (report, summary) = try auditor.audit(verifyRecordSignatures: signatures, verifyRecordTimeStamps: deep)
            print(
                String(
                    format: "audit%@: %d records (%@) and %d checkpoint(s) in %.3f s = %.0f records/s, %@",
                    mode,
                    summary.records,
                    deep
                        ? "leaves, roots, signatures, their time-stamps"
                        : signatures ? "leaves, roots, signatures" : "leaves and roots against signed checkpoints",
                    summary.checkpoints,
                    summary.seconds,
                    Double(summary.records) / summary.seconds,
                    report.passed ? "VERIFIED" : "NOT VERIFIED"
                )
            )
        }
    }

    static func record(_ number: Int) -> EvidenceRecord {
        EvidenceRecord(
            kind: .relayToNonERDS,
            time: .now(),
            evidenceID: "B\(number).D1",
            queueID: "B\(number)",
            messageID: "<\(number)@bench.test>",
            sender: "alice@bench.test",
            recipients: ["bob@example.org"],
            subject: "Notice \(number)",
            messageSHA256: String(repeating: "ab", count: 32),
            messageSize: 4096,
            attachments: [
                .init(
                    name: "notice.pdf",
                    contentType: "application/pdf",
                    size: 2048,
                    sha256: String(repeating: "cd", count: 32)
                )
            ],
            details: .relay(
                remoteHost: "mx.example.org",
                remoteIP: "192.0.2.25",
                tls: .init(version: "TLSv1.3", cipher: nil, peerVerified: true),
                reply: "250 2.0.0 Ok: queued as \(number)"
            )
        )
    }

    static func pki() throws -> (Certificate, CMSSigner, TimeStampAuthority) {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("Bench CA") }
        let now = Date()
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(caKey.publicKey),
            notValidBefore: now - 3600,
            notValidAfter: now + 86_400,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )
        func leaf(_ name: String, _ usage: ExtendedKeyUsage.Usage) throws -> CMSSigner {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now - 3600,
                notValidAfter: now + 86_400,
                issuer: caName,
                subject: try DistinguishedName { CommonName(name) },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, nonRepudiation: true))
                    Critical(try ExtendedKeyUsage([usage]))
                },
                issuerPrivateKey: Certificate.PrivateKey(caKey)
            )
            return try CMSSigner(certificate: certificate, privateKey: key)
        }
        return (
            ca, try leaf("Bench Signer", .emailProtection),
            TimeStampAuthority(signer: try leaf("Bench TSA", .timeStamping))
        )
    }
}
