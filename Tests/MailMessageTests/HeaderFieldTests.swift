//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import MailMessage

@Suite struct HeaderFieldTests {
    @Test func unfoldsAndDecodesEncodedWords() {
        let field = HeaderField(raw: Array("Subject: =?ISO-8859-1?Q?Andr=E9?=\r\n =?UTF-8?B?w6k=?= Pirard\r\n".utf8))
        #expect(field.name == "Subject")
        #expect(field.value == "André\u{e9} Pirard")
    }

    @Test func keepsUnknownCharsetWordsAsWritten() {
        let field = HeaderField(raw: Array("Subject: =?x-unknown?Q?abc?= tail\r\n".utf8))
        #expect(field.value == "=?x-unknown?Q?abc?= tail")
    }

    @Test func joinsSplitMultibyteCharactersAcrossWords() {
        // "てすと" in UTF-8 split across two B words in the middle of a character.
        let field = HeaderField(raw: Array("Subject: =?UTF-8?B?44Gm44E=?= =?UTF-8?B?meOBqA==?=\r\n".utf8))
        #expect(field.value == "てすと")
    }

    @Test func decodesISO2022JPAndWindows1252() {
        let japanese = HeaderField(raw: Array("Subject: =?ISO-2022-JP?B?GyRCJEYkOSRIGyhC?=\r\n".utf8))
        #expect(japanese.value == "てすと")
        let windows = HeaderField(raw: Array("Subject: =?windows-1252?Q?=93quoted=94?=\r\n".utf8))
        #expect(windows.value == "\u{201C}quoted\u{201D}")
    }

    @Test func acceptsRawUTF8Headers() {
        let field = HeaderField(raw: Array("Subject: Grüße aus Köln\r\n".utf8))
        #expect(field.value == "Grüße aus Köln")
    }
}

@Suite struct EncodedWordEncoderTests {
    @Test func roundTripsThroughTheDecoder() {
        let name = "Alice Martí, Gerència «Jurídica» 日本語の名前が長い場合でも正しく分割されること"
        let encoded = EncodedWordEncoder.displayName(name)
        #expect(encoded.allSatisfy { $0.isASCII })
        #expect(encoded.split(separator: " ").allSatisfy { $0.count <= 75 })
        let field = HeaderField(name: "From", encodedValue: "\(encoded) <a@b.test>")
        #expect(AddressListParser.parse(field.unfoldedValue).first?.displayName == name)
        #expect(EncodedWordEncoder.displayName("Doe, \"J\"") == #""Doe, \"J\"""#)
    }

    /// Unstructured text: ASCII as it is, anything else as words (this was the other way round).
    @Test func textIsEncodedOnlyWhenItIsNotASCII() {
        #expect(EncodedWordEncoder.encode("Contract 2026/17") == "Contract 2026/17")
        let encoded = EncodedWordEncoder.encode("Contracte núm. 17")
        #expect(encoded.hasPrefix("=?UTF-8?B?") && encoded.allSatisfy(\.isASCII))
        #expect(HeaderField(name: "Subject", encodedValue: encoded).value == "Contracte núm. 17")
        #expect(EncodedWordEncoder.encode("line\r\nBcc: x").hasPrefix("=?UTF-8?B?"))
    }
}
