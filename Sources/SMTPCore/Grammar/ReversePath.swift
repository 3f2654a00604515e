//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The sender of a transaction: a mailbox, or the null path `<>` of bounces.
///
///     C: MAIL FROM:<>
///
/// - SeeAlso: [RFC 5321 §4.1.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.2)
public enum ReversePath: Hashable, Sendable {
    case null
    case mailbox(Mailbox)

    public var mailbox: Mailbox? {
        switch self {
        case .null: nil
        case .mailbox(let mailbox): mailbox
        }
    }

    /// The address as stored: empty for the null path.
    public var address: String { self.mailbox?.address ?? "" }
}
