//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A message read by ``MessageParser``: every entity in document order, and what was wrong with it.
public struct ParsedMessage: Hashable, Sendable {
    /// All entities; `parts[0]` is the message itself.
    public var parts: [MessagePart]
    /// Deviations from the RFCs that the parser worked around.
    public var defects: [MessageDefect]
    /// Total bytes read.
    public var size: Int

    /// The top-level header fields.
    public var headers: [HeaderField] { self.parts[0].headers }

    /// Whether this looks like mail at all: it starts with at least one header field.
    public var isMail: Bool { !self.parts[0].headers.isEmpty }

    /// How deep its entities nest: 0 for a message that is one part, 1 for a multipart of leaves…
    /// (counted up to the parser's limit, beyond which containers are read as leaves).
    public var nestingDepth: Int { self.parts.map(\.depth).max() ?? 0 }

    /// Whether a container nested deeper than the parser's limit was read as one opaque part.
    public var exceedsNestingLimit: Bool { self.defects.contains { $0.kind == .nestingTooDeep } }

    /// Whether a header block was larger than the parser's limit (the rest of its fields skipped).
    public var exceedsHeaderBlockLimit: Bool { self.defects.contains { $0.kind == .headerBlockTooLarge } }

    /// The parts that carry content (not containers), in document order.
    public var leaves: [MessagePart] { self.parts.filter { !$0.isContainer } }

    public var subject: String? { self.parts[0].header("Subject") }
    public var messageID: String? {
        self.parts[0].rawHeader("Message-ID").map { lenientString($0) }
    }

    /// Addresses of every `From` field (real mail sometimes has two).
    public var from: [Address] { self.addresses(in: "From") }
    public var to: [Address] { self.addresses(in: "To") }
    public var cc: [Address] { self.addresses(in: "Cc") }
    public var replyTo: [Address] { self.addresses(in: "Reply-To") }

    /// The addresses of every top-level field named `name`.
    public func addresses(in name: String) -> [Address] {
        self.headers.filter { $0.hasName(name) }.flatMap { AddressListParser.parse($0.unfoldedValue) }
    }
}

/// Something the parser found wrong and worked around.
public struct MessageDefect: Hashable, Sendable, CustomStringConvertible {
    /// The entity it concerns.
    public var partIndex: Int
    public var kind: Kind

    /// The kinds of defect.
    public enum Kind: String, Hashable, Sendable {
        case missingHeaderBodySeparator = "missing blank line after the header"
        case startBoundaryNotFound = "multipart without its boundary; taken as one part"
        case closeBoundaryNotFound = "multipart without its closing boundary"
        case multipartWithoutBoundary = "multipart without a boundary parameter"
        case headerBlockTooLarge = "header block over the limit; the rest was skipped"
        case nestingTooDeep = "nesting deeper than the limit; the innermost container taken as one part"
        case bareLineFeed = "lines end in LF, not CRLF"
    }

    public var description: String { "part \(self.partIndex): \(self.kind.rawValue)" }
}
