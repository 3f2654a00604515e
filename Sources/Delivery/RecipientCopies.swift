//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Spool

/// Builds the message a recipient with a token of its own gets (a certified copy), in place of the
/// queued original: the runner sends it in a transaction of its own, with its own return path.
public protocol RecipientCopies: Sendable {
    /// The copy of `original` (the stored octets) for `recipient`.
    func copy(for recipient: DueRecipient, of message: QueuedMessage, original: [UInt8]) throws -> RecipientCopy
}

/// One recipient's own message and return path.
public struct RecipientCopy: Sendable {
    /// The MAIL FROM address, e.g. `bounces+TOKEN@certifier.example`.
    public var returnPath: String
    public var content: [UInt8]

    public init(returnPath: String, content: [UInt8]) {
        self.returnPath = returnPath
        self.content = content
    }
}
