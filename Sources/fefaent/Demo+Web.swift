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
import SMTPCore
import Spool

extension Demo {
    /// An application sends a certified mail with one API call, retries it safely, polls it and
    /// downloads its evidence PDF.
    static func apiStep(daemon: FefaentDaemon, httpPort: Int, work: String, number: Int) async throws {
        step(number, "An application sends a certified mail with one API call (POST /v1/messages, an API key)")
        let issued = try daemon.spool.database.addAPIKey(account: "acme", label: "billing application")
        say("  fefaent apikey add acme: \(issued.token.prefix(24))… (shown once; the server keeps its SHA-256)")
        let base = "http://127.0.0.1:\(httpPort)"
        let headers = [
            "Authorization": "Bearer \(issued.token)", "Content-Type": "application/json",
            "Idempotency-Key": "order-2026-0042"
        ]
        let body = try JSONSerialization.data(withJSONObject: [
            "from": "alice@acme.example", "from_name": "Alice Martí", "to": ["carol@example.test"],
            "subject": "Order 2026-0042 confirmed",
            "text": "Dear Carol,\nyour order 2026-0042 is confirmed for delivery on 4 December.\n"
        ])
        let sent = try await DemoHTTP.request("POST", base + "/v1/messages", headers: headers, body: Array(body))
        guard sent.status == 202, let id = try sent.json()["id"] as? String else {
            throw DemoError("the API answered \(sent.status): \(sent.text)")
        }
        say(
            "  POST /v1/messages -> \(sent.status), Location: \(sent.header("Location") ?? ""), units \(try sent.json()["units"] ?? "")"
        )
        let again = try await DemoHTTP.request("POST", base + "/v1/messages", headers: headers, body: Array(body))
        say(
            "  the same call again (a retry, same Idempotency-Key) -> \(again.status), Idempotent-Replayed: "
                + "\(again.header("Idempotent-Replayed") ?? ""), the same id: \((try again.json()["id"] as? String) == id)"
        )
        var message: [String: Any] = [:]
        for _ in 0..<400 {
            message = try await DemoHTTP.request("GET", base + "/v1/messages/\(id)", headers: headers).json()
            let recorded = (message["evidence"] as? [[String: Any]] ?? []).contains {
                $0["kind"] as? String == "RelayToNonERDS"
            }
            if message["state"] as? String == "delivered", recorded { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let recipients = message["recipients"] as? [[String: Any]] ?? []
        for recipient in recipients {
            let reply = recipient["last_reply"] as? [String: Any]
            say(
                "  GET /v1/messages/\(id): <\(recipient["address"] ?? "")> \(recipient["state"] ?? ""), "
                    + "server reply \(reply?["code"] ?? "") \(reply?["text"] ?? "")"
            )
        }
        let kinds = (message["evidence"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        say("  its records: \(kinds.joined(separator: ", "))")
        guard message["state"] as? String == "delivered" else { throw DemoError("the API's mail was not delivered") }
        guard let settings = daemon.configuration.evidence else { return }
        for _ in 0..<200 {
            let pdf = try await DemoHTTP.request("GET", base + "/v1/messages/\(id)/evidence.pdf", headers: headers)
            if pdf.status == 200 {
                let keys = try EvidenceKeys(settings)
                let report = EvidencePDFVerifier.verify(pdf: pdf.body, trustedRoots: keys.trustedRoots, logKey: nil)
                try Data(pdf.body).write(to: URL(fileURLWithPath: work + "/evidence/api-\(id).pdf"))
                say(
                    "  GET /v1/messages/\(id)/evidence.pdf -> evidence/api-\(id).pdf, \(pdf.body.count) bytes, "
                        + (report.passed
                            ? "verified"
                            : "NOT VERIFIED: "
                                + report.checks.filter { !$0.passed }.map(\.text).joined(separator: "; "))
                )
                guard report.passed else { throw DemoError("the API's evidence PDF does not verify") }
                return
            }
            if pdf.status == 503 {
                say("  (no evidence PDF: \(pdf.text.prefix(120)))")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError("the API's evidence PDF was not ready within 20 s")
    }

    /// Openum: a document behind a link; Bob opens it from the landing page; Alice gets the access
    /// certificate.
    static func openumStep(
        daemon: FefaentDaemon,
        httpPort: Int,
        receiver: DemoReceiver,
        work: String,
        number: Int
    ) async throws {
        step(number, "Openum: a document behind a link; Bob opens it, Alice gets the access certificate")
        let token = try daemon.spool.database.addAPIKey(account: "acme", label: "legal department").token
        let base = "http://127.0.0.1:\(httpPort)"
        let document = Array(
            "%PDF-1.4\n% Notice of termination of contract 2024-17, as a stand-in for a real PDF.\n%%EOF\n".utf8
        )
        let body = try JSONSerialization.data(withJSONObject: [
            "from": "alice@acme.example", "from_name": "Alice Martí", "to": ["bob@example.test"],
            "subject": "Notice of termination", "text": "Bob, please find our notice of termination.",
            "document": [
                "filename": "termination.pdf", "content_type": "application/pdf",
                "content": Data(document).base64EncodedString()
            ],
            "expires_in_days": 15, "reminder_days": 3
        ])
        let sent = try await DemoHTTP.request(
            "POST",
            base + "/v1/documents",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
            body: Array(body)
        )
        guard sent.status == 202, let id = try sent.json()["id"] as? String else {
            throw DemoError("POST /v1/documents answered \(sent.status): \(sent.text)")
        }
        say("  POST /v1/documents -> \(sent.status), message \(id): termination.pdf stays on the server")
        var link: String? = nil
        for _ in 0..<400 {
            link = receiver.received.withLockedValue { received in
                received.lazy.filter { envelope, text in
                    envelope.recipients.contains { $0.forwardPath.address == "bob@example.test" }
                        && text.contains("/d/")
                }.compactMap { _, text -> String? in
                    guard let start = text.range(of: base + "/d/") else { return nil }
                    return String(text[start.lowerBound...].prefix(base.count + 3 + 26))
                }.first
            }
            if link != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let link else { throw DemoError("Bob got no Openum invitation") }
        say("  Bob's mail (a certified copy, no attachment) holds his own link: \(link)")
        let browser = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
        let page = try await DemoHTTP.request("GET", link, headers: ["User-Agent": browser, "Accept-Language": "en"])
        guard let cookie = page.header("Set-Cookie")?.split(separator: ";").first.map(String.init),
            let nonceStart = page.text.range(of: "name=\"nonce\" value=\""),
            let nonceEnd = page.text[nonceStart.upperBound...].firstIndex(of: "\"")
        else { throw DemoError("the landing page has no open button") }
        let title = page.text.range(of: "<h1>").flatMap { start in
            page.text[start.upperBound...].range(of: "</h1>").map {
                String(page.text[start.upperBound..<$0.lowerBound])
            }
        }
        say(
            "  GET \(link) -> \(page.status): \"\(title ?? "")\", the sender, the document, an \"Open the document\" button"
        )
        say("  (nothing is recorded yet: a mail scanner fetching the link gets this page, never the document)")
        let nonce = String(page.text[nonceStart.upperBound..<nonceEnd])
        let opened = try await DemoHTTP.request(
            "POST",
            link + "/open",
            headers: [
                "User-Agent": browser, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"
            ],
            body: Array("nonce=\(nonce)".utf8)
        )
        guard opened.status == 200, opened.body == document else {
            throw DemoError("opening the document answered \(opened.status)")
        }
        say(
            "  Bob presses it: POST \(link)/open -> \(opened.status), \(opened.body.count) bytes (the document), "
                + "ContentHandover record \(opened.header("X-Fefaent-Evidence") ?? "")"
        )
        var certificate: (ParsedMessage, [UInt8])? = nil
        for _ in 0..<600 {
            certificate = receiver.received.withLockedValue { received in
                received.lazy.map { Array($0.1.utf8) }.map { (MessageParser.parse($0), $0) }
                    .first { $0.0.parts[0].header("X-Fefaent-Notice") == "accessCertificate" }
            }
            if certificate != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let (notice, raw) = certificate, let settings = daemon.configuration.evidence else {
            throw DemoError("no access certificate arrived")
        }
        say("  alice@acme.example gets: \(notice.subject ?? "")")
        try Self.saveEvidencePDFs(of: notice, raw: raw, work: work, keys: try EvidenceKeys(settings))
        say("  (GET /v1/messages/\(id) shows document_opened_at; the opened-document webhook fires the same moment)")
    }
}
