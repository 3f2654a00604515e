//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Evidence
import FefaentServer
import Foundation
import MailMessage
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SMTPCore
import Spool

extension Demo {
    struct ShownCopy {
        var pixelURL: String
    }

    /// The copy `recipient`'s server received, as its mail client will show it.
    static func showCopy(to recipient: String, receiver: DemoReceiver, work: String) async throws -> ShownCopy {
        guard
            let (_, text) = receiver.received.withLockedValue({ received in
                received.first { envelope, _ in envelope.recipients.contains { $0.forwardPath.address == recipient } }
            })
        else { throw DemoError("\(recipient) got nothing") }
        let bytes = Array(text.utf8)
        var options = MessageParser.Options()
        options.capturedTextLimit = 1 << 16
        let copy = MessageParser.parse(bytes, options: options)
        say("  the copy \(recipient) received:")
        for name in ["From", "Reply-To", "To", "Cc", "Subject", "Message-ID", "X-Fefaent-Certification"] {
            say("    \(name): \(copy.parts[0].header(name) ?? "")")
        }
        say("    parts: " + copy.leaves.map { $0.fileName.map { "\($0)" } ?? $0.mimeType }.joined(separator: ", "))
        let html = copy.leaves.first { $0.mimeType == "text/html" }.map {
            String(decoding: $0.capturedText, as: UTF8.self)
        }
        guard let html, let start = html.range(of: "src=\""), let end = html[start.upperBound...].firstIndex(of: "\"")
        else { throw DemoError("the copy has no pixel") }
        let url = String(html[start.upperBound..<end])
        say("    the tracking image: \(url)")
        let record =
            try String(contentsOfFile: work + "/keys/dkim.txt", encoding: .utf8)
            .split(separator: "\"").first { $0.hasPrefix("v=DKIM1") }.map(String.init) ?? ""
        let dns = DemoDNS(records: ["fefaent._domainkey.fefaent.localhost": [record]])
        let results = await DKIMVerifier(resolver: dns, now: Int(Date().timeIntervalSince1970)).verify(message: bytes)
        say("    DKIM, checked against keys/dkim.txt as DNS would publish it: \(results.first?.description ?? "none")")
        guard results.first?.passedDomain == "fefaent.localhost" else { throw DemoError("the copy's DKIM fails") }
        return ShownCopy(pixelURL: url)
    }

    /// One HTTP GET, as a mail client fetches an image.
    static func fetch(_ url: String, userAgent: String) async throws {
        let response = try await DemoHTTP.request("GET", url, headers: ["User-Agent": userAgent])
        say(
            "  the HTTP front answered: HTTP \(response.status), \(response.body.count)-byte GIF, Cache-Control: "
                + (response.header("Cache-Control") ?? "")
        )
    }

