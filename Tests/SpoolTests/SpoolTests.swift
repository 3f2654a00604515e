//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import GRDB
import NIOConcurrencyHelpers
import NIOCore
import SMTPCore
import Testing

@testable import Spool

/// A fresh spool folder under the system temporary folder, removed when the test ends.
final class TemporaryFolder {
    let path: String

    init() {
        self.path = NSTemporaryDirectory() + "fefaent-spool-test-" + QueueID.make()
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: self.path + "/" + folder)) ?? []).sorted()
    }
}

func envelope(recipients: [String] = ["certify@fefaent.test"]) -> Envelope {
    Envelope(
        reversePath: .mailbox(Mailbox(localPart: "alice", domain: "acme.test")),
        mailParameters: MailParameters(body: .eightBitMIME, dsnReturn: .headers, envelopeID: "E1"),
        recipients: recipients.map { address in
            let parts = address.split(separator: "@")
            return AcceptedRecipient(
                forwardPath: .mailbox(Mailbox(localPart: String(parts[0]), domain: String(parts[1]))),
                parameters: RcptParameters(notify: [.failure, .delay]),
                kind: .certifier
            )
        },
        heloName: "c.test",
        protocolName: "ESMTP",
        authenticatedUser: nil,
        chunked: false
    )
}

let metadata = ReceptionMetadata(receivedAt: Date(), clientAddress: "127.0.0.1", listener: "mx", tls: nil)

/// Receives `content` in chunks of `chunk` octets and commits it; returns the queue id.
func receive(
    _ content: [UInt8],
    into spool: Spool,
    chunk: Int = 4096,
    recipients: [String] = ["certify@fefaent.test"]
)
    async throws -> String
{
    let id = QueueID.make()
    var message = spool.beginMessage(queueID: id, header: ByteBuffer(string: "Received: test\r\n"))
    var offset = 0
    while offset < content.count {
        let end = min(offset + chunk, content.count)
        try message.append(ByteBuffer(bytes: content[offset..<end]))
        offset = end
    }
    let sealed = try message.seal()
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        spool.commit(sealed, envelope: envelope(recipients: recipients), metadata: metadata) { result in
            continuation.resume(with: result)
        }
    }
    return id
}

