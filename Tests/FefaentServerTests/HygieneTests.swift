//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import Spool
import Testing

@testable import FefaentServer

/// What the network sends cannot forge a log line or repaint a terminal; what the operator types is
/// checked before it is used.
struct HygieneTests {
    @Test func controlAndBidiCharactersAreEscaped() {
        #expect(DisplaySafe.escape("mail.example") == "mail.example")
        #expect(DisplaySafe.escape("evil\nINFO fefaent: forged") == "evil\\nINFO fefaent: forged")
        #expect(DisplaySafe.escape("a\r\u{1B}[31mred\u{7F}\u{85}") == "a\\r\\x1B[31mred\\x7F\\x85")
        #expect(DisplaySafe.escape("invoice\u{202E}fdp.exe") == "invoice\\u{202E}fdp.exe")
        #expect(DisplaySafe.escape("back\\slash") == "back\\\\slash")
        #expect(DisplaySafe.escape("Martí Gerència 日本") == "Martí Gerència 日本")
        #expect(!DisplaySafe.isSafe("a\u{2066}b") && DisplaySafe.isSafe("plain"))
    }

    @Test func aLogLineIsOneLineWhateverTheValues() {
        let line = FefaentLogHandler.line(
            time: nil,
            level: .info,
            label: "fefaent",
            metadata: ["helo": "x\r\n2026-11-30 error fefaent: all evidence deleted", "client": "192.0.2.1"],
            message: "session ended\nfake"
        )
        #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"))
        #expect(line.contains("client=192.0.2.1"))
        #expect(line.contains(#"helo="x\r\n2026-11-30 error fefaent: all evidence deleted""#))
        #expect(line.hasSuffix("session ended\\nfake\n"))
    }

    @Test func accountNamesAndPasswords() {
        #expect(Account.isValidName("acme") && Account.isValidName("billing.dept_2-b"))
        #expect(!Account.isValidName("alice@acme.example") && !Account.isValidName("") && !Account.isValidName("a b"))
        #expect(!Account.isValidName(String(repeating: "a", count: 65)) && !Account.isValidName("é"))
        #expect(Account.passwordProblem("correct horse") == nil)
        #expect(Account.passwordProblem("short pass") != nil)
        #expect(Account.passwordProblem(String(repeating: "é", count: 37)) != nil)  // 74 octets
        #expect(Account.passwordProblem(String(repeating: "a", count: 72)) == nil)
    }

    @Test func configCheckRefusesWhatCannotWorkAndWarnsOfWhatIsRisky() throws {
        let configuration = try FefaentConfiguration.parse(
            """
            [auth]
            trusted_networks = ["10.0.0.0/8", "192.0.2.0/24"]
            [certification]
            certifier_addresses = ["certify@example.test"]
            reception_mailboxes = ["certify@example.test"]
            [http]
            listen = "127.0.0.1:2525"
            [[listener]]
            name = "mx"
            kind = "mx"
            address = "127.0.0.1:2525"
            [[listener]]
            name = "mx2"
            kind = "mx"
            address = "127.0.0.1:0"
            """,
            relativeTo: "/tmp"
        )
        let review = ConfigurationReview(configuration)
        #expect(review.problems.contains { $0.contains("port 0") && $0.contains("mx2") })
        #expect(review.problems.contains { $0.contains("both listen on 127.0.0.1:2525") })
        #expect(review.problems.contains { $0.contains("certify@example.test is both") })
        #expect(review.warnings.contains { $0.contains("10.0.0.0/8") })
        #expect(!review.warnings.contains { $0.contains("192.0.2.0/24") })
        #expect(ConfigurationReview(try FefaentConfiguration.parse("", relativeTo: "/tmp")).problems.isEmpty)
    }

    @Test func aWorldReadableKeyIsFound() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fefaent-keys-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = FileManager.default.createFile(
            atPath: folder + "/tls.key",
            contents: Data("key".utf8),
            attributes: [.posixPermissions: 0o644]
        )
        _ = FileManager.default.createFile(
            atPath: folder + "/tls.pem",
            contents: Data("pem".utf8),
            attributes: [.posixPermissions: 0o644]
        )
        let configuration = try FefaentConfiguration.parse(
            "[tls]\ncertificate = \"tls.pem\"\nkey = \"tls.key\"\n",
            relativeTo: folder
        )
        let exposures = KeyFilePermissions.exposures(of: configuration)
        #expect(exposures.count == 1 && exposures.first?.worldReadable == true && exposures.first?.key == "tls.key")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder + "/tls.key")
        #expect(KeyFilePermissions.exposures(of: configuration).isEmpty)
    }
}
