//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import _CryptoExtras
import Testing

@testable import MailMessage

/// Key records by name; an unknown name has no records.
struct StaticDNS: MailDNSResolver {
    var txt: [String: [String]] = [:]
    var hosts: [String: [String]] = [:]
    var mx: [String: [String]] = [:]
    var failing: Set<String> = []

    func txtRecords(for name: String) async throws -> [String] {
        if self.failing.contains(name) { throw MailDNSError("SERVFAIL") }
        return self.txt[name.lowercased()] ?? []
    }

    func addresses(for name: String) async throws -> [String] {
        if self.failing.contains(name) { throw MailDNSError("SERVFAIL") }
        return self.hosts[name.lowercased()] ?? []
    }

    func mailExchangers(for name: String) async throws -> [String] {
        if self.failing.contains(name) { throw MailDNSError("SERVFAIL") }
        return self.mx[name.lowercased()] ?? []
    }
}

@Suite struct DKIMTests {
    static let message = Array(
        ("From: Alice <alice@example.test>\r\nTo: bob@example.org\r\nSubject: Hello\r\n"
            + "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello  Bob, \r\n\r\n\r\n").utf8
    )

    static func signer(_ key: DKIMSigner.Key) -> (DKIMSigner, StaticDNS) {
        let signer = DKIMSigner(domain: "Example.TEST", selector: "s1", key: key)
        return (signer, StaticDNS(txt: ["s1._domainkey.example.test": [key.publicKeyRecord]]))
    }

    @Test(arguments: ["ed25519", "rsa"])
    func signedMessageVerifies(algorithm: String) async throws {
        let key: DKIMSigner.Key =
            algorithm == "rsa" ? .rsa(try .init(keySize: .bits2048)) : .ed25519(Curve25519.Signing.PrivateKey())
        let (signer, dns) = Self.signer(key)
        let signed = try signer.sign(message: Self.message, timestamp: 1_795_000_000)
        let verifier = DKIMVerifier(resolver: dns, now: 1_795_000_100)
        let results = await verifier.verify(message: signed)
        #expect(results == [.pass(domain: "example.test", selector: "s1", coversWholeBody: true)])
        #expect(results[0].passedDomain == "example.test")

        // Relaxed body canonicalisation ignores trailing blank lines and whitespace changes...
        let reflowed = signed.replacing(Array("Hello  Bob, ".utf8), with: Array("Hello Bob,".utf8)) + Array("\r\n".utf8)
        #expect(await verifier.verify(message: reflowed) == results)
        // ...but not a changed word, nor a changed signed header.
        let changedBody = signed.replacing(Array("Bob".utf8), with: Array("Eve".utf8))
        #expect(await verifier.verify(message: changedBody).first?.passedDomain == nil)
        let changedSubject = signed.replacing(Array("Subject: Hello".utf8), with: Array("Subject: Hullo".utf8))
        guard case .fail(_, let reason) = await verifier.verify(message: changedSubject).first else {
            Issue.record("a changed subject must fail")
            return
        }
        #expect(reason.contains("signed header"))
    }

    @Test func addedFromFieldBreaksTheSignature() async throws {
        let (signer, dns) = Self.signer(.ed25519(Curve25519.Signing.PrivateKey()))
        let signed = try signer.sign(message: Self.message, timestamp: 1)
        let index = signed.firstRange(of: Array("From:".utf8))!.lowerBound
        var forged = signed
        forged.insert(contentsOf: Array("From: Mallory <m@evil.test>\r\n".utf8), at: index)
        let results = await DKIMVerifier(resolver: dns, now: 2).verify(message: forged)
        #expect(results.first?.passedDomain == nil)
    }

    @Test func missingRevokedKeysAndDNSFailuresAreReported() async throws {
        let key = DKIMSigner.Key.ed25519(Curve25519.Signing.PrivateKey())
        let signer = DKIMSigner(domain: "example.test", selector: "s1", key: key)
        let signed = try signer.sign(message: Self.message, timestamp: 1)
        let none = await DKIMVerifier(resolver: StaticDNS(), now: 2).verify(message: signed)
        #expect(none == [.permerror("no key record at s1._domainkey.example.test")])
        let failing = StaticDNS(failing: ["s1._domainkey.example.test"])
        guard case .temperror = await DKIMVerifier(resolver: failing, now: 2).verify(message: signed).first else {
            Issue.record("a DNS failure is a temperror")
            return
        }
        let revoked = StaticDNS(txt: ["s1._domainkey.example.test": ["v=DKIM1; k=ed25519; p="]])
        guard case .permerror(let why) = await DKIMVerifier(resolver: revoked, now: 2).verify(message: signed).first
        else {
            Issue.record("an empty p= is a revoked key")
            return
        }
        #expect(why.contains("revoked"))
        #expect(await DKIMVerifier(resolver: revoked, now: 2).verify(message: Self.message).isEmpty)
    }

