//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import MailMessage
import Spool
import Testing

@testable import Certification

/// The DKIM key record of the test settings, as a zone would publish it.
struct KeyRecordDNS: MailDNSResolver {
    func txtRecords(for name: String) async throws -> [String] {
        name == "s._domainkey.fefaent.test" ? [TestSettings.key.publicKeyRecord] : []
    }
    func addresses(for name: String) async throws -> [String] { [] }
    func mailExchangers(for name: String) async throws -> [String] { [] }
}

@Suite("The certified copy")
struct CertifiedCopyTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus/mail-gem")

    static var corpusMessages: [URL] {
        let files = FileManager.default.enumerator(at: Self.corpus, includingPropertiesForKeys: nil)
        return (files?.compactMap { $0 as? URL } ?? []).filter { $0.pathExtension == "eml" }.sorted {
            $0.path < $1.path
        }
    }

    static let copy = CertifiedCopy(
        certifier: "certify@fefaent.test",
        serviceName: "Fefaent",
        signer: TestSettings.make().signer
    )

    static func make(_ original: [UInt8]) throws -> [UInt8] {
        try Self.copy.make(
            original: original,
            pixelURL: "https://fefaent.test/o/abcdefghjkmnpqrstvwxyz0123.gif",
            evidenceID: "E0123456789ABCDEFGHJKMNPQRS",
            messageID: "Q1.1@fefaent.test"
        )
    }

    @Test func aPlainMailBecomesAlignedAndCarriesThePixel() async throws {
        let original = Array(
            "From: =?utf-8?q?Al=C3=ADcia?= <alicia@acme.test>\r\nTo: bob@example.test\r\nSubject: Contract\r\nMessage-ID: <m1@acme.test>\r\n\r\nHello Bob.\r\n"
                .utf8
        )
        let copy = try Self.make(original)
        var options = MessageParser.Options()
        options.capturedTextLimit = 1 << 16
        let parsed = MessageParser.parse(copy, options: options)
        #expect(parsed.from.first?.address == "certify@fefaent.test")
        #expect(parsed.from.first?.displayName == "Alícia via Fefaent")
        #expect(parsed.replyTo.first?.address == "alicia@acme.test")
        #expect(parsed.messageID == "<Q1.1@fefaent.test>")
        #expect(parsed.parts[0].header("References") == "<m1@acme.test>")
        #expect(parsed.parts[0].header("X-Fefaent-Certification") == "E0123456789ABCDEFGHJKMNPQRS")
        let html = parsed.leaves.first { $0.mimeType == "text/html" }.map {
            String(decoding: $0.capturedText, as: UTF8.self)
        }
        #expect(html?.contains("https://fefaent.test/o/abcdefghjkmnpqrstvwxyz0123.gif") == true)
        let results = await DKIMVerifier(resolver: KeyRecordDNS(), now: Int(Date().timeIntervalSince1970))
            .verify(message: copy)
        #expect(results.first?.passedDomain == "fefaent.test")
    }

    @Test func aMailWithoutTextGetsAnHTMLPartAndKeepsItsAttachment() throws {
        let original = Array(
            ("From: alice@acme.test\r\nTo: bob@example.test\r\nSubject: scan\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: application/pdf; name=\"scan.pdf\"\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKJSVFT0YK\r\n").utf8
        )
        let before = MessageParser.parse(original)
        let parsed = MessageParser.parse(try Self.make(original))
        #expect(parsed.parts[0].mimeType == "multipart/mixed")
        #expect(parsed.leaves.map(\.mimeType) == ["text/html", "application/pdf"])
        #expect(parsed.leaves.last?.sha256 == before.leaves.first?.sha256)
        #expect(parsed.leaves.last?.fileName == "scan.pdf")
    }

    /// Every corpus message: the copy parses, every original part is still there with the same
    /// decoded bytes, the pixel is in, and the signature verifies.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: CertifiedCopyTests.corpus.path)))
    func theCorpusKeepsItsPartsInTheCopy() async throws {
        let messages = Self.corpusMessages
        #expect(messages.count >= 100)
        let verifier = DKIMVerifier(resolver: KeyRecordDNS(), now: Int(Date().timeIntervalSince1970))
        for url in messages {
            let original = Array(try Data(contentsOf: url))
            let copy = try Self.make(original)
            let before = MessageParser.parse(original)
            let after = MessageParser.parse(copy)
            let kept = Dictionary(grouping: after.leaves.map(\.sha256Hex), by: { $0 }).mapValues(\.count)
            // Parts with content (two broken multiparts of the corpus have only an empty pseudo-part).
            let contentful = before.leaves.filter { $0.decodedSize > 0 }
            for (digest, count) in Dictionary(grouping: contentful.map(\.sha256Hex), by: { $0 }).mapValues(\.count)
            where before.leaves.first(where: { $0.sha256Hex == digest })?.mimeType != "text/html" {
                #expect((kept[digest] ?? 0) >= count, "\(url.path): a part was lost")
            }
            #expect(
                copy.firstRange(of: Array("abcdefghjkmnpqrstvwxyz0123".utf8)) != nil,
                "\(url.lastPathComponent): no pixel"
            )
            let results = await verifier.verify(message: copy)
            #expect(results.first?.passedDomain == "fefaent.test", "\(url.lastPathComponent): \(results)")
        }
    }

    /// The streamed copy (a plan over the original read a piece at a time, and its DKIM field) is the
    /// in-memory copy byte for byte, for every corpus message and for a mail without any text (the
    /// wrapped case), whatever the pieces the original is read in and the copy sent in.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: CertifiedCopyTests.corpus.path)))
    func theStreamedCopyIsTheCopy() throws {
        var originals = try Self.corpusMessages.map { ($0.lastPathComponent, Array(try Data(contentsOf: $0))) }
        originals.append(
            (
                "attachment only",
                Array(
                    ("From: a@acme.test\r\nTo: b@example.test\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n")
                        .utf8
                )
            )
        )
        var generator = SystemRandomNumberGenerator()
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        var wrapped = 0
        for (name, original) in originals {
            let expected = try Self.copy.make(
                original: original,
                pixelURL: "https://fefaent.test/o/abcdefghjkmnpqrstvwxyz0123.gif",
                evidenceID: "E0123456789ABCDEFGHJKMNPQRS",
                messageID: "Q1.1@fefaent.test",
                now: now
            )
            var largestRead = 0
            let (signature, plan) = try Self.copy.planned(
                originalSize: original.count,
                read: { range in
                    largestRead = max(largestRead, range.count)
                    return Array(original[range])
                },
                pixelURL: "https://fefaent.test/o/abcdefghjkmnpqrstvwxyz0123.gif",
                evidenceID: "E0123456789ABCDEFGHJKMNPQRS",
                messageID: "Q1.1@fefaent.test",
                now: now
            )
            #expect(largestRead <= CertifiedCopy.pieceSize, "\(name): read \(largestRead) octets at once")
            if plan.pixelsInserted == 0 { wrapped += 1 }
            // Sent in random pieces, as the delivery reads it.
            var sent = signature
            var position = 0
            while position < plan.size {
                let end = min(plan.size, position + Int.random(in: 1...70_000, using: &generator))
                sent += plan.bytes(in: position..<end) { Array(original[$0]) }
                position = end
            }
            #expect(sent == expected, "\(name): the streamed copy differs")
        }
        #expect(wrapped >= 1)
    }
}
