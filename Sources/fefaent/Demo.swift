//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Crypto
import FefaentServer
import HummingbirdBcrypt
import SMTPCore
import SMTPNIO
import NIOConcurrencyHelpers
import Delivery
import Foundation
import Logging
import NIOCore
import NIOPosix
import Spool

/// `fefaent demo`: one certified mail, end to end, on loopback, with what exists so far.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole certified mail on loopback and show each step (and what is not built yet)."
    )

    @Option(help: "Work folder for keys, config and spool (default: a new temporary folder).")
    var dir: String?

    func run() async throws {
        bootstrapLogging(level: "warning")
        let work = self.dir ?? (NSTemporaryDirectory() + "fefaent-demo-" + QueueID.make())
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let hostname = "fefaent.localhost"

        step(1, "Keys: a development CA, TLS, evidence signing and TSA certificates (fefaent keys init)")
        try DevelopmentKeys.create(in: work + "/keys", hostname: hostname, force: true)
        say("  written to \(work)/keys")

        step(2, "The daemon starts on loopback: an MX port and a submission port (STARTTLS + AUTH)")
        let receiver = DemoReceiver()
        let (receiverServer, receiverPort) = try await receiver.start(
            mailboxes: ["bob@example.test"],
            group: MultiThreadedEventLoopGroup.singleton
        )
        say("  the recipient's mail server (an SMTP sink for example.test) listens on 127.0.0.1:\(receiverPort)")
        let configPath = work + "/fefaent.toml"
        try Self.config(hostname: hostname, route: receiverPort)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let configuration = try FefaentConfiguration.load(path: configPath)
        let daemon = try FefaentDaemon(configuration: configuration, logger: Logger(label: "fefaent.demo"))
        let addresses = try await daemon.bind()
        for (listener, address) in zip(configuration.listeners, addresses) {
            say("  \(listener.name) (\(listener.kind)) listening on \(address)")
        }
        guard let mxPort = addresses.first?.port, let submissionPort = addresses.last?.port else {
            throw DemoError("no listeners")
        }
        try daemon.spool.database.saveAccount(
            Account(name: "acme", passwordHash: Bcrypt.hash("demo password", cost: 4), createdAt: Date())
        )
        say("  account \"acme\" added (bcrypt); the delivery runner routes every domain to the sink")
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await daemon.deliveryRunner.run() }
            if let evidence = daemon.evidence {
                tasks.addTask { try await evidence.run() }
            }
            defer { tasks.cancelAll() }
            try await Self.steps(
                daemon: daemon,
                configuration: configuration,
                configPath: configPath,
                hostname: hostname,
                mxPort: mxPort,
                submissionPort: submissionPort,
                receiver: receiver
            )
        }
        await receiverServer.shutdown(gracePeriod: .seconds(1))
        try await daemon.close()
    }

    static func steps(
        daemon: FefaentDaemon,
        configuration: FefaentConfiguration,
        configPath: String,
        hostname: String,
        mxPort: Int,
        submissionPort: Int,
        receiver: DemoReceiver
    ) async throws {

        step(3, "A company's MTA hands over a mail whose Cc is the certifier (what Postfix would send)")
        let body = Self.message(hostname: hostname)
        let queueID = try await Self.submit(body: body, hostname: hostname, port: mxPort)

        step(4, "The 250 came after the message and its queue row were on disk (fsync, SQLite WAL)")
        guard let message = try daemon.spool.database.message(id: queueID) else {
            throw DemoError("queue id \(queueID) is not in the queue")
        }
        let recipients = try daemon.spool.database.recipients(of: queueID)
        let stored = try daemon.spool.contents(of: message)
        let content = Array(stored[message.headerLength...])
        let sentDigest = SHA256.hash(data: Array(body.utf8)).map { String(format: "%02x", $0) }.joined()
        say("  queue id     \(message.id), state \(message.state.rawValue)")
        say("  stored in    \(configuration.spoolDirectory)/\(message.path) at offset \(message.offset)")
        say(
            "  recipients   "
                + recipients.map { "<\($0.address)> (\($0.kind), \($0.state.rawValue))" }.joined(separator: ", ")
        )
        say("  sha256       \(message.sha256)")
        say(
            "  as sent      \(sentDigest) \(sentDigest == message.sha256 ? "(same: the spool holds what the client sent)" : "(DIFFERENT)")"
        )
        say("  byte-for-byte after the Received header: \(content == Array(body.utf8) ? "yes" : "NO")")
        say("  the header Fefaent added:")
        for line in String(decoding: stored[..<message.headerLength], as: UTF8.self).split(separator: "\r\n") {
            say("    \(line)")
        }

        guard sentDigest == message.sha256, content == Array(body.utf8) else {
            throw DemoError("the spooled message differs from what was sent")
        }

        step(5, "Smarthost mode: the company's MTA submits with AUTH; Fefaent relays to the recipient's server")
        let relayedID = try await Self.submitAuthenticated(body: body, port: submissionPort)
        let delivered = try await Self.waitForDelivery(of: relayedID, daemon: daemon)
        for recipient in delivered {
            say(
                "  <\(recipient.address)> \(recipient.state.rawValue) to \(recipient.remoteIp ?? "?") after \(recipient.attempts) attempt(s)"
            )
            say("    the recipient's server said: \(recipient.lastReply ?? "")")
        }
        guard let copy = receiver.received.withLockedValue({ $0.last?.1 }) else {
            throw DemoError("the recipient's server got nothing")
        }
        say("  the recipient's server holds the message, behind both servers' trace headers:")
        for line in copy.split(separator: "\r\n").prefix(while: { !$0.hasPrefix("From:") }) {
            say("    \(line)")
        }
        guard delivered.allSatisfy({ $0.state == .delivered }), copy.hasSuffix(body) else {
            throw DemoError("the relayed copy differs from what was sent")
        }

        try await Self.certifiedCopySteps(stored: content, queueID: queueID, configuration: configuration)

        try await Self.evidenceSteps(daemon: daemon, queueIDs: [queueID, relayedID], work: configPath)

        step(10, "Not built yet (open issues)")
        say("  - sending the certified copy to the To recipients and the sender's notices (certification)")
        say("  - notices to the sender (processing notice, delivery certificate by mail, opening addendum)")
        say("  - the HTTP front: tracking pixel fetches (TrackingResourceFetched), evidence download, API")
        say(
            "  - SPF/DKIM alignment deciding who may certify at the MX port (the checks exist: `fefaent message dkim-verify`)"
        )
        say("  The certified mail stays queued: `fefaent queue list --config \(configPath)` shows it.")
    }

    static func waitForDelivery(of queueID: String, daemon: FefaentDaemon) async throws -> [QueuedRecipient] {
        for _ in 0..<100 {
            let recipients = try daemon.spool.database.recipients(of: queueID)
            if recipients.allSatisfy({ $0.state == .delivered || $0.state == .bounced }) {
                return recipients
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError("\(queueID) was not delivered within 10 s")
    }

    static func submitAuthenticated(body: String, port: Int) async throws -> String {
        let credentials = Base64.encode(Array("\u{0}acme\u{0}demo password".utf8))
        return try await DemoClient.submit(
            body: body,
            port: port,
            commands: [
                "EHLO mta.acme.example",
                "# (AUTH without TLS only because this demo's config allows it on loopback)",
                "AUTH PLAIN \(credentials)",
                "MAIL FROM:<alice@acme.example>",
                "RCPT TO:<bob@example.test>"
            ]
        )
    }

    static func submit(body: String, hostname: String, port: Int) async throws -> String {
        try await DemoClient.submit(
            body: body,
            port: port,
            commands: [
                "EHLO mta.acme.example",
                "MAIL FROM:<alice@acme.example>",
                "# (a recipient that is not Fefaent's own: refused, no open relay)",
                "RCPT TO:<bob@example.test>",
                "RCPT TO:<certify@\(hostname)>"
            ]
        )
    }

    static func message(hostname: String) -> String {
        [
            "From: Alice Martí <alice@acme.example>",
            "To: Bob <bob@example.test>",
            "Cc: certify@\(hostname)",
            "Subject: Notice of contract termination",
            "Date: Mon, 23 Nov 2026 09:00:00 +0100",
            "Message-ID: <demo-1@acme.example>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            "Dear Bob,",
            "",
            "we give notice that the contract ends on 31 December 2026.",
            ".A line that starts with a dot survives dot-stuffing.",
            "",
            "Alice",
            ""
        ].joined(separator: "\r\n")
    }

    static func config(hostname: String, route port: Int) -> String {
        """
        [server]
        hostname = "\(hostname)"
        spool = "spool"
        log_level = "warning"

        [tls]
        certificate = "keys/server.pem"
        key = "keys/server.key"

        [certification]
        certifier_addresses = ["certify@\(hostname)"]

        [dkim]
        key = "keys/dkim.key"

        [evidence]
        certificate = "keys/signing.pem"
        key = "keys/signing.key"
        ca = "keys/ca.pem"
        tsa_certificate = "keys/tsa.pem"
        tsa_key = "keys/tsa.key"
        log_key = "keys/log.key"
        pdf_certificate = "keys/pdf-signing.pem"
        pdf_key = "keys/pdf-signing.key"
        crls = ["keys/ca.crl"]
        checkpoint_interval_ms = 200

        [auth]
        allow_plaintext_on_loopback = true
        bcrypt_cost = 4

        [delivery]
        poll_interval_ms = 100

        [delivery.routes]
        "*" = "127.0.0.1:\(port)"

        [[listener]]
        name = "mx"
        kind = "mx"
        address = "127.0.0.1:0"

        [[listener]]
        name = "submission"
        kind = "submission"
        address = "127.0.0.1:0"

        """
    }
}

func step(_ number: Int, _ title: String) {
    say("\n\(number). \(title)")
}

/// Prints a line at once (unbuffered), so the demo reads well through a pipe too.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