    /// Steps 9 to 11: the notices the sender got, their PDFs verified, and the units charged.
    static func noticeSteps(daemon: FefaentDaemon, receiver: DemoReceiver, work: String, first: Int) async throws {
        step(first, "The sender's notices arrive at alice@acme.example (real mails, DKIM-signed, Auto-Submitted)")
        let expected = 7  // 2 processing notices, 3 delivery certificates, 1 non-delivery certificate, 1 addendum
        var notices: [ParsedMessage] = []
        var raws: [[UInt8]] = []
        for _ in 0..<600 {
            raws = receiver.received.withLockedValue { received in
                received.filter { $0.0.recipients.contains { $0.forwardPath.address == "alice@acme.example" } }
                    .map { Array($0.1.utf8) }
            }
            if raws.count >= expected { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard raws.count >= expected else { throw DemoError("only \(raws.count) of \(expected) notices arrived") }
        notices = raws.map { MessageParser.parse($0) }
        guard let settings = daemon.configuration.evidence else { throw DemoError("no evidence") }
        let keys = try EvidenceKeys(settings)
        try FileManager.default.createDirectory(atPath: work + "/notices", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work + "/evidence", withIntermediateDirectories: true)
        try? FileManager.default.copyItem(atPath: work + "/keys/ca.pem", toPath: work + "/ca.pem")
        let order = ["processingNotice", "deliveryCertificate", "nonDeliveryCertificate", "openingAddendum"]
        let sorted = zip(notices, raws).sorted {
            (order.firstIndex(of: $0.0.parts[0].header("X-Fefaent-Notice") ?? "") ?? 9)
                < (order.firstIndex(of: $1.0.parts[0].header("X-Fefaent-Notice") ?? "") ?? 9)
        }
        for (index, (notice, raw)) in sorted.enumerated() {
            let kind = notice.parts[0].header("X-Fefaent-Notice") ?? "?"
            let file = String(format: "%02d-%@.eml", index + 1, kind)
            try Data(raw).write(to: URL(fileURLWithPath: work + "/notices/" + file))
            say("  \(notice.subject ?? "")   [notices/\(file)]")
            var options = MessageParser.Options()
            options.capturedTextLimit = 4096
            let text =
                MessageParser.parse(raw, options: options).leaves.first { $0.mimeType == "text/plain" }
                .map { String(decoding: $0.capturedText, as: UTF8.self) } ?? ""
            for line in text.split(separator: "\r\n").dropFirst().prefix(while: { !$0.hasPrefix("-- ") })
            where line.contains(":") {
                say("      \(line)")
            }
            try Self.saveEvidencePDFs(of: notice, raw: raw, work: work, keys: keys)
        }

        if !notices.contains(where: { $0.leaves.contains { $0.mimeType == "application/pdf" } }) {
            say(
                "  (no TrueType fonts on this machine: the certificates went without their evidence PDFs;"
                    + " apt-get install fonts-dejavu-core and run the demo again to see them)"
            )
        }

        step(
            first + 1,
            "The units charged: one per started 5 MB per certified recipient, each an append-only ledger row"
        )
        for entry in try daemon.spool.database.ledger(of: "acme") {
            say(
                "  \(String(format: "%+4d", entry.change))  balance \(String(format: "%3d", entry.balanceAfter))  "
                    + "\(entry.actor): \(entry.reason)\(entry.queueId.map { " \($0)" } ?? "")"
            )
        }
    }
}

extension Demo {
    /// Writes the evidence PDFs a notice carries to `evidence/` and verifies each as an auditor would.
    static func saveEvidencePDFs(of notice: ParsedMessage, raw: [UInt8], work: String, keys: EvidenceKeys) throws {
        for part in notice.leaves where part.mimeType == "application/pdf" {
            var decoder = Base64StreamDecoder()
            var pdf: [UInt8] = []
            decoder.decode(raw[part.bodyStart..<part.bodyEnd]) { pdf += $0 }
            decoder.finish { pdf += $0 }
            let name = part.fileName ?? "evidence.pdf"
            try Data(pdf).write(to: URL(fileURLWithPath: work + "/evidence/" + name))
            let report = EvidencePDFVerifier.verify(pdf: pdf, trustedRoots: keys.trustedRoots, logKey: nil)
            let failed = report.checks.filter { !$0.passed }
            say(
                "      evidence/\(name): \(pdf.count) bytes, "
                    + (report.passed
                        ? "verified (PAdES signature, time-stamp, every record's CMS signature and log proof)"
                        : "NOT VERIFIED: \(failed.map(\.text).joined(separator: "; "))")
            )
            guard report.passed else { throw DemoError("an evidence PDF does not verify") }
        }
    }
}

/// The DNS of the demo: the DKIM key record `fefaent keys init` wrote, as a real zone would publish it.
struct DemoDNS: MailDNSResolver {
    var records: [String: [String]]

    func txtRecords(for name: String) async throws -> [String] { self.records[name.lowercased()] ?? [] }
    func addresses(for name: String) async throws -> [String] { [] }
    func mailExchangers(for name: String) async throws -> [String] { [] }
}
