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

@Suite struct MessageParserTests {
    static let nested = Array(
        """
        From: "Doe, John" <John.Doe@Example.COM>\r
        To: A Group:Ed Jones <c@a.test>,joe@where.test;, mary@x.test (Mary Smith)\r
        Cc: "quoted local"@example.test\r
        Subject: =?utf-8?q?r=C3=A9sum=C3=A9?=\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="outer"\r
        \r
        preamble\r
        --outer\r
        Content-Type: multipart/alternative; boundary=outer-inner\r
        \r
        --outer-inner\r
        Content-Type: text/plain; charset=iso-8859-1\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        caf=E9 soft=\r
        break\r
        --outer-inner\r
        Content-Type: text/html\r
        \r
        <p>hi</p>\r
        --outer-inner--\r
        --outer\r
        Content-Type: application/pdf\r
        Content-Disposition: attachment;\r
         filename*0*=UTF-8''r%C3%A9sum;\r
         filename*1=".pdf"\r
        Content-Transfer-Encoding: base64\r
        \r
        JVBERi0xLjQK\r
        JSVFT0YK\r
        --outer--\r
        epilogue\r

        """.utf8
    )

    @Test func readsStructureAddressesAndHashes() {
        let message = MessageParser.parse(Self.nested)
        #expect(message.isMail)
        #expect(message.subject == "résumé")
        #expect(message.from.map(\.address) == ["John.Doe@example.com"])  // local part kept, domain lowercased
        #expect(message.from.first?.displayName == "Doe, John")
        #expect(message.to.map(\.address) == ["c@a.test", "joe@where.test", "mary@x.test"])
        #expect(message.to.first?.group == "A Group")
        #expect(message.to.last?.displayName == "Mary Smith")
        #expect(message.cc.map(\.address) == ["\"quoted local\"@example.test"])
        #expect(
            message.parts.map(\.mimeType) == [
                "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"
            ]
        )
        let plain = message.parts[2]
        #expect(plain.decodedSize == 14)  // "café softbreak" in Latin-1
        #expect(plain.sha256 == Array(SHA256.hash(data: [0x63, 0x61, 0x66, 0xE9] + Array(" softbreak".utf8))))
        let pdf = message.parts[4]
        #expect(pdf.fileName == "résum.pdf")
        #expect(pdf.isAttachment)
        #expect(pdf.sha256 == Array(SHA256.hash(data: Array("%PDF-1.4\n%%EOF\n".utf8))))
        #expect(message.defects.isEmpty)
    }

    @Test func anyChunkingGivesTheSameResult() {
        let whole = MessageParser.parse(Self.nested)
        for chunkSize in [1, 2, 3, 7, 64] {
            var parser = MessageParser()
            var index = 0
            while index < Self.nested.count {
                parser.parse(Self.nested[index..<min(index + chunkSize, Self.nested.count)])
                index += chunkSize
            }
            #expect(parser.finish() == whole, "chunk size \(chunkSize)")
        }
    }

    @Test func longLinesStreamWithoutBuffering() {
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)
        let message =
            Array("Subject: long\r\nContent-Type: text/plain\r\n\r\n".utf8) + line + Array("=\r\nend\r\n".utf8)
        for chunkSize in [1000, 4099, 65_536] {
            var parser = MessageParser()
            var index = 0
            while index < message.count {
                parser.parse(message[index..<min(index + chunkSize, message.count)])
                index += chunkSize
            }
            let parsed = parser.finish()
            #expect(parsed.parts[0].decodedSize == line.count + 8)
        }
    }

    @Test func missingBoundariesAndSeparatorsAreDefectsNotFailures() {
        let noClose = MessageParser.parse(
            Array("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n".utf8)
        )
        #expect(noClose.leaves.map(\.decodedSize) == [3, 3])
        #expect(noClose.defects.map(\.kind) == [.closeBoundaryNotFound])
        let neverOpened = MessageParser.parse(
            Array("Content-Type: multipart/mixed; boundary=b\r\n\r\nplain text\r\n".utf8)
        )
        #expect(neverOpened.leaves.count == 1)
        #expect(neverOpened.defects.map(\.kind) == [.startBoundaryNotFound])
        let noBlank = MessageParser.parse(Array("Subject: x\r\nthis is body\r\n".utf8))
        #expect(noBlank.parts[0].decodedSize == 14)
        #expect(noBlank.defects.map(\.kind) == [.missingHeaderBodySeparator])
        #expect(!MessageParser.parse(Array("%PDF-1.4\n binary".utf8)).isMail)
    }

    @Test func embeddedMessagesAreParsed() {
        let message = MessageParser.parse(
            Array(
                ("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
                    + "Subject: inner\r\nContent-Type: text/plain\r\n\r\ninner body\r\n--b--\r\n").utf8
            )
        )
        #expect(message.parts.map(\.mimeType) == ["multipart/mixed", "message/rfc822", "text/plain"])
        #expect(message.parts[2].header("Subject") == "inner")
        #expect(message.parts[2].decodedSize == 10)
    }
}
