//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import SMTPCore

@Suite("SASL and base64")
struct SASLDecodingTests {
    @Test func plainWithEmptyAuthorizationIdentity() {
        let response = Base64.encode(Array("\u{0}alice\u{0}s3cret".utf8))
        #expect(SASLDecoding.decodePlain(response) == SASLDecoding.Credentials(username: "alice", password: "s3cret"))
    }

    @Test func plainActingForSomeoneElseIsRefused() {
        #expect(SASLDecoding.decodePlain(Base64.encode(Array("bob\u{0}alice\u{0}pw".utf8))) == nil)
    }

    @Test func malformedBase64IsRefused() {
        #expect(Base64.decode("abc") == nil)
        #expect(Base64.decode("ab=c") == nil)
        #expect(Base64.decode("a*==") == nil)
        #expect(SASLDecoding.decodePlain("!!!!") == nil)
    }

    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func base64RoundTrips(_ text: String) {
        #expect(Base64.decode(Base64.encode(Array(text.utf8))) == Array(text.utf8))
    }

    @Test func rfc4648Vectors() {
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
    }

    @Test func passwordIsRedacted() {
        #expect(!"\(SASLDecoding.Credentials(username: "u", password: "hunter2"))".contains("hunter2"))
    }
}
