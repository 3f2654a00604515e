//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing
import X509

@testable import FefaentServer

@Suite("Configuration")
struct FefaentConfigurationTests {
    func parse(_ text: String) throws -> FefaentConfiguration {
        try FefaentConfiguration.parse(text, relativeTo: "/etc/fefaent")
    }

    @Test func defaultsAreSafe() throws {
        let configuration = try self.parse("")
        #expect(configuration.listeners == [.init(name: "mx", kind: "mx", host: "127.0.0.1", port: 2525)])
        #expect(configuration.certifierAddresses == ["certify@fefaent.localhost"])
        #expect(configuration.maximumMessageSize == 20 * 1024 * 1024)
        #expect(configuration.allowPlaintextAuthenticationOnLoopback == false)
        #expect(configuration.spoolDirectory == "/etc/spool")
    }

    static let bad: [(String, String)] = [
        (
            "[limits]\nmessage_size = \"big\"",
            "limits.message_size: must be an integer from 1024 to 1073741824, not \"big\""
        ),
        ("[limits]\nrecipients = 0", "limits.recipients: must be an integer from 1 to 10000, not 0"),
        ("[server]\nhostnme = \"x\"", "server.hostnme: unknown key (known here: hostname, log_level, spool)"),
        (
            "[server]\nlog_level = \"loud\"",
            "server.log_level: must be one of trace, debug, info, notice, warning, error, critical"
        ),
        (
            "[certification]\ncertifier_addresses = [\"nobody\"]",
            "certification.certifier_addresses[0]: \"nobody\" is not an address"
        ),
        ("[[listener]]\nkind = \"mx\"", "listener[0].address: is required, e.g. \"127.0.0.1:2525\""),
        (
            "[[listener]]\naddress = \"127.0.0.1:99999\"",
            "listener[0].address: \"127.0.0.1:99999\" is not host:port with a port from 0 to 65535"
        ),
        (
            "[[listener]]\nkind = \"pop3\"\naddress = \"127.0.0.1:1\"",
            "listener[0].kind: must be mx, submission or submissions, not \"pop3\""
        ),
        (
            "[[listener]]\nkind = \"submission\"\naddress = \"127.0.0.1:2587\"",
            "tls.certificate: listener \"submission\" (submission) needs TLS; run `fefaent keys init` and name the files"
        ),
        ("[tls]\ncertificate = \"a.pem\"", "tls: certificate and key are given together or not at all"),
        (
            "[auth]\nallow_plaintext_on_loopback = \"yes\"",
            "auth.allow_plaintext_on_loopback: must be true or false, not \"yes\""
        ),
        ("this is = = not toml", "")
    ]

    @Test(arguments: Self.bad)
    func aBadValueNamesItsKey(_ text: String, _ message: String) {
        #expect {
            try self.parse(text)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return message.isEmpty ? error.description.hasPrefix("not valid TOML") : error.description == message
        }
    }

    @Test func ipv6Listener() throws {
        let configuration = try self.parse("[[listener]]\naddress = \"[::1]:2525\"")
        #expect(configuration.listeners[0].host == "::1" && configuration.listeners[0].port == 2525)
    }

    @Test func theShippedConfigurationIsValid() throws {
        let folder = NSTemporaryDirectory() + "fefaent-config-test-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DevelopmentKeys.create(in: folder + "/keys", hostname: "fefaent.localhost")
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../etc/fefaent.toml"
        )
        let text = try String(contentsOf: shipped, encoding: .utf8)
        let configuration = try FefaentConfiguration.parse(text, relativeTo: folder)
        #expect(configuration.listeners.map(\.kind) == ["mx", "submission", "submissions"])
        #expect(configuration.tlsCertificate == folder + "/keys/server.pem")
        #expect(
            configuration.dkim
                == FefaentConfiguration.DKIM(
                    domain: "fefaent.localhost",
                    selector: "fefaent",
                    keyPath: folder + "/keys/dkim.key"
                )
        )
    }

    @Test func anUnusableDKIMKeyIsNamed() throws {
        let folder = NSTemporaryDirectory() + "fefaent-dkim-test-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DevelopmentKeys.create(in: folder, hostname: "mx.test")
        // An evidence-signing P-256 key is not a DKIM key.
        let error = #expect(throws: ConfigurationError.self) {
            try FefaentConfiguration.parse("[dkim]\nkey = \"signing.key\"\n", relativeTo: folder)
        }
        #expect(error?.description.hasPrefix("dkim.key:") == true)
    }

    @Test func evidencePolicyAndWitnessesAreChecked() throws {
        let folder = NSTemporaryDirectory() + "fefaent-evidence-config-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DevelopmentKeys.create(in: folder, hostname: "mx.test")
        let base = """
            [evidence]
            certificate = "signing.pem"
            key = "signing.key"
            ca = "ca.pem"
            tsa_certificate = "tsa.pem"
            tsa_key = "tsa.key"
            log_key = "log.key"

            """
        let defaults = try FefaentConfiguration.parse(base, relativeTo: folder).evidence
        #expect(defaults?.policyID == "2.25.334057943440931390436920205166093323669")
        #expect(defaults?.witnesses == [] && defaults?.policyURL == nil)
        let set = try FefaentConfiguration.parse(
            base + "policy_id = \"1.3.6.1.4.1.99999.1\"\nwitnesses = [\"https://Witness.example/Log\"]\n",
            relativeTo: folder
        ).evidence
        #expect(set?.policyID == "1.3.6.1.4.1.99999.1" && set?.witnesses == ["https://Witness.example/Log"])
        for (line, key) in [
            ("policy_id = \"fefaent policy\"", "evidence.policy_id"), ("policy_id = \"7.1\"", "evidence.policy_id"),
            ("witnesses = [\"witness.example\"]", "evidence.witnesses[0]")
        ] {
            let error = #expect(throws: ConfigurationError.self) {
                try FefaentConfiguration.parse(base + line + "\n", relativeTo: folder)
            }
            #expect(error?.description.hasPrefix(key + ":") == true, "\(line)")
        }
    }

    @Test func keysInitWritesPrivateKeysUnreadableByOthers() throws {
        let folder = NSTemporaryDirectory() + "fefaent-keys-test-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try DevelopmentKeys.create(in: folder, hostname: "mx.test")
        for file in DevelopmentKeys.files {
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(folder)/\(file)")
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(mode == (file.hasSuffix(".key") ? 0o600 : 0o644), "\(file)")
        }
        #expect(throws: ConfigurationError.self) { try DevelopmentKeys.create(in: folder, hostname: "mx.test") }
        // RFC 5280 §4.1.2.2: serial numbers are positive and at most 20 octets (NSS drops longer ones).
        for _ in 0..<50 {
            let serial = Array(DevelopmentKeys.serialNumber().bytes)
            #expect(serial.count == 20 && serial[0] < 0x80 && serial[0] != 0)
        }
    }
}
