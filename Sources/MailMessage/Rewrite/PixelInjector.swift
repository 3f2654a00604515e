//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Plans the certified copy's rewrite: header edits and a tracking pixel in the HTML.
///
/// - Every `text/html` body (not attachments, not inside an attached message) gets `pixelHTML` just
///   before its last `</body>`, or at its end. 7bit/8bit bodies are spliced; quoted-printable bodies get
///   the pixel between soft line breaks (so the decoded HTML changes by the pixel only); base64 bodies
///   are decoded, spliced and re-encoded.
/// - A message without HTML has its main `text/plain` part wrapped in `multipart/alternative`: the
///   plain part byte for byte, then a generated UTF-8 HTML part with the text and the pixel.
/// - Everything else is copied byte for byte; new lines use the message's own line ending.
public struct PixelInjector: Sendable {
    /// The element to insert, e.g. `<img src="https://…" width="1" height="1" alt="">`.
    public var pixelHTML: String

    public init(pixelHTML: String) {
        self.pixelHTML = pixelHTML
    }

    /// An `<img>` element for a one-pixel image at `url` (attribute-escaped).
    public static func imageElement(url: String) -> String {
        let escaped = url.replacingHTMLSpecials()
        return #"<img src="\#(escaped)" width="1" height="1" alt="" style="border:0;width:1px;height:1px">"#
    }

    /// The plan for `message`. `readBody` returns the original bytes of a range (only HTML and plain
    /// bodies that must be re-encoded or copied into a new part are read).
    public func plan(
        for message: ParsedMessage,
        headerEdits: [HeaderEdit] = [],
        readBody: (Range<Int>) throws -> [UInt8]
    ) rethrows -> RewritePlan {
        let lineEnding: [UInt8] = message.defects.contains { $0.kind == .bareLineFeed } ? [0x0A] : [0x0D, 0x0A]
        var plan = RewritePlan()
        let top = message.parts[0]
        let htmlParts = message.parts.filter { self.isMainBody($0, in: message, type: "text/html") }
        let plainToWrap =
            htmlParts.isEmpty ? message.parts.first { self.isMainBody($0, in: message, type: "text/plain") } : nil

        // The top-level header block: the MIME fields of the wrapping first, then the caller's edits.
        var edits: [HeaderEdit] = []
        if let plainToWrap, plainToWrap.index == 0 {
            edits.append(.remove(name: "Content-Transfer-Encoding"))
            if top.header("MIME-Version") == nil {
                edits.append(.set(name: "MIME-Version", value: "1.0"))
            }
            edits.append(
                .set(name: "Content-Type", value: #"multipart/alternative; boundary="\#(Self.boundary(for: top))""#)
            )
        }
        edits += headerEdits
        let fields = HeaderEdit.apply(edits, to: top.headers, lineEnding: lineEnding)
        for field in fields { plan.insert(field.raw) }
        // The blank line that ends the header, when the original has one: a header ended by a line
        // that is no field (the fuzzer found a boundary there) must stay so, or the body would parse
        // differently. A plain body wrapped at the top gets it always (the parts follow).
        let before = try readBody(max(0, top.bodyStart - 4)..<top.bodyStart)
        let blankLine =
            before.count < 2 || before.suffix(2) == [0x0A, 0x0A] || before.suffix(3) == [0x0A, 0x0D, 0x0A]
        if blankLine || plainToWrap?.index == 0 {
            plan.insert(lineEnding)
        }
        var cursor = top.bodyStart

        for part in htmlParts {
            plan.copy(cursor..<part.bodyStart)
            try self.injectIntoHTML(part, plan: &plan, lineEnding: lineEnding, readBody: readBody)
            cursor = part.bodyEnd
        }
        if let plain = plainToWrap {
            let boundary = Self.boundary(for: plain)
            let html = try self.generatedHTML(for: plain, readBody: readBody)
            var htmlPart = Array("Content-Type: text/html; charset=utf-8".utf8) + lineEnding
            htmlPart += Array("Content-Transfer-Encoding: quoted-printable".utf8) + lineEnding + lineEnding
            htmlPart += BodyEncoder.quotedPrintable(html, lineEnding: lineEnding)
            let open = Array("--\(boundary)".utf8)
            if plain.index == 0 {
                plan.insert(open + lineEnding)
                for field in top.headers where Self.isContentField(field) { plan.insert(field.raw) }
                plan.insert(lineEnding)
                plan.copy(plain.bodyStart..<plain.bodyEnd)
            } else {
                plan.copy(cursor..<plain.headerStart)
                plan.insert(Array(#"Content-Type: multipart/alternative; boundary="\#(boundary)""#.utf8) + lineEnding)
                plan.insert(lineEnding + open + lineEnding)
                plan.copy(plain.headerStart..<plain.bodyEnd)
            }
            plan.insert(lineEnding + open + lineEnding + htmlPart)
            plan.insert(Array("--\(boundary)--".utf8) + lineEnding)
            cursor = plain.bodyEnd
            plan.pixelsInserted += 1
            if plain.index != 0 {
                // The line ending before the enclosing boundary was already written after the close.
                let skip = min(lineEnding.count, message.size - cursor)
                if skip > 0, try readBody(cursor..<(cursor + skip)) == lineEnding {
                    cursor += skip
                }
            }
        }
        plan.copy(cursor..<message.size)
        return plan
    }

    private func isMainBody(_ part: MessagePart, in message: ParsedMessage, type: String) -> Bool {
        guard !part.isContainer, part.mimeType == type, !part.isAttachment, part.transferEncoding != .uuencode else {
            return false  // an HTML body in uuencode: nothing a pixel can be written into
        }
        if let charset = part.charset, charset.hasPrefix("utf-16") || charset.hasPrefix("utf-32") {
            return false  // an ASCII pixel would corrupt it
        }
        // Not inside an attached message.
        var ancestor = part.parent
        while let current = ancestor {
            if message.parts[current].mimeType.hasPrefix("message/") { return false }
            ancestor = message.parts[current].parent
        }
        return true
    }

    private static func isContentField(_ field: HeaderField) -> Bool {
        field.name.lowercased().hasPrefix("content-")
    }

    /// A boundary that cannot occur in base64 or quoted-printable text (`=_` is invalid in both).
    static func boundary(for part: MessagePart) -> String {
        let seed = part.sha256.isEmpty ? "0" : part.sha256Hex
        return "=_fefaent_\(seed.prefix(24))_\(part.index)"
    }
}