    @Test func relaxedHeaderCanonicalisation() {
        let field = HeaderField(raw: Array("SUBJect \t:  Hello \r\n   World  \r\n".utf8))
        #expect(DKIMCanonicalization.relaxed.canonicalize(field) == Array("subject:Hello World\r\n".utf8))
        #expect(DKIMCanonicalization.simple.canonicalize(field) == field.raw)
    }

    @Test func bodyCanonicalisationOfEmptyAndTrailingLines() {
        var simple = DKIMBodyHasher(canonicalization: .simple)
        simple.update(Array("".utf8))
        #expect(simple.finalize() == Array(SHA256.hash(data: Array("\r\n".utf8))))
        var relaxed = DKIMBodyHasher(canonicalization: .relaxed)
        relaxed.update(Array(" a \t b \r\n\r\n \r\n".utf8))
        #expect(relaxed.finalize() == Array(SHA256.hash(data: Array(" a b\r\n".utf8))))
    }

    /// RFC 6376 §3.4.3-§3.4.5 octet by octet, the plain way (each line canonicalized, empty lines at
    /// the end dropped, then `l=`), against the hasher's runs over random bodies split at random.
    @Test func bodyHashFollowsTheRuleWhateverTheSplits() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array(" \t\r\nab".utf8)
        for _ in 0..<3_000 {
            let body = (0..<Int.random(in: 0...80, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }
            for canonicalization in [DKIMCanonicalization.simple, .relaxed] {
                let limit: Int? = Bool.random(using: &generator) ? Int.random(in: 0...40, using: &generator) : nil
                // The reference: split into lines at LF (a CR before it belongs to the line ending).
                var lines: [[UInt8]] = []
                var current: [UInt8] = []
                for byte in body {
                    if byte == 0x0A {
                        if current.last == 0x0D { current.removeLast() }
                        lines.append(current)
                        current = []
                    } else {
                        current.append(byte)
                    }
                }
                if !current.isEmpty { lines.append(current) }
                if canonicalization == .relaxed {
                    lines = lines.map { line in
                        var output: [UInt8] = []
                        var pendingSpace = false
                        for byte in line {
                            if byte == 0x20 || byte == 0x09 {
                                pendingSpace = true
                            } else {
                                if pendingSpace { output.append(0x20) }
                                pendingSpace = false
                                output.append(byte)
                            }
                        }
                        return output
                    }
                }
                while lines.last?.isEmpty == true { lines.removeLast() }
                var canonical: [UInt8] = []
                for line in lines { canonical += line + [0x0D, 0x0A] }
                if canonical.isEmpty && canonicalization == .simple { canonical = [0x0D, 0x0A] }
                let hashed: [UInt8] = limit.map { Array(canonical.prefix($0)) } ?? canonical
                let expected = Array(SHA256.hash(data: hashed))

                var hasher = DKIMBodyHasher(canonicalization: canonicalization, limit: limit)
                var offset = 0
                while offset < body.count {
                    let end = min(body.count, offset + Int.random(in: 1...9, using: &generator))
                    hasher.update(body[offset..<end])
                    offset = end
                }
                #expect(hasher.finalize() == expected, "\(canonicalization) \(String(describing: limit)) \(body)")
            }
        }
    }

    @Test func bodyLengthLimitIsReportedAsPartialCoverage() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let dns = StaticDNS(txt: ["s._domainkey.example.test": [DKIMSigner.Key.ed25519(key).publicKeyRecord]])
        // Sign by hand with l=7 (what some mailing lists do), then append text after the signed part.
        var hasher = DKIMBodyHasher(canonicalization: .relaxed, limit: 7)
        hasher.update(Array("Hello\r\n".utf8))
        let headers = [HeaderField(raw: Array("From: a@example.test\r\n".utf8))]
        let value =
            "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.test; s=s; h=from; l=7; bh=\(Base64.encode(hasher.finalize())); b="
        let unsigned = HeaderField(name: "DKIM-Signature", encodedValue: value)
        let data = DKIMSigner.signedData(
            headers: headers,
            signedNames: ["from"],
            signatureField: unsigned,
            canonicalization: .relaxed
        )
        let signature = try key.signature(for: Array(SHA256.hash(data: data)))
        let field = HeaderField(name: "DKIM-Signature", encodedValue: value + Base64.encode(Array(signature)))
        let message = field.raw + headers[0].raw + Array("\r\nHello\r\nAppended by someone else\r\n".utf8)
        let results = await DKIMVerifier(resolver: dns, now: 0).verify(message: message)
        #expect(results == [.pass(domain: "example.test", selector: "s", coversWholeBody: false)])
        #expect(results[0].passedDomain == nil)
    }
}

extension Array where Element == UInt8 {
    func replacing(_ old: [UInt8], with new: [UInt8]) -> [UInt8] {
        guard let range = self.firstRange(of: old) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: new)
        return copy
    }
}
