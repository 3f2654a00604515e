//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
public import Evidence
import Foundation
import Logging
import Spool
import SwiftASN1
public import X509

extension FefaentDaemon {
    /// The evidence log, its store and its TSA, from `[evidence]`.
    static func makeEvidenceService(
        _ configuration: FefaentConfiguration.Evidence,
        spool: Spool,
        logger: Logger
    ) throws -> EvidenceService {
        let keys = try EvidenceKeys(configuration)
        // Open an existing log only: a new one is made only where the queue database remembers none.
        let existing =
            FileManager.default.fileExists(atPath: configuration.database)
            ? try EvidenceLog.open(configuration, keys: keys) : nil
        let finding = try EvidenceIntegrity.check(anchor: try spool.database.evidenceAnchor(), log: existing)
        guard finding == .consistent else {
            throw EvidenceIntegrity.Refusal(finding: finding, path: configuration.database)
        }
        let log = try existing ?? EvidenceLog.open(configuration, keys: keys)
        return EvidenceService(
            log: log,
            spool: spool,
            stamper: keys.stamper,
            interval: .milliseconds(configuration.checkpointIntervalMilliseconds),
            recordInterval: .milliseconds(configuration.recordIntervalMilliseconds),
            publisher: configuration.publicationFolder.map(CheckpointPublisher.init(folder:)),
            issuer: EvidenceRecord.Issuer(
                name: configuration.issuerName,
                policyID: configuration.policyID,
                policyURL: configuration.policyURL
            ),
            renewal: (TimeInterval(configuration.renewWithinDays) * 86_400, keys.trustedRoots),
            logger: logger
        )
    }
}

extension EvidenceLog {
    /// The log of `[evidence]` (its database is created if missing: check first where that matters).
    public static func open(_ configuration: FefaentConfiguration.Evidence, keys: EvidenceKeys) throws -> EvidenceLog {
        try EvidenceLog(
            store: try EvidenceStore.open(path: configuration.database),
            signer: keys.signer,
            logKey: keys.logKey,
            origin: configuration.origin
        )
    }
}

extension FefaentDaemon {
    /// One record of the log, checked as an auditor checks an export of it (signature, time-stamp,
    /// inclusion in a signed checkpoint): `nil` when the log has no such record.
    static func evidenceIDVerifier(
        log: EvidenceLog,
        keys: EvidenceKeys
    ) -> @Sendable (String) throws -> VerificationReport? {
        { id in
            guard let record = try log.store.record(id: id) else { return nil }
            // The bundle an export would write, checked in memory (no folder written and read back).
            let bundle = try EvidenceBundle.make(log: log, records: [record], message: nil, caPEM: keys.caPEM)
            return EvidenceBundleVerifier.verify(
                files: Dictionary(bundle.files.map { ($0.path, $0.data) }, uniquingKeysWith: { first, _ in first }),
                trustedRoots: keys.trustedRoots,
                logKey: (log.origin, keys.logKey.publicKey)
            ).report
        }
    }
}

/// The keys and certificates of `[evidence]`, loaded and checked.
public struct EvidenceKeys: Sendable {
    public let signer: CMSSigner
    /// What signs the evidence PDFs.
    public let pdfSigner: CMSSigner
    public let logKey: Curve25519.Signing.PrivateKey
    public let caPEM: String
    public let trustedRoots: [Certificate]
    /// The CA's CRLs (DER), for the evidence PDFs' document security store (PAdES B-LT).
    public let revocationLists: [[UInt8]]
    public let stamper: any TimeStamping

    public init(_ configuration: FefaentConfiguration.Evidence) throws {
        func read(_ path: String, _ key: String) throws -> String {
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError(key: "evidence.\(key)", "cannot read \(path)")
            }
        }
        do {
            self.signer = try CMSSigner(
                certificatePEM: try read(configuration.certificate, "certificate"),
                keyPEM: try read(configuration.key, "key")
            )
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(key: "evidence.certificate", "not a certificate and P-256 key in PEM: \(error)")
        }
        if let certificate = configuration.pdfCertificate, let key = configuration.pdfKey {
            do {
                self.pdfSigner = try CMSSigner(
                    certificatePEM: try read(certificate, "pdf_certificate"),
                    keyPEM: try read(key, "pdf_key")
                )
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError(key: "evidence.pdf_certificate", "not a certificate and key in PEM: \(error)")
            }
        } else {
            self.pdfSigner = self.signer
        }
        self.caPEM = try read(configuration.ca, "ca")
        self.revocationLists = try configuration.crls.map { path in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(key: "evidence.crls", "cannot read \(path)")
            }
            return Array(data)
        }
        do {
            self.trustedRoots = try PEMDocument.parseMultiple(pemString: self.caPEM).map {
                try Certificate(pemDocument: $0)
            }
        } catch {
            throw ConfigurationError(key: "evidence.ca", "not a PEM certificate: \(error)")
        }
        let logKeyPEM = try read(configuration.logKey, "log_key")
        do {
            self.logKey = try LogKey.privateKey(pem: logKeyPEM)
        } catch {
            throw ConfigurationError(key: "evidence.log_key", "\(error)")
        }
        if let url = configuration.tsaURL.flatMap(URL.init(string:)) {
            var roots = self.trustedRoots
            if let path = configuration.tsaCertificate {
                roots += try PEMDocument.parseMultiple(pemString: try read(path, "tsa_certificate")).map {
                    try Certificate(pemDocument: $0)
                }
            }
            self.stamper = HTTPTimeStampClient(url: url, trustedRoots: roots)
        } else if let certificate = configuration.tsaCertificate, let key = configuration.tsaKey {
            self.stamper = TimeStampAuthority(
                signer: try CMSSigner(
                    certificatePEM: try read(certificate, "tsa_certificate"),
                    keyPEM: try read(key, "tsa_key")
                )
            )
        } else {
            throw ConfigurationError(
                key: "evidence.tsa_url",
                "name an external TSA or the built-in TSA's certificate and key"
            )
        }
    }
}
