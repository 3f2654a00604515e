//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Certification
import Evidence
import FefaentServer
import Foundation
import MailMessage
import NIOConcurrencyHelpers
import SMTPCore
import Spool

extension Demo {
    static let receptionMailbox = "claims@acme.example"
    static let supplier = "frank@supplier.example"
    /// The supplier's DNS: SPF allows loopback, DMARC asks for quarantine.
    static let supplierZone: [String: [String]] = [
        "supplier.example": ["v=spf1 ip4:127.0.0.1 -all"],
        "_dmarc.supplier.example": ["v=DMARC1; p=quarantine"]
    ]

    /// Certified reception: a mailbox, one mail to it, the stored file, its record and the
    /// acknowledgement with its PDF.
    static func receptionSteps(
        daemon: FefaentDaemon,
        mxPort: Int,
        receiver: DemoReceiver,
        work: String,
        number: Int
    ) async throws {
        let maildir = work + "/maildir"
        step(
            number,
            "Certified reception: acme's claims mailbox (as `fefaent mailbox add \(Self.receptionMailbox) --account acme "
                + "--maildir \(maildir)`)"
        )
        try Maildir(path: maildir).create()
        try daemon.spool.database.addMailbox(
            ReceptionMailbox(address: Self.receptionMailbox, account: "acme", maildir: maildir)
        )
        try daemon.mailboxes.refresh()
        say("  a mail to it is stored, certified (one unit per started 5 MB) and acknowledged to its sender")

        step(number + 1, "A supplier's server delivers a claim to it (supplier.example publishes SPF and DMARC)")
        let queueID = try await DemoClient.submit(
            body: Self.claim,
            port: mxPort,
            commands: [
                "EHLO mail.supplier.example", "MAIL FROM:<\(Self.supplier)>", "RCPT TO:<\(Self.receptionMailbox)>"
            ]
        )
        let names = try FileManager.default.contentsOfDirectory(atPath: maildir + "/new").sorted()
        guard let name = names.first else { throw DemoError("the Maildir is empty after the 250") }
        let stored = try String(contentsOfFile: maildir + "/new/" + name, encoding: .utf8)
        say("  in the Maildir before the 250: maildir/new/\(name)")
        say("  the fields in front of the mail as it was sent (byte for byte after them):")
        for line in stored.components(separatedBy: "\r\n").prefix(while: { !$0.hasPrefix("Received:") }) {
            say("    \(line)")
        }
        guard let entry = try daemon.spool.database.receptions(messageID: queueID).first,
            let evidenceID = entry.evidenceId
        else { throw DemoError("the reception was not certified") }
        say(
            "  record \(evidenceID) (ReceivedFromNonERDS), charged to \(entry.account ?? "nobody"): \(entry.units) unit"
        )

        step(
            number + 2,
            "The supplier gets the acknowledgement of receipt (RFC 3834: from <>, Auto-Submitted: auto-replied)"
        )
        var raw: [UInt8]? = nil
        for _ in 0..<600 {
            raw = receiver.received.withLockedValue { received in
                received.first { envelope, text in
                    envelope.recipients.contains { $0.forwardPath.address == Self.supplier }
                }.map { Array($0.1.utf8) }
            }
            if raw != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let raw else { throw DemoError("no acknowledgement arrived") }
        let acknowledgement = MessageParser.parse(raw)
        try Data(raw).write(to: URL(fileURLWithPath: work + "/notices/receptionAcknowledgement.eml"))
        say("  \(acknowledgement.subject ?? "")   [notices/receptionAcknowledgement.eml]")
        for field in ["Auto-Submitted", "In-Reply-To", "X-Fefaent-Certification"] {
            say("    \(field): \(acknowledgement.parts[0].header(field) ?? "")")
        }
        guard let settings = daemon.configuration.evidence else { throw DemoError("no evidence") }
        let keys = try EvidenceKeys(settings)
        try Self.saveEvidencePDFs(of: acknowledgement, raw: raw, work: work, keys: keys)
        say("  fefaent mailbox show \(Self.receptionMailbox):")
        for received in try daemon.spool.database.receptions(mailbox: Self.receptionMailbox) {
            say(
                "    \(utc(received.receivedAt))  \(received.headerFrom ?? received.envelopeSender)  "
                    + "\(received.evidenceId ?? "not certified")  acknowledgement \(received.acknowledgement.rawValue)  "
                    + "\(received.subject ?? "")"
            )
        }
    }

    /// A lawyer drops a delivery certificate's PDF on the public verification page.
    static func verificationStep(httpPort: Int, work: String, number: Int) async throws {
        step(number, "A lawyer checks a delivery certificate on the public verification page (POST /verify)")
        let pdfs = ((try? FileManager.default.contentsOfDirectory(atPath: work + "/evidence")) ?? []).sorted()
            .filter { $0.hasSuffix(".pdf") }
        guard let name = pdfs.first else {
            say("  (no evidence PDF to check: this machine has no fonts to draw them)")
            return
        }
        let pdf = try [UInt8](Data(contentsOf: URL(fileURLWithPath: work + "/evidence/" + name)))
        let page = try await DemoHTTP.request(
            "POST",
            "http://127.0.0.1:\(httpPort)/verify",
            headers: ["Content-Type": "application/pdf", "Accept-Language": "ca, en;q=0.5"],
            body: pdf
        ).text
        guard let start = page.range(of: "id=\"verdict\""), let open = page[start.upperBound...].firstIndex(of: ">"),
            let close = page[open...].range(of: "</p>")
        else { throw DemoError("the verification page gave no verdict") }
        let verdict = String(page[page.index(after: open)..<close.lowerBound])
        let checks = page.components(separatedBy: "<tr><td>").count - 1
        say("  evidence/\(name), in Catalan (Accept-Language: ca): \(verdict) (\(checks) checks listed)")
        say("  (fefaent serve with [http] listen serves the same page at /verify, for people with a browser)")
        guard verdict.hasPrefix("Aquesta evidència és vàlida") else {
            throw DemoError("the page did not find it valid")
        }
    }

    static let claim = [
        "From: Frank <\(supplier)>",
        "To: Claims <\(receptionMailbox)>",
        "Subject: Claim for the October delivery",
        "Date: Mon, 30 Nov 2026 10:00:00 +0100",
        "Message-ID: <claim-1@supplier.example>",
        "",
        "We claim payment of invoice 2026-117, due on 15 November.",
        ""
    ].joined(separator: "\r\n")
}
