//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import MailMessage
import Crypto
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
    /// Message-ID go into its header. The whole copy in memory: for small originals (and as the
    /// reference ``planned(originalSize:read:pixelURL:evidenceID:messageID:now:)`` is tested against).
    public func make(
        original: [UInt8],
        pixelURL: String,
        evidenceID: String,
        messageID: String,
        now: Date = Date()
    ) throws -> [UInt8] {
        let message = MessageParser.parse(original)
        let injector = PixelInjector(pixelHTML: PixelInjector.imageElement(url: pixelURL))
        let edits = self.headerEdits(for: message, evidenceID: evidenceID, messageID: messageID)
        let plan = injector.plan(for: message, headerEdits: edits) { Array(original[$0]) }
        var copy = plan.apply(to: original)
        if plan.pixelsInserted == 0 {
            // No text to carry it: the original becomes the second part of a multipart/mixed whose
            // first part is an HTML note with the pixel.
            copy = Self.wrappingPlan(
                MessageParser.parse(copy),
                size: copy.count,
                pixelHTML: injector.pixelHTML,
                boundary: Self.boundary(messageID: messageID)
            ).apply(to: copy)
        }
        return try self.signer.sign(message: copy, timestamp: Int(now.timeIntervalSince1970))
    }

    /// The same copy as ``make(original:pixelURL:evidenceID:messageID:now:)``, as a plan over the
    /// original and the DKIM-Signature field that goes before it, with the original read through
    /// `read` a range at a time: neither the original nor the copy is ever whole in memory, so a 20 MB
    /// mail to a hundred recipients is a hundred plans of a few kilobytes, streamed from the spool.
    public func planned(
        originalSize: Int,
        read: (Range<Int>) throws -> [UInt8],
        pixelURL: String,
        evidenceID: String,
        messageID: String,
        now: Date = Date()
    ) throws -> (signature: [UInt8], plan: RewritePlan) {
        let message = try Self.parse(size: originalSize, read: read)
        let injector = PixelInjector(pixelHTML: PixelInjector.imageElement(url: pixelURL))
        let edits = self.headerEdits(for: message, evidenceID: evidenceID, messageID: messageID)
        var plan = try injector.plan(for: message, headerEdits: edits, readBody: read)
        if plan.pixelsInserted == 0 {
            let rewritten = plan
            let copy = try Self.parseTopHeader(of: rewritten, read: read)
            plan = Self.wrappingPlan(
                copy,
                size: rewritten.size,
                pixelHTML: injector.pixelHTML,
                boundary: Self.boundary(messageID: messageID)
            ).composed(over: rewritten)
        }
        // DKIM over the copy as it will be sent: its header fields, and its body hashed in pieces.
        let final = plan
        let signed = try Self.parseTopHeader(of: final, read: read)
        var hasher = DKIMBodyHasher(canonicalization: .relaxed)
        var position = min(signed.parts[0].bodyStart, final.size)
        while position < final.size {
            let end = min(final.size, position + Self.pieceSize)
            hasher.update(try final.bytes(in: position..<end, source: read))
            position = end
        }
        let field = try self.signer.signatureField(
            headers: signed.headers,
            bodyHash: hasher.finalize(),
            timestamp: Int(now.timeIntervalSince1970)
        )
        return (field.raw, final)
    }

    /// How much of a message is read at a time when it is parsed or hashed from its source.
    static let pieceSize = 256 * 1024

    /// A message of `size` octets parsed a piece at a time.
    static func parse(size: Int, read: (Range<Int>) throws -> [UInt8]) throws -> ParsedMessage {
        var parser = MessageParser()
        var position = 0
        while position < size {
            let end = min(size, position + Self.pieceSize)
            parser.parse(try read(position..<end))
            position = end
        }
        return parser.finish()
    }

    /// The plan's output parsed far enough for its top-level header fields and where its body starts:
    /// from its first step alone when that new text holds the whole header block and the blank line
    /// after it (as a rewrite's does), else from the whole output.
    static func parseTopHeader(of plan: RewritePlan, read: (Range<Int>) throws -> [UInt8]) throws -> ParsedMessage {
        if case .insert(let head)? = plan.steps.first {
            let parsed = MessageParser.parse(head)
            let bodyStart = parsed.parts[0].bodyStart
            if bodyStart < head.count || head.suffix(2) == [0x0A, 0x0A] || head.suffix(3) == [0x0A, 0x0D, 0x0A] {
                return parsed
            }
        }
        return try Self.parse(size: plan.size) { try plan.bytes(in: $0, source: read) }
    }

    /// From the certifier "via" the service with the sender's name, Reply-To the sender, the copy's
    /// own Message-ID, References the original's, and the evidence id.
    func headerEdits(for message: ParsedMessage, evidenceID: String, messageID: String) -> [HeaderEdit] {
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
        return edits
    }

    /// The wrapper's boundary: from the copy's own Message-ID, so it differs from copy to copy (and
    /// from any wrapper inside a certified copy that is certified again) and a retry sends the same.
    static func boundary(messageID: String) -> String {
        "=_fefaent_" + Hex.encode(Array(SHA256.hash(data: Array(messageID.utf8)))).prefix(24)
    }

    /// A plan over `message` (`size` octets) that puts it inside a `multipart/mixed` whose first part
    /// is an HTML note carrying the pixel.
    static func wrappingPlan(_ message: ParsedMessage, size: Int, pixelHTML: String, boundary: String) -> RewritePlan {
        let top = message.parts[0]
        let crlf: [UInt8] = [0x0D, 0x0A]
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
        var plan = RewritePlan()
        plan.insert(output)
        plan.copy(min(top.bodyStart, size)..<size)
        // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
        plan.insert(crlf + Array("--\(boundary)--".utf8) + crlf)
        return plan
    }
}
