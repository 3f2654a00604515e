//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Testing

@testable import MailMessage

/// The API's mails, written by ``MessageComposer`` and read back by our own parser.
struct MessageComposerTests {
    static func draft(
        attachments: [MessageDraft.Attachment] = [],
        text: String? = "Hola,\nel contracte.\n"
    )
        -> MessageDraft
    {
        MessageDraft(
            from: Address(displayName: "Alícia Exemple", address: "alice@acme.test"),
            to: [Address(displayName: nil, address: "bob@example.test")],
            cc: [Address(displayName: nil, address: "carol@example.test")],
            subject: "Contracte núm. 17",
            text: text,
            html: "<p>Hola,</p>",
            attachments: attachments,
            messageID: "abc.api@fefaent.test",
            date: "Mon, 30 Nov 2026 08:03:38 +0000"
        )
    }

    static func compose(_ draft: MessageDraft) -> [UInt8] {
        var output: [UInt8] = []
        MessageComposer.compose(draft, boundarySeed: "seed") { output += $0 }
        return output
    }

    @Test func attachmentsComeBackByteForByteWithTheirNames() {
        let binary = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        let attachments = [
            MessageDraft.Attachment(filename: "contract.pdf", contentType: "application/pdf", content: binary),
            MessageDraft.Attachment(filename: "factura ñ €.xml", contentType: "bad type", content: Array("<a/>".utf8))
        ]
        let raw = Self.compose(Self.draft(attachments: attachments))
        let parsed = MessageParser.parse(raw)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.from.first?.address == "alice@acme.test")
        #expect(parsed.from.first?.displayName == "Alícia Exemple")
        #expect(parsed.to.map(\.address) == ["bob@example.test"])
        #expect(parsed.cc.map(\.address) == ["carol@example.test"])
        #expect(parsed.subject == "Contracte núm. 17")
        #expect(parsed.messageID == "<abc.api@fefaent.test>")
        let files = parsed.leaves.filter(\.isAttachment)
        #expect(files.map(\.fileName) == ["contract.pdf", "factura ñ €.xml"])
        #expect(files.map(\.mimeType) == ["application/pdf", "application/octet-stream"])
        #expect(files[0].sha256 == Array(SHA256.hash(data: binary)))
        #expect(files[0].decodedSize == binary.count)
        let bodies = parsed.leaves.filter { !$0.isAttachment }.map(\.mimeType)
        #expect(bodies == ["text/plain", "text/html"])
    }

    @Test func everyLineIsShortSevenBitAndEndsInCRLF() {
        let raw = Self.compose(Self.draft(text: String(repeating: "llarg ", count: 500)))
        let high = raw.firstIndex { $0 >= 0x80 }
        #expect(
            high == nil,
            "\(String(decoding: raw[max(0, (high ?? 0) - 60)..<min(raw.count, (high ?? 0) + 20)], as: UTF8.self))"
        )
        var line = 0
        for (index, byte) in raw.enumerated() {
            if byte == 0x0A {
                #expect(index > 0 && raw[index - 1] == 0x0D)
                #expect(line <= 78)
                line = 0
            } else if byte != 0x0D {
                line += 1
            }
        }
    }

    @Test func aSingleBodyNeedsNoMultipart() {
        var draft = Self.draft()
        draft.html = nil
        let parsed = MessageParser.parse(Self.compose(draft))
        #expect(parsed.parts.count == 1)
        #expect(parsed.parts[0].mimeType == "text/plain")
    }
}

/// A part's decoded body is the octets its digest was taken over.
struct PartDecodingTests {
    @Test(arguments: [0, 1, 2, 57, 58, 1000, 70_000])
    func attachmentsDecodeToTheirDigest(size: Int) {
        let binary = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var draft = MessageComposerTests.draft(
            attachments: [
                MessageDraft.Attachment(filename: "a.bin", contentType: "application/octet-stream", content: binary)
            ]
        )
        draft.text = "Línia 1\nLínia amb = i una molt llarga " + String(repeating: "x", count: 200) + "\n"
        let raw = MessageComposerTests.compose(draft)
        let parsed = MessageParser.parse(raw)
        let file = parsed.leaves.first(where: \.isAttachment)!
        #expect(file.decodedBody(in: raw) == binary)
        let text = parsed.leaves.first { $0.mimeType == "text/plain" }!
        let decoded = text.decodedBody(in: raw)
        #expect(Array(SHA256.hash(data: decoded)) == text.sha256)
        #expect(String(decoding: decoded, as: UTF8.self).hasPrefix("Línia 1\r\nLínia amb = i"))
    }
}

/// uuencoded parts are hashed by their content, as base64 ones are.
struct UUDecodingTests {
    static func message(body: String) -> [UInt8] {
        Array(
            ("From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
                + "Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream; name=\"cat.txt\"\r\n"
                + "Content-Disposition: attachment; filename=\"cat.txt\"\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
                + body + "--b--\r\n").utf8
        )
    }

    @Test func theClassicVector() {
        // "Cat" is `#0V%T`: three octets, four characters (the uuencode article's own example).
        let raw = Self.message(body: "begin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\n")
        let part = MessageParser.parse(raw).leaves.first(where: \.isAttachment)!
        #expect(part.transferEncoding == .uuencode)
        #expect(part.decodedBody(in: raw) == Array("Cat".utf8))
        #expect(part.sha256 == Array(SHA256.hash(data: Array("Cat".utf8))))
    }

    @Test func linesOutsideBeginAndEndAreNotContent() {
        let raw = Self.message(body: "here it comes\r\nbegin 600 x\r\n#0V%T\r\n`\r\nend\r\ntrailing words\r\n")
        let part = MessageParser.parse(raw).leaves.first(where: \.isAttachment)!
        #expect(part.decodedSize == 3 && part.decodedBody(in: raw) == Array("Cat".utf8))
    }
}
