//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import MailMessage
public import X509

/// There is nothing to put in an evidence PDF.
public enum EvidencePDFError: Error, Hashable, Sendable {
    case noRecords
}

/// The evidence PDF's content: who sent what to whom, when, with which hashes, and every event.
public enum EvidencePDF {
    /// The fonts evidence PDFs are drawn with, tried in order for each character (Debian's
    /// fonts-dejavu-core and fonts-droid-fallback); `FEFAENT_FONTS` (paths separated by `:`) replaces them.
    public static let defaultFonts: [String] =
        ProcessInfo.processInfo.environment["FEFAENT_FONTS"].map { $0.split(separator: ":").map(String.init) }
        ?? [
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
        ]

    public static func postScriptName(_ path: String) -> String {
        String((path as NSString).lastPathComponent.split(separator: ".").first ?? "Font").filter {
            $0.isLetter || $0.isNumber || $0 == "-"
        }
    }

    /// The document for `records` (one message's), with `message` attached when it is still spooled.
    public static func document(
        records: [StoredRecord],
        log: EvidenceLog,
        message: [UInt8]?,
        trustedRoots: [Certificate],
        caPEM: String
    ) throws -> EvidenceDocument {
        let parsedRecords = try records.map { try EvidenceRecord(json: try CanonicalJSON(parsing: $0.body)) }
        guard let first = parsedRecords.first else { throw EvidencePDFError.noRecords }
        let local = DateFormatter()
        local.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
        func when(_ time: UTCDateTime) -> String { "\(time) (UTC); \(local.string(from: time.date)) local" }

        var blocks: [EvidenceDocument.Block] = [
            .field("Sender", first.sender),
            .field("Recipients", Array(Set(parsedRecords.flatMap(\.recipients))).sorted().joined(separator: ", ")),
            .field("Subject", first.subject ?? "(none)"),
            .field("Message-ID", first.messageID ?? "(none)"),
            .field("Queue id", first.queueID),
            .field(
                "Message SHA-256",
                "\(first.messageSHA256) (\(first.messageSize) bytes, as the sender's server sent it)"
            )
        ]
        if let certification = parsedRecords.compactMap(\.certification).first {
            blocks.append(.heading(certification.invoice ? "Certified invoice" : "Certified mail"))
            blocks.append(.field("Account", certification.account))
            blocks.append(
                .field(
                    "Certifier",
                    "\(certification.certifier) (\(certification.mode == "cc" ? "in copy" : "submission"))"
                )
            )
            blocks.append(.field("Certified recipients", certification.certifiedRecipients.joined(separator: ", ")))
            blocks.append(.field("Units charged", "\(certification.units)"))
            for file in certification.invoiceFiles {
                blocks.append(.field("Invoice file", "\(file.name) (\(file.format)), SHA-256 \(file.sha256)"))
            }
            if let document = certification.document {
                blocks.append(
                    .field(
                        "Document (Openum)",
                        "\(document.name) (\(document.contentType), \(document.size) bytes), SHA-256 \(document.sha256)"
                    )
                )
                blocks.append(.field("Link expires", document.expiresAt.description))
            }
        }
        if let authentication = parsedRecords.compactMap(\.senderAuthentication).first {
            let text: String
            switch authentication {
            case .smtpAuth(let identity): text = "SMTP AUTH as \(identity)"
            case .apiKey(let identity): text = "API key \(identity)"
            case .trustedNetwork: text = "the sending server is in the account's trusted networks"
            case .dkim(let domain): text = "DKIM signature of \(domain) verified, aligned with the From domain"
            case .spf(let domain): text = "SPF pass for \(domain), aligned with the From domain"
            case .none: text = "none"
            }
            blocks.append(.field("Sender authenticated by", text))
        }
        blocks.append(.heading("Parts and attachments"))
        for attachment in first.attachments {
            blocks.append(
                .field(
                    attachment.name ?? attachment.contentType,
                    "\(attachment.contentType), \(attachment.size) bytes, SHA-256 \(attachment.sha256)"
                )
            )
        }
        blocks.append(.heading("Events"))
        for (stored, record) in zip(records, parsedRecords) {
            var detail = ""
            switch record.details {
            case .relay(let host, let ip, let tls, let reply):
                detail =
                    "to \(record.recipients.joined(separator: ", ")) via \(host.isEmpty ? ip : "\(host) [\(ip)]")"
                    + (tls.map { ", \($0.version)\($0.peerVerified ? ", certificate verified" : "")" }
                        ?? ", without TLS")
                    + "; the server replied: \(reply)"
            case .submission(let ip, let helo, let user, let tls, let reply):
                detail =
                    "from \(ip) (HELO \(helo))\(user.map { ", authenticated as \($0)" } ?? "")"
                    + (tls.map { ", over \($0.version)" } ?? ", without TLS") + "; Fefaent replied: \(reply)"
            case .fetch(let ip, let agent, let classification, let prefetch):
                detail =
                    "the tracking image was fetched from \(ip) by \(agent) (\(classification)"
                    + (prefetch ? ", within seconds of delivery: likely an automatic pre-fetch" : "") + ")"
            case .notice(let kind, let about, let reported):
                detail = "\(kind) about \(about), reporting on \(reported.joined(separator: ", "))"
            case .incident(let anchoredSize, _, let foundSize, _, let statement):
                detail = "the log anchored at \(anchoredSize) records was found with \(foundSize): \(statement)"
            case .none:
                detail = ""
            }
            if let reason = record.reason { detail += " (reason: \(reason.rawValue))" }
            // The time the TSA vouches for is the token's genTime, read from the token itself.
            let genTime = (try? log.store.verifiedTimeStamp(of: stored, trustedRoots: trustedRoots))??.genTime
            blocks.append(
                .field(
                    record.kind.rawValue,
                    "\(when(record.time))\n\(detail)\nevidence id \(record.evidenceID), log leaf \(stored.leafIndex)"
                        + (genTime.map { ", time-stamped \($0)" } ?? ", not yet time-stamped")
                        + (record.supersedes.map { ", supersedes \($0)" } ?? "")
                )
            )
        }
        var attachments: [EvidenceDocument.Attachment] = []
        if let message {
            var options = MessageParser.Options()
            options.capturedTextLimit = 64 * 1024
            let parsed = MessageParser.parse(message, options: options)
            if let text = parsed.leaves.first(where: { $0.mimeType == "text/plain" && !$0.isAttachment }) {
                blocks.append(.heading("Message text"))
                blocks.append(
                    .text(
                        Charset(text.charset ?? "utf-8").decode(text.capturedText)
                            ?? String(decoding: text.capturedText, as: UTF8.self)
                    )
                )
            }
        }
        blocks.append(.heading("How to verify"))
        blocks.append(
            .text(
                "This PDF is signed by Fefaent's evidence certificate and time-stamped (check it with pdfsig or pyHanko). "
                    + "The attached records (.json) are the signed evidence; each .p7s is its CMS signature with an RFC 3161 "
                    + "time-stamp: openssl cms -verify -binary -inform DER -in ID.p7s -content ID.json -CAfile ca.pem -purpose any. "
                    + "manifest.json, signed in manifest.p7s, lists every record of the message. "
                    + "`fefaent evidence verify FILE.pdf --ca ca.pem` checks all of it, and `fefaent evidence audit` that every "
                    + "record is in the transparency log."
            )
        )
        // The same files as an export, flat: records/ID.json becomes ID.json.
        let bundle = try EvidenceBundle.make(log: log, records: records, message: message, caPEM: caPEM)
        for file in bundle.files where file.path != "README.txt" {
            attachments.append(
                .init(
                    name: String(file.path.split(separator: "/").last ?? ""),
                    mimeType: file.mimeType,
                    description: file.description,
                    data: file.data
                )
            )
        }
        let checkpoint = bundle.checkpoint
        blocks.append(.heading("Transparency log"))
        blocks.append(
            .field(
                "Checkpoint",
                "\(checkpoint.size) records, root \(Data(checkpoint.root).base64EncodedString()), written \(checkpoint.createdAt); "
                    + "each record's inclusion proof is attached"
            )
        )
        if let latest = try log.store.latestCheckpoint(), latest.size > checkpoint.size {
            blocks.append(
                .field(
                    "Latest checkpoint",
                    "\(latest.size) records, root \(Data(latest.root).base64EncodedString()), written \(latest.createdAt)"
                )
            )
        }
        let title =
            records.count == 1
            ? "Fefaent evidence: \(first.kind.rawValue)" : "Fefaent evidence: certified mail \(first.queueID)"
        return EvidenceDocument(title: title, blocks: blocks, attachments: attachments)
    }
}
