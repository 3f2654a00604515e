//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Writes a ``MessageDraft`` as an RFC 5322 message with MIME parts, CRLF line endings, 7-bit clean:
///
/// - text only, or HTML only: one part; both: `multipart/alternative` (text first, as RFC 2046 §5.1.4
///   orders them);
/// - with attachments: `multipart/mixed`, the body first, then each file in base64 with its name in
///   `filename` (ASCII) or `filename*` (RFC 2231, UTF-8).
///
/// The output goes to `write` piece by piece (an attachment in pieces of about 57 KB), so a large
/// attachment is never encoded whole in a second buffer.
public enum MessageComposer {
    /// `boundarySeed` makes the boundaries unique (a random token); it must not occur in the content,
    /// which base64 and quoted-printable bodies guarantee for a seed with `=_`.
    public static func compose(
        _ draft: MessageDraft,
        boundarySeed: String,
        write: ([UInt8]) throws -> Void
    ) rethrows {
        let crlf: [UInt8] = [0x0D, 0x0A]
        var fields: [(name: String, value: String)] = [
            ("From", EncodedWordEncoder.mailbox(draft.from)),
            ("To", draft.to.map { EncodedWordEncoder.mailbox($0) }.joined(separator: ", "))
        ]
        if !draft.cc.isEmpty {
            fields.append(("Cc", draft.cc.map { EncodedWordEncoder.mailbox($0) }.joined(separator: ", ")))
        }
        if let replyTo = draft.replyTo { fields.append(("Reply-To", EncodedWordEncoder.mailbox(replyTo))) }
        fields += [
            ("Subject", EncodedWordEncoder.encode(draft.subject)),
            ("Date", draft.date),
            ("Message-ID", "<\(draft.messageID)>"),
            ("MIME-Version", "1.0")
        ]
        fields += draft.extraFields
        let mixed = "=_mixed_" + boundarySeed
        let alternative = "=_alternative_" + boundarySeed
        let bodyParts = Self.bodyParts(draft)
        let bodyType: String
        if bodyParts.count > 1 {
            bodyType = "multipart/alternative; boundary=\"\(alternative)\""
        } else {
            bodyType = bodyParts[0].contentType
        }
        func header(_ lines: [(name: String, value: String)]) -> [UInt8] {
            lines.flatMap { HeaderField(name: $0.name, encodedValue: $0.value).raw } + crlf
        }
        func body() -> [UInt8] {
            guard bodyParts.count > 1 else { return bodyParts[0].encoded }
            var output: [UInt8] = []
            for part in bodyParts {
                output += Array("--\(alternative)".utf8) + crlf
                output += header([
                    ("Content-Type", part.contentType), ("Content-Transfer-Encoding", "quoted-printable")
                ])
                output += part.encoded
            }
            return output + Array("--\(alternative)--".utf8) + crlf
        }
        let bodyFields: [(name: String, value: String)] =
            bodyParts.count > 1
            ? [("Content-Type", bodyType)]
            : [("Content-Type", bodyType), ("Content-Transfer-Encoding", "quoted-printable")]
        guard !draft.attachments.isEmpty else {
            try write(header(fields + bodyFields))
            try write(body())
            return
        }
        try write(header(fields + [("Content-Type", "multipart/mixed; boundary=\"\(mixed)\"")]))
        try write(Array("--\(mixed)".utf8) + crlf + header(bodyFields) + body())
        for attachment in draft.attachments {
            let type = Self.mediaType(attachment.contentType)
            try write(
                Array("--\(mixed)".utf8) + crlf
                    + header([
                        ("Content-Type", "\(type); \(Self.parameter("name", attachment.filename))"),
                        ("Content-Disposition", "attachment; \(Self.parameter("filename", attachment.filename))"),
                        ("Content-Transfer-Encoding", "base64")
                    ])
            )
            // 57 octets make one 76-character line: whole lines per piece.
            let piece = 57 * 1024
            var start = 0
            while start < attachment.content.count {
                let end = min(start + piece, attachment.content.count)
                try write(BodyEncoder.base64(Array(attachment.content[start..<end]), lineEnding: crlf))
                start = end
            }
        }
        try write(Array("--\(mixed)--".utf8) + crlf)
    }

    struct BodyPart {
        var contentType: String
        var encoded: [UInt8]
    }

    static func bodyParts(_ draft: MessageDraft) -> [BodyPart] {
        let crlf: [UInt8] = [0x0D, 0x0A]
        func encode(_ text: String) -> [UInt8] {
            var encoded = BodyEncoder.quotedPrintable(Array(text.utf8), lineEnding: crlf)
            if encoded.suffix(2) != crlf[...] { encoded += crlf }
            return encoded
        }
        var parts: [BodyPart] = []
        if let text = draft.text {
            parts.append(BodyPart(contentType: "text/plain; charset=utf-8", encoded: encode(text)))
        }
        if let html = draft.html {
            parts.append(BodyPart(contentType: "text/html; charset=utf-8", encoded: encode(html)))
        }
        if parts.isEmpty { parts.append(BodyPart(contentType: "text/plain; charset=utf-8", encoded: crlf)) }
        return parts
    }

    /// A media type as given when it is `type/subtype` of token characters, else `application/octet-stream`.
    public static func mediaType(_ given: String) -> String {
        let parts = given.split(separator: "/", omittingEmptySubsequences: false)
        let token: (Substring) -> Bool = { part in
            !part.isEmpty && part.count <= 127
                && part.unicodeScalars.allSatisfy {
                    $0.isASCII && $0.value > 0x20 && !"()<>@,;:\\\"/[]?=".unicodeScalars.contains($0)
                }
        }
        guard parts.count == 2, token(parts[0]), token(parts[1]) else { return "application/octet-stream" }
        return given.lowercased()
    }

    /// `name="value"` for printable ASCII, else RFC 2231's `name*=utf-8''percent-encoded`.
    static func parameter(_ name: String, _ value: String) -> String {
        if value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) {
            var quoted = ""
            for character in value {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return "\(name)=\"\(quoted)\""
        }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8)
        var encoded = ""
        for byte in value.utf8 {
            if unreserved.contains(byte) {
                encoded.append(Character(Unicode.Scalar(byte)))
            } else {
                encoded += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return "\(name)*=utf-8''\(encoded)"
    }
}
