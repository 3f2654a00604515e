//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import MailMessage

@Suite struct PixelInjectorTests {
    static let pixel = PixelInjector.imageElement(url: "https://c.test/p/1.png?a=1&b=2")
    static let injector = PixelInjector(pixelHTML: pixel)

    static func rewrite(_ text: String, edits: [HeaderEdit] = []) -> (ParsedMessage, [UInt8], RewritePlan) {
        let bytes = Array(text.utf8)
        let message = MessageParser.parse(bytes)
        let plan = Self.injector.plan(for: message, headerEdits: edits) { Array(bytes[$0]) }
        return (message, plan.apply(to: bytes), plan)
    }

    static func decodedHTML(_ bytes: [UInt8]) -> String {
        var options = MessageParser.Options()
        options.capturedTextLimit = 1 << 20
        let parsed = MessageParser.parse(bytes, options: options)
        return parsed.leaves.filter { $0.mimeType == "text/html" }.map {
            String(decoding: $0.capturedText, as: UTF8.self)
        }
        .joined()
    }

    @Test func quotedPrintableHTMLGainsOnlyThePixel() {
        let (_, output, plan) = Self.rewrite(
            "Subject: x\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "<html><body><p style=3D\"a\">caf=C3=A9</p></body></html>\r\n"
        )
        #expect(plan.pixelsInserted == 1)
        #expect(
            Self.decodedHTML(output) == "<html><body><p style=\"a\">café</p>\(Self.pixel)</body></html>\r\n"
        )
        #expect(String(decoding: output, as: UTF8.self).split(separator: "\r\n").allSatisfy { $0.utf8.count <= 76 })
    }

    @Test func base64HTMLIsReencoded() {
        let html = "<html><BODY>hello</BODY></html>"
        let encoded = Base64.encode(Array(html.utf8))
        let (_, output, _) = Self.rewrite(
            "Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n"
        )
        #expect(Self.decodedHTML(output) == "<html><BODY>hello\(Self.pixel)</BODY></html>")
    }

    @Test func htmlWithoutBodyTagGetsThePixelAtTheEnd() {
        let (_, output, _) = Self.rewrite(
            "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n"
        )
        #expect(Self.decodedHTML(output) == "<p>x</p>\(Self.pixel)")
    }

    @Test func plainTextBecomesAlternativeKeepingThePlainPartByteForByte() {
        let body = "Caf\u{e9} notice.\r\nSecond <line> & more.\r\n"
        let (original, output, plan) = Self.rewrite(
            "From: a@b.test\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)",
            edits: [.set(name: "Subject", value: "s (certified)"), .prepend(name: "X-Fefaent-Id", value: "abc")]
        )
        #expect(plan.pixelsInserted == 1)
        var options = MessageParser.Options()
        options.capturedTextLimit = 1 << 20
        let rewritten = MessageParser.parse(output, options: options)
        #expect(rewritten.parts.map(\.mimeType) == ["multipart/alternative", "text/plain", "text/html"])
        #expect(rewritten.parts[1].sha256 == original.parts[0].sha256)
        #expect(rewritten.subject == "s (certified)")
        #expect(rewritten.headers.first?.name == "X-Fefaent-Id")
        let html = String(decoding: rewritten.parts[2].capturedText, as: UTF8.self)
        #expect(html.contains("Caf\u{e9} notice.\r\nSecond &lt;line&gt; &amp; more."))
        #expect(html.contains(Self.pixel))
        #expect(rewritten.defects.isEmpty)
    }

    @Test func plainPartInsideMixedIsWrappedInPlace() {
        let text =
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
            + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\nxyz\r\n--b--\r\n"
        let (original, output, _) = Self.rewrite(text)
        let rewritten = MessageParser.parse(output)
        #expect(
            rewritten.parts.map(\.mimeType) == [
                "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/octet-stream"
            ]
        )
        #expect(rewritten.parts[2].sha256 == original.parts[1].sha256)
        #expect(rewritten.parts[4].sha256 == original.parts[2].sha256)
        #expect(rewritten.defects.isEmpty)
    }

    @Test func attachmentOnlyMessageIsCopied() {
        let text = "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=x.pdf\r\n\r\n%PDF\r\n"
        let (_, output, plan) = Self.rewrite(text)
        #expect(plan.pixelsInserted == 0)
        #expect(output == Array(text.utf8))
    }
}
