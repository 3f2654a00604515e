//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import _CryptoExtras
import MailMessage
import Evidence
public import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#endif

/// `fefaent keys init`: a development CA and the certificates a default setup needs.
///
/// | file | what |
/// | --- | --- |
/// | `ca.pem`, `ca.key` | the CA every other certificate chains to; give `ca.pem` to auditors and clients |
/// | `server.pem`, `server.key` | TLS for the SMTP listeners (EKU serverAuth; SAN the hostname, localhost, 127.0.0.1, ::1) |
/// | `signing.pem`, `signing.key` | the evidence signing certificate (EKU emailProtection) |
/// | `tsa.pem`, `tsa.key` | the built-in time-stamping authority (critical EKU timeStamping) |
/// | `dkim.key`, `dkim.txt` | the DKIM key for certified copies (RSA 2048) and its DNS TXT record |
/// | `pdf-signing.pem`, `pdf-signing.key` | the evidence PDFs' signing certificate (RSA 2048, EKU emailProtection) |
/// | `log.key`, `log.vkey` | the transparency log's checkpoint key (Ed25519) and its C2SP verifier key |
/// | `ca.crl` | the CA's CRL (DER, nothing revoked, 180 days); every certificate names its URL (`--crl-url`) |
///
/// Keys are ECDSA P-256, written as PKCS#8 PEM with mode 0600. A production setup names
/// certificates from a real CA in the config instead.
public enum DevelopmentKeys {
    public static let files = [
        "ca.pem", "ca.key", "server.pem", "server.key", "signing.pem", "signing.key", "tsa.pem", "tsa.key", "dkim.key",
        "dkim.txt", "log.key", "log.vkey", "pdf-signing.pem", "pdf-signing.key", "ca.crl"
    ]

    /// Writes the keys into `directory`; refuses to overwrite existing ones unless `force`.
    public static func create(
        in directory: String,
        hostname: String,
        crlURL: String? = nil,
        force: Bool = false,
        now: Date = Date()
    ) throws {
        let crlURL = crlURL ?? "http://\(hostname)/ca.crl"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !force,
            let existing = self.files.first(where: { FileManager.default.fileExists(atPath: "\(directory)/\($0)") })
        {
            throw ConfigurationError(key: "", "\(directory)/\(existing) exists; use --force to replace the keys")
        }
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("Fefaent")
            CommonName("Fefaent Development CA")
        }
        let caPublicKey = Certificate.PublicKey(caKey.publicKey)
        let ca = try Certificate(
            version: .v3,
            serialNumber: self.serialNumber(),
            publicKey: caPublicKey,
            notValidBefore: now - 3600,
            notValidAfter: now + 10 * 365 * 86_400,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: caPublicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )
        try self.write(ca, caKey, name: "ca", in: directory)

