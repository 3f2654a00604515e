//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import MailMessage
public import Spool

/// The mail an Openum recipient gets instead of the document: who sent what, the sender's own
/// words, and the link. The link is written as ``linkPlaceholder``: each recipient's certified copy
/// gets its own link in its place (``CertifiedCopies``), as it gets its own tracking pixel.
public enum OpenumInvitation {
    /// Replaced in each certified copy by that recipient's link.
    public static let linkPlaceholder = "FEFAENT-OPENUM-LINK-PLACEHOLDER"

    /// The plain text and the HTML of the invitation.
    public static func bodies(
        senderName: String?,
        senderAddress: String,
        message: String?,
        document: OpenumDocument,
        language: Account.Language,
        serviceName: String
    ) -> (text: String, html: String) {
        let sender = senderName.map { "\($0) <\(senderAddress)>" } ?? senderAddress
        let expiry = ISO8601DateFormatter().string(from: document.expiresAt)
        let size = ByteCountFormatter.string(fromByteCount: Int64(document.size), countStyle: .file)
        let words: (intro: String, open: String, until: String, recorded: String)
        switch language {
        case .catalan:
            words = (
                "\(sender) us ha enviat un document per mitjà de \(serviceName): \(document.name) (\(size)).",
                "Obriu-lo amb aquest enllaç:", "L'enllaç funciona fins al \(expiry) (UTC).",
                "L'obertura queda registrada i certificada: el remitent en rep un certificat."
            )
        case .spanish:
            words = (
                "\(sender) le ha enviado un documento a través de \(serviceName): \(document.name) (\(size)).",
                "Ábralo con este enlace:", "El enlace funciona hasta el \(expiry) (UTC).",
                "La apertura queda registrada y certificada: el remitente recibe un certificado."
            )
        case .english:
            words = (
                "\(sender) sent you a document through \(serviceName): \(document.name) (\(size)).",
                "Open it with this link:", "The link works until \(expiry) (UTC).",
                "Opening it is recorded and certified: the sender receives a certificate of the access."
            )
        }
        let note = message.map { "\n\($0)\n" } ?? ""
        let text = """
            \(words.intro)
            \(note)
            \(words.open)
            \(Self.linkPlaceholder)

            \(words.until)
            \(words.recorded)
            SHA-256: \(document.sha256)

            """
        let html = """
            <html><body>
            <p>\(words.intro.replacingHTMLSpecials())</p>
            \(message.map { "<p>" + $0.replacingHTMLSpecials().replacingOccurrences(of: "\n", with: "<br>") + "</p>" } ?? "")
            <p><a
            href="\(Self.linkPlaceholder)"
            >\(words.open.replacingHTMLSpecials()) \(document.name.replacingHTMLSpecials())</a></p>
            <p>\(words.until.replacingHTMLSpecials())<br>\(words.recorded.replacingHTMLSpecials())</p>
            <p style="font-size:small">SHA-256: \(document.sha256)</p>
            </body></html>

            """
        return (text, html)
    }

    /// `body` with every placeholder replaced by `url` (ASCII without `=`: quoted-printable and HTML
    /// parts stay valid, and the lines stay short).
    public static func withLink(_ body: [UInt8], url: String) -> [UInt8] {
        let placeholder = Array(Self.linkPlaceholder.utf8)
        let replacement = Array(url.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(body.count + 256)
        var index = 0
        while index < body.count {
            if body[index] == placeholder[0], body.count - index >= placeholder.count,
                body[index..<index + placeholder.count].elementsEqual(placeholder)
            {
                output += replacement
                index += placeholder.count
            } else {
                output.append(body[index])
                index += 1
            }
        }
        return output
    }
}
