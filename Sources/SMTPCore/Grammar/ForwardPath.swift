//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A recipient: a mailbox, or the bare `<Postmaster>` that every server must accept.
///
///     C: RCPT TO:<Postmaster>
///
/// - SeeAlso: [RFC 5321 §4.1.1.3](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.3)
public enum ForwardPath: Hashable, Sendable {
    case postmaster
    case mailbox(Mailbox)

    /// The address as stored: `postmaster` for the bare form.
    public var address: String {
        switch self {
        case .postmaster: "postmaster"
        case .mailbox(let mailbox): mailbox.address
        }
    }
}
