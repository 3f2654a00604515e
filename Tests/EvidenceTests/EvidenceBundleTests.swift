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
import GRDB
import Testing

@testable import Evidence

@Suite("Evidence bundles")
struct EvidenceBundleTests {
    /// A log with the records of one message, checkpointed and stamped, and its bundle.
    func bundle(records count: Int) async throws -> (TestPKI, EvidenceBundle, EvidenceLog) {
        let pki = try TestPKI()
        let log = try EvidenceLog(
            store: try EvidenceStore(DatabaseQueue()),
            signer: pki.signer,
            logKey: pki.logKey,
            origin: "test/log"
        )
        var records = (0..<count).map { TestPKI.record($0) }
        for index in records.indices {
            records[index].queueID = "Q1"
            records[index].messageSHA256 = Hex.encode(SHA256.hash(data: Array("message".utf8)))
        }
        try log.append(records)
        try log.checkpoint()
        _ = await log.stamp(with: pki.tsa)
        let bundle = try Self.bundle(of: log)
        return (pki, bundle, log)
    }

    /// The bundle of message Q1 with its message.
    static func bundle(of log: EvidenceLog) throws -> EvidenceBundle {
        try EvidenceBundle.make(
            log: log,
            records: try log.store.records(queueID: "Q1"),
            message: Array("message".utf8),
            caPEM: ""
        )
    }

    func verify(_ files: [String: [UInt8]], _ pki: TestPKI) -> VerificationReport {
        EvidenceBundleVerifier.verify(files: files, trustedRoots: [pki.ca], logKey: nil).report
    }

    @Test func aCompleteBundleVerifies() async throws {
        let (pki, bundle, _) = try await self.bundle(records: 3)
        let report = self.verify(bundle.byPath, pki)
        #expect(report.passed, "\(report.checks.filter { !$0.passed }.map(\.text))")
        #expect(report.checks.contains { $0.subject == "manifest" && $0.passed })
    }

    @Test func aRecordTakenOutFails() async throws {
        let (pki, bundle, _) = try await self.bundle(records: 3)
        var files = bundle.byPath
        let taken = try #require(files.keys.first { $0.hasPrefix("records/") && $0.hasSuffix(".p7s") })
        let id = String(taken.dropFirst("records/".count).dropLast(4))
        for suffix in [".json", ".p7s", ".sig", ".tsr", ".proof.json"] { files["records/" + id + suffix] = nil }
        let report = self.verify(files, pki)
        #expect(!report.passed)
        #expect(report.checks.contains { !$0.passed && $0.subject == "record \(id)" && $0.text.contains("is missing") })
    }

    @Test func aBundleWithoutItsManifestFails() async throws {
        let (pki, bundle, _) = try await self.bundle(records: 2)
        var files = bundle.byPath
        files["manifest.p7s"] = nil
        #expect(!self.verify(files, pki).passed)
    }

