//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import MailMessage
import SMTPCore
public import Spool

/// A notice to the sender of a certified mail, as a MIME message: the text in the account's
/// language, the signed evidence PDF attached where there is one, `Auto-Submitted: auto-generated`,
/// DKIM-signed by the certifier domain.
public struct Notice: Sendable {
    public var kind: NoticeQueued.Kind
    public var language: Account.Language
    /// The sender of the certified mail (the From address the account certifies for) and its name.
    public var to: String
    public var toName: String?
    public var originalSubject: String
    /// The recipients the notice is about, with what happened to each (the server's reply, who fetched).
    public var lines: [(label: String, value: String)]
    /// The evidence id the notice is about (the record it reports).
    public var evidenceID: String
    public var queueID: String
    public var invoice: Bool
    /// `(file name, bytes)` of the evidence PDF.
    public var pdf: (name: String, bytes: [UInt8])?
    /// The Message-ID of the mail this notice answers (an acknowledgement of receipt), for
    /// `In-Reply-To` and `References`.
    public var inReplyTo: String? = nil

    public init(
        kind: NoticeQueued.Kind,
        language: Account.Language,
        to: String,
        toName: String?,
        originalSubject: String,
        lines: [(label: String, value: String)],
        evidenceID: String,
        queueID: String,
        invoice: Bool,
        pdf: (name: String, bytes: [UInt8])?
    ) {
        self.kind = kind
        self.language = language
        self.to = to
        self.toName = toName
        self.originalSubject = originalSubject
        self.lines = lines
        self.evidenceID = evidenceID
        self.queueID = queueID
        self.invoice = invoice
        self.pdf = pdf
    }

    /// The signed message, CRLF line endings.
    public func render(settings: CertificationSettings, now: Date = Date()) throws -> [UInt8] {
        let text = NoticeText(language: self.language)
        let crlf: [UInt8] = [0x0D, 0x0A]
        var body = text.opening(self.kind) + "\n\n"
        if self.invoice { body += text.label(.invoice) + "\n" }
        body += "\(text.label(.subject)): \(self.originalSubject)\n"
        for line in self.lines { body += "\(line.label): \(line.value)\n" }
        body += "\(text.label(.evidenceID)): \(self.evidenceID)\n"
        body += "\(text.label(.queueID)): \(self.queueID)\n"
        if self.pdf != nil { body += "\n" + text.label(.verify) + "\n" }
        body += "\n-- \n\(settings.serviceName), \(settings.hostname)\n"
        let plain = BodyEncoder.quotedPrintable(Array(body.utf8).normalizedToCRLF(), lineEnding: crlf)

        var headers: [(name: String, value: String)] = [
            ("From", EncodedWordEncoder.displayName(settings.serviceName) + " <\(settings.noticeSender)>"),
            ("To", self.toName.map { EncodedWordEncoder.displayName($0) + " <\(self.to)>" } ?? self.to),
            ("Subject", EncodedWordEncoder.encode(text.subject(self.kind, original: self.originalSubject))),
            ("Date", RFC5322Date.format(epochSeconds: Int64(now.timeIntervalSince1970))),
            ("Message-ID", "<\(self.kind.rawValue).\(self.evidenceID.lowercased())@\(settings.domain)>"),
            ("MIME-Version", "1.0"),
            // RFC 3834 §5: a response to a mail is auto-replied; a notice of an event, auto-generated.
            ("Auto-Submitted", self.kind == .receptionAcknowledgement ? "auto-replied" : "auto-generated"),
            ("X-Fefaent-Notice", self.kind.rawValue),
            ("X-Fefaent-Certification", self.evidenceID)
        ]
        if let inReplyTo = self.inReplyTo {
            let id = inReplyTo.hasPrefix("<") ? inReplyTo : "<\(inReplyTo)>"
            headers.append(("In-Reply-To", id))
            headers.append(("References", id))
        }
        // The message is written into one array sized for it up front: with a PDF that embeds a large
        // mail, every intermediate copy would be as large as the mail.
        let boundary = "=_fefaent_" + TrackingToken.make()
        if self.pdf != nil {
            headers.append(("Content-Type", "multipart/mixed; boundary=\"\(boundary)\""))
        } else {
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
            headers.append(("Content-Transfer-Encoding", "quoted-printable"))
        }
        var output: [UInt8] = []
        output.reserveCapacity(plain.count + 4_096 + (self.pdf?.bytes.count ?? 0) * 4 / 3 * 77 / 76)
        for header in headers { output += HeaderField(name: header.name, encodedValue: header.value).raw }
        output += crlf
        if let pdf = self.pdf {
            func line(_ text: String) {
                output += text.utf8
                output += crlf
            }
            line("--\(boundary)")
            line("Content-Type: text/plain; charset=utf-8")
            line("Content-Transfer-Encoding: quoted-printable")
            output += crlf
            output += plain
            output += crlf
            line("--\(boundary)")
            line("Content-Type: application/pdf; name=\"\(pdf.name)\"")
            line("Content-Disposition: attachment; filename=\"\(pdf.name)\"")
            line("Content-Transfer-Encoding: base64")
            output += crlf
            output += BodyEncoder.base64(pdf.bytes, lineEnding: crlf)
            line("--\(boundary)--")
        } else {
            output += plain
        }
        return try settings.signer.sign(message: output, timestamp: Int(now.timeIntervalSince1970))
    }
}

extension Array where Element == UInt8 {
    /// Line feeds become CRLF (text written with `\n`).
    fileprivate func normalizedToCRLF() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(self.count + self.count / 40)
        for byte in self {
            if byte == 0x0A, output.last != 0x0D { output.append(0x0D) }
            output.append(byte)
        }
        return output
    }
}
