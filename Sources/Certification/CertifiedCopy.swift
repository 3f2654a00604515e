//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import MailMessage
import Spool

/// The certified copy of a mail for one recipient (DESIGN.md, "The certified copy").
///
/// The original content, byte for byte where it can be, with a tracking pixel in its HTML (or an
/// HTML part made for it), `From:` the certifier with the sender's name "via Fefaent", `Reply-To:`
/// the sender, its own Message-ID (the recipient also gets the original, in Cc mode, and clients
/// fold mails with one Message-ID into one), `X-Fefaent-Certification:` the evidence id, and a DKIM
/// signature of the certifier domain over it all: the copy is aligned for DMARC.
public struct CertifiedCopy: Sendable {
    public var certifier: String
    public var serviceName: String
    public var signer: DKIMSigner

    public init(certifier: String, serviceName: String, signer: DKIMSigner) {
        self.certifier = certifier
        self.serviceName = serviceName
        self.signer = signer
    }

    /// The copy of `original` with the pixel at `pixelURL`; the evidence id and the copy's own
    /// Message-ID go into its header.
    public func make(
        original: [UInt8],
        pixelURL: String,
        evidenceID: String,
        messageID: String,
        now: Date = Date()
    ) throws -> [UInt8] {
        let message = MessageParser.parse(original)
        let sender = message.from.first
        let name = sender?.displayName.flatMap { $0.isEmpty ? nil : $0 } ?? sender?.address ?? "Sender"
        var edits: [HeaderEdit] = [
            .set(
                name: "From",
                value: EncodedWordEncoder.displayName("\(name) via \(self.serviceName)") + " <\(self.certifier)>"
            ),
            .remove(name: "Sender"),
            .remove(name: "Return-Path"),
            .set(name: "Message-ID", value: "<\(messageID)>"),
            .set(name: "X-Fefaent-Certification", value: evidenceID)
        ]
        if let sender {
            edits.append(.set(name: "Reply-To", value: EncodedWordEncoder.mailbox(sender)))
        }
        if let original = message.messageID {
            edits.append(.set(name: "References", value: original.hasPrefix("<") ? original : "<\(original)>"))
        }
        let injector = PixelInjector(pixelHTML: PixelInjector.imageElement(url: pixelURL))
        let plan = injector.plan(for: message, headerEdits: edits) { Array(original[$0]) }
        var copy = plan.apply(to: original)
        if plan.pixelsInserted == 0 {
            // No text to carry it: the original becomes the second part of a multipart/mixed whose
            // first part is an HTML note with the pixel.
            copy = Self.wrapped(MessageParser.parse(copy), source: copy, pixelHTML: injector.pixelHTML)
        }
        return try self.signer.sign(message: copy, timestamp: Int(now.timeIntervalSince1970))
    }

    /// `message` inside a `multipart/mixed` whose first part is an HTML note carrying the pixel.
    static func wrapped(_ message: ParsedMessage, source: [UInt8], pixelHTML: String) -> [UInt8] {
        let top = message.parts[0]
        let crlf: [UInt8] = [0x0D, 0x0A]
        let boundary = "=_fefaent_" + TrackingToken.make()
        var output: [UInt8] = []
        var contentFields: [[UInt8]] = []
        for field in top.headers {
            let name = field.name.lowercased()
            if name.hasPrefix("content-") {
                contentFields.append(field.raw)
            } else if name != "mime-version" {
                output += field.raw
            }
        }
        output += Array("MIME-Version: 1.0".utf8) + crlf
        output += Array("Content-Type: multipart/mixed; boundary=\"\(boundary)\"".utf8) + crlf + crlf
        output += Array("--\(boundary)".utf8) + crlf
        output += Array("Content-Type: text/html; charset=utf-8".utf8) + crlf
        output += Array("Content-Transfer-Encoding: quoted-printable".utf8) + crlf + crlf
        let note =
            "<html><body><p>This certified mail has no text of its own; its content is attached.</p>"
            + pixelHTML + "</body></html>"
        output += BodyEncoder.quotedPrintable(Array(note.utf8), lineEnding: crlf) + crlf
        output += Array("--\(boundary)".utf8) + crlf
        if contentFields.isEmpty {
            output += Array("Content-Type: text/plain; charset=us-ascii".utf8) + crlf
        }
        for field in contentFields { output += field }
        output += crlf
        output += source[min(top.bodyStart, source.count)...]
        output += crlf  // the line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1)
        output += Array("--\(boundary)--".utf8) + crlf
        return output
    }
}