        /// A certificate for `publicKey`, issued by the CA, with key identifiers added to `extensions`.
        func certificate(
            _ commonName: String,
            publicKey: Certificate.PublicKey,
            extensions: Certificate.Extensions
        ) throws -> Certificate {
            var all = extensions
            try all.append(Certificate.Extension(SubjectKeyIdentifier(hash: publicKey), critical: false))
            // Where a validator fetches the CA's CRL (PAdES long-term validation needs revocation data).
            try all.append(CertificateRevocationList.distributionPoint(url: crlURL))
            try all.append(
                Certificate.Extension(
                    AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: caPublicKey).keyIdentifier),
                    critical: false
                )
            )
            return try Certificate(
                version: .v3,
                serialNumber: self.serialNumber(),
                publicKey: publicKey,
                notValidBefore: now - 3600,
                notValidAfter: now + 2 * 365 * 86_400,
                issuer: caName,
                subject: try DistinguishedName {
                    OrganizationName("Fefaent")
                    CommonName(commonName)
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: all,
                issuerPrivateKey: Certificate.PrivateKey(caKey)
            )
        }

        func leaf(
            _ commonName: String,
            extensions: Certificate.Extensions
        ) throws -> (Certificate, P256.Signing.PrivateKey) {
            let key = P256.Signing.PrivateKey()
            return (
                try certificate(commonName, publicKey: Certificate.PublicKey(key.publicKey), extensions: extensions),
                key
            )
        }

        let server = try leaf(
            hostname,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName(hostname), .dnsName("localhost"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))
                ])
            }
        )
        try self.write(server.0, server.1, name: "server", in: directory)

        let signing = try leaf(
            "Fefaent Evidence Signing",
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, nonRepudiation: true))
                try ExtendedKeyUsage([.emailProtection])
            }
        )
        try self.write(signing.0, signing.1, name: "signing", in: directory)

        // The PDFs' signing certificate: RSA, because poppler (pdfsig) verifies no ECDSA PDF signer.
        let pdfKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let pdfCertificate = try certificate(
            "Fefaent Evidence PDF Signing",
            publicKey: Certificate.PublicKey(pdfKey.publicKey),
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, nonRepudiation: true))
                try ExtendedKeyUsage([.emailProtection])
            }
        )
        try self.writeFile(
            "\(directory)/pdf-signing.pem",
            try pdfCertificate.serializeAsPEM().pemString + "\n",
            mode: 0o644
        )
        try self.writeFile("\(directory)/pdf-signing.key", pdfKey.pemRepresentation + "\n", mode: 0o600)

        let tsa = try leaf(
            "Fefaent Time-Stamping Authority",
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, nonRepudiation: true))
                Critical(try ExtendedKeyUsage([.timeStamping]))
            }
        )
        try self.write(tsa.0, tsa.1, name: "tsa", in: directory)

        // DKIM (RFC 6376 §3.3.3: RSA keys of 1024–4096 bits; 2048 is what receivers expect today).
        let dkim = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try self.writeFile("\(directory)/dkim.key", dkim.pemRepresentation + "\n", mode: 0o600)
        let record = DKIMSigner.Key.rsa(dkim).publicKeyRecord
        try self.writeFile(
            "\(directory)/dkim.txt",
            "; publish at <selector>._domainkey.<domain> (selector \"fefaent\" by default)\n\"\(record)\"\n",
            mode: 0o644
        )

        // The CA's CRL (DER): nothing revoked, valid 180 days; publish it at `crlURL`.
        try self.writeFile(
            "\(directory)/ca.crl",
            try CertificateRevocationList.make(
                issuer: ca,
                key: caKey,
                thisUpdate: UTCDateTime(now - 3600),
                nextUpdate: UTCDateTime(now + 180 * 86_400),
                number: 1
            ),
            mode: 0o644
        )

        // The log's checkpoint key; its origin is "<hostname>/evidence" (the default [evidence] origin).
        let logKey = Curve25519.Signing.PrivateKey()
        try self.writeFile("\(directory)/log.key", LogKey.pem(logKey), mode: 0o600)
        try self.writeFile(
            "\(directory)/log.vkey",
            Checkpoint.verifierKey(name: "\(hostname)/evidence", publicKey: logKey.publicKey) + "\n",
            mode: 0o644
        )
    }

    private static func write(
        _ certificate: Certificate,
        _ key: P256.Signing.PrivateKey,
        name: String,
        in directory: String
    )
        throws
    {
        try self.writeFile("\(directory)/\(name).pem", try certificate.serializeAsPEM().pemString + "\n", mode: 0o644)
        try self.writeFile("\(directory)/\(name).key", key.pemRepresentation + "\n", mode: 0o600)
    }

    /// A random positive serial number of exactly 20 octets (RFC 5280 §4.1.2.2: at most 20). The
    /// library's default can take 21 once DER adds a sign byte, and NSS (pdfsig) then drops the
    /// certificate.
    static func serialNumber() -> Certificate.SerialNumber {
        var bytes = (0..<20).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = bytes[0] & 0x7F | 0x01
        return Certificate.SerialNumber(bytes: bytes)
    }

    /// Creates the file with its final mode from the start, so a private key is never readable by others.
    private static func writeFile(_ path: String, _ text: String, mode: mode_t) throws {
        try self.writeFile(path, Array(text.utf8), mode: mode)
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw ConfigurationError(key: "", "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        fchmod(fd, mode)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw ConfigurationError(key: "", "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