    @Test func aManifestRewrittenToHideARecordFailsItsSignature() async throws {
        let (pki, bundle, _) = try await self.bundle(records: 2)
        var files = bundle.byPath
        let manifest = try Manifest(json: try CanonicalJSON(parsing: try #require(files["manifest.json"])))
        var shorter = manifest
        shorter.records.removeLast()
        files["manifest.json"] = shorter.json.canonicalBytes
        let report = self.verify(files, pki)
        #expect(report.checks.contains { !$0.passed && $0.subject == "manifest" })
    }

    @Test func aRecordSignedLaterThanItsEventVerifiesAndTheAuditorAcceptsIt() async throws {
        // The outbox may sign a record long after its event (a crash before the writer ran).
        let pki = try TestPKI()
        let log = try EvidenceLog(
            store: try EvidenceStore(DatabaseQueue()),
            signer: pki.signer,
            logKey: pki.logKey,
            origin: "test/log"
        )
        let hourAgo = UTCDateTime(millisecondsSinceEpoch: UTCDateTime.now().millisecondsSinceEpoch - 3_600_000)
        try log.append([TestPKI.record(1, time: hourAgo), TestPKI.record(2)])
        try log.checkpoint()
        _ = await log.stamp(with: pki.tsa)
        let stored = try log.store.allRecords()
        let signed = try #require(
            SignedDataReader.signingTime(inSignedAttributes: stored[0].signature.signedAttributes)
        )
        #expect(signed.millisecondsSinceEpoch > hourAgo.millisecondsSinceEpoch + 3_500_000)
        let auditor = EvidenceAuditor(
            store: log.store,
            trustedRoots: [pki.ca],
            signer: pki.signer.certificate,
            logKey: ("test/log", pki.logKey.publicKey)
        )
        let (report, _) = try auditor.audit(
            keptCheckpoints: [],
            verifyRecordSignatures: true,
            verifyRecordTimeStamps: true
        )
        #expect(report.passed, "\(report.checks.filter { !$0.passed }.map(\.text))")
    }

    @Test func aBundleLinksItsCheckpointToTheNewestAndAForgedLinkFails() async throws {
        let (pki, _, log) = try await self.bundle(records: 3)
        try log.append([TestPKI.record(7), TestPKI.record(8)])
        try log.checkpoint()
        _ = await log.stamp(with: pki.tsa)
        let bundle = try Self.bundle(of: log)
        var files = bundle.byPath
        let proof = try ConsistencyProof(json: try CanonicalJSON(parsing: try #require(files["consistency.json"])))
        #expect(proof.oldSize == 3 && proof.newSize == 5)
        let report = self.verify(files, pki)
        #expect(report.passed, "\(report.checks.filter { !$0.passed }.map(\.text))")
        var forged = proof
        forged.hashes[0] = Array(repeating: 0, count: 32)
        files["consistency.json"] = forged.json.canonicalBytes
        #expect(self.verify(files, pki).checks.contains { !$0.passed && $0.subject == "latest checkpoint" })
    }

    @Test func archiveTimeStampsRenewARecordAndAForgedOneBreaksTheChain() async throws {
        let (pki, _, log) = try await self.bundle(records: 2)
        let far = Date().addingTimeInterval(10 * 365 * 86_400)
        // Nothing is due while the certificates have long to live; everything is within ten years.
        #expect(try log.dueForRenewal(before: Date(), trustedRoots: [pki.ca]).isEmpty)
        let due = try log.dueForRenewal(before: far, trustedRoots: [pki.ca])
        #expect(due.count == 2 && due.allSatisfy { $0.position == 1 })
        #expect(await log.renew(due, with: pki.tsa).renewed == 2)
        let again = try log.dueForRenewal(before: far, trustedRoots: [pki.ca])
        #expect(await log.renew(again, with: pki.tsa).renewed == 2)
        let record = try #require(try log.store.records(queueID: "Q1").first)
        let chain = try log.store.tokenChain(evidenceID: record.evidenceID)
        #expect(chain.count == 3)
        let verified = try ArchiveTimeStamps.verifyChain(
            body: record.body,
            signature: record.signature,
            tokens: chain,
            trustedRoots: [pki.ca]
        )
        #expect(verified.count == 3)

        let bundle = try Self.bundle(of: log)
        var files = bundle.byPath
        let report = self.verify(files, pki)
        #expect(report.passed && report.checks.contains { $0.text.hasPrefix("renewed 2 time(s)") })
        // A token over something else in the middle of the chain.
        let forged = try pki.tsa.token(for: Array(repeating: 7, count: 32))
        files["records/\(record.evidenceID).ats1.tsr"] = forged
        #expect(
            self.verify(files, pki).checks.contains {
                !$0.passed && $0.subject == "record \(record.evidenceID)" && $0.text.hasPrefix("archive time-stamp 1")
            }
        )
        // The store refuses to rewrite a renewal.
        #expect(throws: (any Error).self) {
            try log.store.insertArchiveTimestamps([(record.evidenceID, 1, forged)], at: .now())
        }
    }

    @Test func aCRLVerifiesAgainstItsCAAndNamesWhatItRevokes() throws {
        let pki = try TestPKI()
        let now = UTCDateTime.now()
        let later = UTCDateTime(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 86_400_000)
        let serial: [UInt8] = [0x12, 0x34, 0x56]
        let crl = try CertificateRevocationList.make(
            issuer: pki.ca,
            key: pki.caKey,
            revoked: [serial],
            thisUpdate: now,
            nextUpdate: later,
            number: 7
        )
        let (next, revoked) = try PDFLongTermRevision.verifyCRL(crl, trustedRoots: [pki.ca])
        #expect(next.millisecondsSinceEpoch / 1000 == later.millisecondsSinceEpoch / 1000 && revoked == [serial])
        #expect(throws: EvidenceProblem.self) {
            try PDFLongTermRevision.verifyCRL(crl, trustedRoots: [try TestPKI().ca])
        }
        var changed = crl
        changed[changed.count / 2] ^= 1
        #expect(throws: EvidenceProblem.self) { try PDFLongTermRevision.verifyCRL(changed, trustedRoots: [pki.ca]) }
    }

    @Test func embeddedFilesComeBackOutOfAPDFAsWritten() {
        var pdf = Array("%PDF-1.7\n".utf8)
        pdf += Array("1 0 obj\n<< /Length 5 /Type /EmbeddedFile >>\nstream\nhello\nendstream\nendobj\n".utf8)
        pdf += Array("2 0 obj\n<< /Type /Filespec /F (a\\(b\\).json) /UF (x) /EF << /F 1 0 R >> >>\nendobj\n".utf8)
        pdf += Array("3 0 obj\n<< /Type /Filespec /F (broken /EF << /F 99 0 R >> >>\nendobj\n".utf8)
        let files = PDFEmbeddedFiles.extract(pdf)
        #expect(files == ["a(b).json": Array("hello".utf8)])
        #expect(PDFEmbeddedFiles.extract(Array("%PDF /Type /Filespec /F (x".utf8)).isEmpty)
    }
}