@Suite("Spool")
struct SpoolTests {
    @Test func aCommittedMessageIsStoredByteForByteWithItsRecipients() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path)
        defer { try? spool.close() }
        let content = Array("Subject: hi\r\n\r\nbody\r\n".utf8)
        let id = try await receive(content, into: spool, recipients: ["certify@fefaent.test", "inbox@acme.test"])

        let message = try #require(try spool.database.message(id: id))
        #expect(message.storage == .segment)
        #expect(message.size == content.count)
        #expect(message.dsnRet == "HDRS" && message.dsnEnvid == "E1" && message.body == "8BITMIME")
        let stored = try spool.contents(of: message)
        #expect(stored == Array("Received: test\r\n".utf8) + content)
        let recipients = try spool.database.recipients(of: id)
        #expect(recipients.map(\.address) == ["certify@fefaent.test", "inbox@acme.test"])
        #expect(recipients.allSatisfy { $0.notify == "FAILURE,DELAY" && $0.state == .queued })
    }

    @Test func theDigestIsSHA256OfWhatTheClientSent() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path)
        defer { try? spool.close() }
        let id = try await receive(Array("abc".utf8), into: spool)
        // SHA-256("abc"), FIPS 180-2 appendix B.1
        #expect(
            try spool.database.message(id: id)?.sha256
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
    }

    @Test func largeMessagesGetAFileOfTheirOwn() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path, spillThreshold: 64 * 1024)
        defer { try? spool.close() }
        let content = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let id = try await receive(content, into: spool, chunk: 65_536)
        let message = try #require(try spool.database.message(id: id))
        #expect(message.storage == .file && message.path == "msg/\(id)")
        #expect(Array(try spool.contents(of: message).dropFirst(message.headerLength)) == content)
        #expect(folder.files(in: "tmp").isEmpty)
    }

    @Test func concurrentCommitsShareBatches() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path)
        defer { try? spool.close() }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<200 {
                group.addTask { try await receive(Array("message \(index)\r\n".utf8), into: spool) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 200)
        let messages = try spool.database.messages()
        #expect(messages.count == 200)
        for message in messages {
            let text = String(decoding: try spool.contents(of: message).dropFirst(message.headerLength), as: UTF8.self)
            #expect(text.hasPrefix("message "))
        }
        #expect(folder.files(in: "seg").count == 1)
    }

    @Test func anAbortedMessageLeavesNothing() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path, spillThreshold: 1024)
        defer { try? spool.close() }
        var message = spool.beginMessage(queueID: QueueID.make(), header: ByteBuffer())
        try message.append(ByteBuffer(bytes: [UInt8](repeating: 65, count: 10_000)))
        #expect(folder.files(in: "tmp").count == 1)
        message.abort()
        #expect(folder.files(in: "tmp").isEmpty)
        #expect(try spool.database.messages().isEmpty)
    }

    @Test func startUpRemovesLeftoversAndFlagsMissingFiles() async throws {
        let folder = TemporaryFolder()
        var kept: String
        var lost: String
        do {
            let spool = try Spool(directory: folder.path, spillThreshold: 1024)
            kept = try await receive(Array("kept\r\n".utf8), into: spool)
            lost = try await receive([UInt8](repeating: 66, count: 5000), into: spool)
            try spool.close()
        }
        // Given: a crash left a half-received file, an uncommitted segment, and a message file vanished.
        _ = FileManager.default.createFile(atPath: folder.path + "/tmp/HALF", contents: Data("partial".utf8))
        _ = FileManager.default.createFile(atPath: folder.path + "/seg/ORPHAN.seg", contents: Data("x".utf8))
        try FileManager.default.removeItem(atPath: folder.path + "/msg/" + lost)
        // When: the spool opens again.
        let spool = try Spool(directory: folder.path)
        defer { try? spool.close() }
        // Then: leftovers are gone, the intact message is queued, the lost one is flagged, not dropped.
        #expect(folder.files(in: "tmp").isEmpty)
        #expect(!folder.files(in: "seg").contains("ORPHAN.seg"))
        #expect(try spool.database.message(id: kept)?.state == .queued)
        #expect(try spool.database.message(id: lost)?.state == .missing)
    }

    @Test func segmentsRotateWhenFull() async throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path, segmentLimit: 200)
        defer { try? spool.close() }
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<30 {
                group.addTask { try await receive(Array("message number \(index)\r\n".utf8), into: spool) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(folder.files(in: "seg").count > 1)
        for id in ids {
            let message = try #require(try spool.database.message(id: id))
            let text = String(decoding: try spool.contents(of: message).dropFirst(message.headerLength), as: UTF8.self)
            #expect(text.hasPrefix("message number "))
        }
    }

    @Test func oneSpoolHasOneOwner() throws {
        let folder = TemporaryFolder()
        let spool = try Spool(directory: folder.path)
        #expect(throws: SpoolInUse.self) { try Spool(directory: folder.path) }
        try spool.close()
        try Spool(directory: folder.path).close()
    }

    @Test func queueIDsSortByTimeAndAreSafe() {
        let early = QueueID.make(now: Date(timeIntervalSince1970: 1_000))
        let late = QueueID.make(now: Date(timeIntervalSince1970: 2_000))
        #expect(early < late)
        #expect(QueueID.isValid(early) && !QueueID.isValid("../etc/passwd"))
    }

    @Test func commitsSyncTheWriteAheadLog() throws {
        // GRDB's WAL setup sets synchronous = NORMAL (commits reach the disk at checkpoints only):
        // the spool's writer must be FULL (2), or a power loss takes back rows a `250` promised.
        let database = try SpoolDatabase.open(path: TemporaryFolder().path + ".sqlite")
        let level = try database.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(level == 2)
        let mode = try database.writer.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func theSchemaRefusesInconsistentRows() throws {
        let database = try SpoolDatabase.open(path: TemporaryFolder().path + ".sqlite")
        var recipient = QueuedRecipient(
            id: nil,
            messageId: "NOPE",
            address: "a@b.test",
            kind: "certifier",
            notify: nil,
            orcpt: nil,
            state: .queued,
            attempts: 0,
            nextAttemptAt: nil,
            lastReply: nil
        )
        #expect(throws: (any Error).self) {
            try database.writer.write { db in try recipient.insert(db) }
        }
    }
}
