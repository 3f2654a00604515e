//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import MailMessage
import Spool

/// The invoice files of a certified invoice: attached PDFs, Facturae and UBL XML documents.
enum InvoiceFiles {
    static func find(in message: ParsedMessage, content: [UInt8]) -> [CertifiedSubmission.InvoiceFile] {
        message.leaves.filter(\.isAttachment).compactMap { part in
            guard let format = self.format(of: part, content: content) else { return nil }
            return CertifiedSubmission.InvoiceFile(
                name: part.fileName ?? "(unnamed)",
                contentType: part.mimeType,
                format: format,
                sha256: part.sha256Hex
            )
        }
    }

    /// `pdf`, `facturae`, `ubl`, or `nil` for a file that is not an invoice.
    static func format(of part: MessagePart, content: [UInt8]) -> String? {
        let name = (part.fileName ?? "").lowercased()
        if part.mimeType == "application/pdf" || name.hasSuffix(".pdf") { return "pdf" }
        if name.hasSuffix(".xsig") { return "facturae" }
        guard part.mimeType.hasSuffix("xml") || name.hasSuffix(".xml") else { return nil }
        // The root element tells Facturae from UBL: read the start of the decoded document.
        let body = content[min(part.bodyStart, content.count)..<min(part.bodyEnd, content.count)].prefix(8192)
        var text: [UInt8] = []
        if part.transferEncoding == .base64 {
            var decoder = Base64StreamDecoder()
            decoder.decode(body) { text += $0 }
        } else {
            text = Array(body)
        }
        let start = String(decoding: text, as: UTF8.self)
        if start.contains("Facturae") { return "facturae" }
        if start.contains("urn:oasis:names:specification:ubl") { return "ubl" }
        return "xml"
    }
}
