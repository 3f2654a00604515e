//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// One MIME entity of a parsed message: the message itself, a multipart container, an embedded
/// `message/rfc822`, or a leaf (a body or an attachment).
///
/// Offsets are into the bytes the parser was given, so a rewriter can copy everything it does not change.
public struct MessagePart: Hashable, Sendable {
    /// Position in document order; the message itself is 0.
    public var index: Int
    /// The enclosing entity, `nil` for the message itself.
    public var parent: Int?
    /// How many containers enclose it: 0 for the message itself.
    public var depth: Int
    public var headers: [HeaderField]
    /// The effective content type, defaulted as RFC 2045/2046 say when it is missing or invalid.
    public var contentType: MIMEHeaderValue
    public var transferEncoding: TransferEncoding
    /// Whether the part holds other parts (a multipart whose boundary was found, or `message/rfc822`).
    public var isContainer: Bool
    /// Where the header block starts, where the body starts, and where it ends (before the line break
    /// that belongs to the next boundary).
    public var headerStart: Int
    public var bodyStart: Int
    public var bodyEnd: Int
    /// Size and SHA-256 of the decoded body (leaves only; zero and empty for containers).
    public var decodedSize: Int
    public var sha256: [UInt8]
    /// The decoded body of a text leaf, up to the parser's capture limit.
    public var capturedText: [UInt8]

    /// The first field named `name`, decoded.
    public func header(_ name: String) -> String? {
        self.headers.first { $0.hasName(name) }?.value
    }

    /// The first field named `name`, unfolded, not decoded.
    public func rawHeader(_ name: String) -> [UInt8]? {
        self.headers.first { $0.hasName(name) }?.unfoldedValue
    }

    /// `text/plain` and so on.
    public var mimeType: String { self.contentType.value }

    /// The charset parameter, lowercased, if any.
    public var charset: String? { self.contentType.parameters["charset"]?.lowercased() }

    /// The parsed `Content-Disposition`, if any.
    public var disposition: MIMEHeaderValue? {
        self.rawHeader("Content-Disposition").map(MIMEHeaderValue.init(parsing:))
    }

    /// The file name from `Content-Disposition: …; filename=` or, failing that, `Content-Type: …; name=`.
    public var fileName: String? {
        if let name = self.disposition?.parameters["filename"], !name.isEmpty {
            return name
        }
        if let name = self.contentType.parameters["name"], !name.isEmpty {
            return name
        }
        return nil
    }

    /// Whether the part is an attachment rather than a body to show: it is named or marked `attachment`.
    public var isAttachment: Bool {
        self.disposition?.value == "attachment" || self.fileName != nil
    }

    /// The SHA-256 as lowercase hex.
    public var sha256Hex: String { Hex.encode(self.sha256) }
}
