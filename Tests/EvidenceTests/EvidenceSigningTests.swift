//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
import GRDB
import Synchronization
import Testing
import X509

@testable import Evidence

@Suite struct EvidenceSigningTests {
    @Test func storeCommitsSyncTheWriteAheadLog() throws {
        // A record is on disk when its transaction returns: the writer is synchronous = FULL (2),
        // not the NORMAL that GRDB's WAL setup leaves.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-\(UUID()).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try EvidenceStore.open(path: path)
        let level = try store.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(level == 2)
    }

    @Test func canonicalJSONFollowsRFC8785() throws {
        // RFC 8785 §3.2.3: members sorted by UTF-16 code units.
        let value = CanonicalJSON.object([
            "\u{20ac}": .string("Euro Sign"), "\r": .string("Carriage Return"),
            "\u{fb33}": .string("Hebrew Letter Dalet With Dagesh"),
            "1": .string("One"), "\u{1f600}": .string("Emoji: Grinning Face"), "\u{0080}": .string("Control"),
            "\u{00f6}": .string("Latin Small Letter O With Diaeresis")
        ])
        let expected =
            #"{"\r":"Carriage Return","1":"One","\#u{0080}":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","\#u{1f600}":"Emoji: Grinning Face","\#u{fb33}":"Hebrew Letter Dalet With Dagesh"}"#
        #expect(String(decoding: value.canonicalBytes, as: UTF8.self) == expected)
        #expect(
            String(decoding: CanonicalJSON.string("a\"\\\u{1}\n").canonicalBytes, as: UTF8.self) == #""a\"\\\u0001\n""#
        )
        let record = TestPKI.record(1)
        let parsed = try EvidenceRecord(json: try CanonicalJSON(parsing: record.canonicalBytes))
        #expect(parsed == record)
    }

    @Test func signaturesVerifyAndDetectChanges() throws {
        let pki = try TestPKI()
        let body = TestPKI.record(1).canonicalBytes
        let signature = try pki.signer.sign(content: body, time: .now())
        let token = try pki.tsa.token(for: Array(SHA256.hash(data: signature.signature)))
        let cms = try pki.signer.assemble(
            signature,
            unsignedAttributes: [CMSSigner.signatureTimeStampAttribute(token: token)]
        )
        let verified = try CMSVerifier.verify(
            cms,
            detachedContent: body,
            trustedRoots: [pki.ca],
            requiredUsage: .emailProtection
        )
        #expect(verified.reader.unsignedAttributes.first?.values.first == token)
        let stamp = try TimeStampToken(
            verifying: token,
            for: Array(SHA256.hash(data: signature.signature)),
            trustedRoots: [pki.ca]
        )
        #expect(abs(stamp.genTime.millisecondsSinceEpoch - UTCDateTime.now().millisecondsSinceEpoch) < 5_000)

        var changed = body
        changed[10] ^= 1
        #expect(throws: EvidenceProblem.self) {
            try CMSVerifier.verify(cms, detachedContent: changed, trustedRoots: [pki.ca])
        }
        let other = try TestPKI(name: "Another CA")
        #expect(throws: EvidenceProblem.self) {
            try CMSVerifier.verify(cms, detachedContent: body, trustedRoots: [other.ca])
        }
        // The evidence signer is not a TSA: its signature is no time-stamp.
        #expect(throws: EvidenceProblem.self) {
            try CMSVerifier.verify(cms, detachedContent: body, trustedRoots: [pki.ca], requiredUsage: .timeStamping)
        }
        #expect(throws: EvidenceProblem.self) {
            try TimeStampToken(verifying: token, for: Array(SHA256.hash(data: body)), trustedRoots: [pki.ca])
        }
    }

    /// Stamping reads on from the first record it has not stamped (a scan from the first leaf read
    /// the whole log at every round, and a long-running server slowed down as its log grew): records
    /// a TSA outage left unstamped, and records logged after a round, are stamped by the next rounds.
    @Test func stampingResumesWhereItStopped() async throws {
        final class FailingAfter: TimeStamping {
            let tsa: any TimeStamping
            let budget: Mutex<Int>
            init(tsa: any TimeStamping, budget: Int) {
                self.tsa = tsa
                self.budget = Mutex(budget)
            }
            func timeStamp(digest: [UInt8]) async throws -> [UInt8] {
                guard
                    self.budget.withLock({ budget in
                        budget -= 1
                        return budget >= 0
                    })
                else {
                    throw EvidenceProblem("TSA down")
                }
                return try await self.tsa.timeStamp(digest: digest)
            }
        }
        let pki = try TestPKI()
        let store = try EvidenceStore(DatabaseQueue())
        let log = try EvidenceLog(store: store, signer: pki.signer, logKey: pki.logKey, origin: "test/log")
        try log.append((1...10).map { TestPKI.record($0) })
        // Records no checkpoint covers yet are not stamped: a stamped record is always inside a
        // stamped checkpoint.
        _ = await log.stamp(with: pki.tsa)
        #expect(try store.stampedRecordCount() == 0)
        try log.checkpoint()
        // The checkpoint's token and three records' before the TSA fails.
        let (stamped, failure) = await log.stamp(with: FailingAfter(tsa: pki.tsa, budget: 4))
        #expect(stamped == 4 && failure != nil)
        #expect(try store.stampedRecordCount() == 3)
        _ = await log.stamp(with: pki.tsa)
        #expect(try store.stampedRecordCount() == 10)
        try log.append((11...15).map { TestPKI.record($0) })
        try log.checkpoint()
        _ = await log.stamp(with: pki.tsa)
        #expect(try store.stampedRecordCount() == 15)
        #expect(try store.unstampedCheckpoints().checkpoints.isEmpty)
        // A small batch limit: each round stamps the next records, none twice, none skipped.
        try log.append((16...25).map { TestPKI.record($0) })
        try log.checkpoint()
        for _ in 0..<4 { _ = await log.stamp(with: pki.tsa, limit: 3) }
        #expect(try store.stampedRecordCount() == 25)
    }

    @Test func theStoreRefusesUpdatesAndDeletes() async throws {
        let pki = try TestPKI()
        let store = try EvidenceStore(DatabaseQueue())
        let log = try EvidenceLog(store: store, signer: pki.signer, logKey: pki.logKey, origin: "test/log")
        try log.append([TestPKI.record(1), TestPKI.record(2)])
        try log.checkpoint()
        _ = await log.stamp(with: pki.tsa)
        for statement in [
            "UPDATE record SET body = x'00'", "DELETE FROM record", "UPDATE checkpoint SET size = 9",
            "DELETE FROM record_timestamp"
        ] {
            #expect(throws: DatabaseError.self) { try store.writer.write { try $0.execute(sql: statement) } }
        }
        #expect(try store.recordCount() == 2)
        #expect(try store.stampedRecordCount() == 2)
    }

    @Test func theAuditorFindsDeletionsRewritesAndForeignSignatures() async throws {
        let pki = try TestPKI()
        let queue = try DatabaseQueue()
        let store = try EvidenceStore(queue)
        let log = try EvidenceLog(store: store, signer: pki.signer, logKey: pki.logKey, origin: "test/log")
        try log.append((1...20).map { TestPKI.record($0) })
        try log.checkpoint()
        _ = await log.stamp(with: pki.tsa)
        let kept = try #require(try store.checkpoints().last).note
        let auditor = EvidenceAuditor(
            store: store,
            trustedRoots: [pki.ca],
            signer: pki.signer.certificate,
            logKey: ("test/log", pki.logKey.publicKey)
        )
        #expect(try auditor.audit(keptCheckpoints: [kept]).report.passed)

        // Someone with write access drops the triggers and deletes record 5.
        try await queue.write { db in
            try db.execute(
                sql:
                    "DROP TRIGGER record_no_delete; DROP TRIGGER record_no_update; DROP TRIGGER record_timestamp_no_delete"
            )
            try db.execute(sql: "DELETE FROM record_timestamp WHERE evidence_id = 'Q5.D1'")
            try db.execute(sql: "DELETE FROM record WHERE evidence_id = 'Q5.D1'")
        }
        let afterDelete = try auditor.audit(keptCheckpoints: [kept]).report
        #expect(!afterDelete.passed)
        #expect(afterDelete.checks.contains { !$0.passed && $0.text.contains("missing from the log: deleted") })
        #expect(afterDelete.checks.contains { !$0.passed && $0.subject == "kept checkpoint 1" })

        // Another record re-signed by a key of another CA.
        let other = try TestPKI(name: "Mallory CA")
        let body = try #require(try store.record(id: "Q7.D1")).body
        let forged = try other.signer.sign(content: body, time: .now())
        try await queue.write { db in
            try db.execute(
                sql: "UPDATE record SET signed_attributes = ?, signature = ? WHERE evidence_id = 'Q7.D1'",
                arguments: [Data(forged.signedAttributes), Data(forged.signature)]
            )
        }
        let afterResign = try auditor.audit().report
        #expect(
            afterResign.checks.contains { !$0.passed && $0.text.contains("Q7.D1") && $0.text.contains("signature") }
        )
    }
}
