//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A DKIM tag list: `v=1; a=rsa-sha256; d=example.com; ...`, as used by signatures and key records.
///
/// - SeeAlso: [RFC 6376 §3.2](https://www.rfc-editor.org/rfc/rfc6376#section-3.2)
public struct DKIMTagList: Hashable, Sendable {
    /// Tags in order, names as written (they are case-sensitive), values with folding whitespace removed
    /// at both ends.
    public var tags: [(name: String, value: String)]

    public static func == (lhs: DKIMTagList, rhs: DKIMTagList) -> Bool {
        lhs.tags.elementsEqual(rhs.tags) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for tag in self.tags {
            hasher.combine(tag.name)
            hasher.combine(tag.value)
        }
    }

    /// Parses a tag list; `nil` if a tag is malformed or appears twice (§3.2: a permanent error).
    public init?(parsing text: String) {
        var tags: [(String, String)] = []
        var seen: Set<String> = []
        for piece in text.split(separator: ";", omittingEmptySubsequences: false) {
            let trimmed = piece.trimmingFWS()
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { return nil }
            let name = String(trimmed[..<equals]).trimmingFWS()
            let value = String(trimmed[trimmed.index(after: equals)...]).trimmingFWS()
            guard !name.isEmpty, !seen.contains(name) else { return nil }
            seen.insert(name)
            tags.append((name, value))
        }
        self.tags = tags
    }

    public subscript(name: String) -> String? {
        self.tags.first { $0.name == name }?.value
    }
}

extension StringProtocol {
    func trimmingFWS() -> String {
        let isFWS: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        return String(self.drop(while: isFWS).reversed().drop(while: isFWS).reversed())
    }

    /// The text with every whitespace character removed (for base64 tag values).
    func removingFWS() -> String {
        String(self.filter { !($0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n") })
    }
}
