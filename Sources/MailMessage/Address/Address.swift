//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A mailbox from an address header: its normalised address and display name.
///
///     From: "Joe Q. Public" <john.q.public@Example.COM>   ->   john.q.public@example.com, "Joe Q. Public"
///
/// The domain is lowercased; a quoted local part keeps its quotes only when it needs them.
///
/// - SeeAlso: [RFC 5322 §3.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.4)
public struct Address: Hashable, Sendable, CustomStringConvertible {
    /// The display name, decoded (RFC 2047), or `nil`.
    public var displayName: String?
    /// `local@domain`, normalised; a bare local part when the header gave no domain.
    public var address: String
    /// The group the mailbox was listed in, if any.
    public var group: String?

    public init(displayName: String?, address: String, group: String? = nil) {
        self.displayName = displayName
        self.address = address
        self.group = group
    }

    /// The local part (before the last `@`).
    public var localPart: Substring {
        self.address.lastIndex(of: "@").map { self.address[..<$0] } ?? self.address[...]
    }

    /// The domain (after the last `@`), empty if there is none.
    public var domain: Substring {
        self.address.lastIndex(of: "@").map { self.address[self.address.index(after: $0)...] } ?? ""
    }

    public var description: String {
        guard let displayName, !displayName.isEmpty else { return self.address }
        return "\(displayName) <\(self.address)>"
    }
}
