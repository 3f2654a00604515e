//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension Mailbox {
    /// Parses a stored address (`local@domain`, the local part quoted when needed).
    public init?(parsing address: String) {
        var buffer = ParseBuffer(address.utf8)
        guard let mailbox = try? GrammarParser.parseMailbox(buffer: &buffer), buffer.isAtEnd else { return nil }
        self = mailbox
    }
}

extension ReversePath {
    /// A stored sender: empty for `<>`.
    public init?(stored address: String) {
        if address.isEmpty {
            self = .null
            return
        }
        guard let mailbox = Mailbox(parsing: address) else { return nil }
        self = .mailbox(mailbox)
    }
}

extension ForwardPath {
    /// A stored recipient: `postmaster` for the bare form.
    public init?(stored address: String) {
        if address.lowercased() == "postmaster" {
            self = .postmaster
            return
        }
        guard let mailbox = Mailbox(parsing: address) else { return nil }
        self = .mailbox(mailbox)
    }
}

extension RcptParameters {
    /// Rebuilds the DSN request from its stored form (`SUCCESS,FAILURE` or `NEVER`; `rfc822;addr`).
    public init(storedNotify notify: String?, storedOriginalRecipient orcpt: String?) {
        self.init()
        if let notify {
            self.notify = try? GrammarParser.parseNotify(notify)
        }
        if let orcpt, let separator = orcpt.firstIndex(of: ";") {
            self.originalRecipient = OriginalRecipient(
                addressType: String(orcpt[..<separator]),
                address: String(orcpt[orcpt.index(after: separator)...])
            )
        }
    }
}
