//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
import X509

@testable import Evidence

/// A throw-away CA with an evidence signer and a TSA, made in memory for the tests.
struct TestPKI {
    let ca: Certificate
    let caKey: P256.Signing.PrivateKey
    let signer: CMSSigner
    let tsa: TimeStampAuthority
    let logKey = Curve25519.Signing.PrivateKey()

    init(name: String = "Test CA") throws {
        let caKey = P256.Signing.PrivateKey()
        self.caKey = caKey
        let caName = try DistinguishedName { CommonName(name) }
        let now = Date()
        self.ca = try Certificate(
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
        func leaf(_ commonName: String, _ usage: ExtendedKeyUsage.Usage) throws -> CMSSigner {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now - 3600,
                notValidAfter: now + 86_400,
                issuer: caName,
                subject: try DistinguishedName { CommonName(commonName) },
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
        self.signer = try leaf("Evidence Signer", .emailProtection)
        self.tsa = TimeStampAuthority(signer: try leaf("TSA", .timeStamping))
    }

    static func record(_ number: Int, time: UTCDateTime = .now()) -> EvidenceRecord {
        EvidenceRecord(
            kind: .relayToNonERDS,
            time: time,
            evidenceID: "Q\(number).D1",
            queueID: "Q\(number)",
            messageID: "<\(number)@example.test>",
            sender: "alice@example.test",
            recipients: ["bob@example.org"],
            subject: "Notificació \(number) 日本",
            messageSHA256: String(repeating: "ab", count: 32),
            messageSize: 1234,
            attachments: [
                .init(
                    name: "contract.pdf",
                    contentType: "application/pdf",
                    size: 99,
                    sha256: String(repeating: "cd", count: 32)
                )
            ],
            details: .relay(
                remoteHost: "mx.example.org",
                remoteIP: "192.0.2.25",
                tls: .init(version: "TLSv1.3", cipher: nil, peerVerified: true),
                reply: "250 2.0.0 Ok: queued as ABC"
            )
        )
    }
}
