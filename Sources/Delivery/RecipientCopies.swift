//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import MailMessage
public import Spool

/// Builds the message a recipient with a token of its own gets (a certified copy), in place of the
/// queued original: the runner sends it in a transaction of its own, with its own return path.
///
/// Called on the delivery's file thread pool (it reads the original and hashes the copy), never on
/// the cooperative pool.
public protocol RecipientCopies: Sendable {
    /// The copy of `original` (the stored message as submitted, without the Received field Fefaent
    /// put in front) for `recipient`.
    func copy(for recipient: DueRecipient, of message: QueuedMessage, original: StoredOriginal) throws -> RecipientCopy
}

/// The stored original, read a range at a time (blocking: on a thread pool).
public struct StoredOriginal {
    /// Its octets.
    public var size: Int
    /// The octets in a range of `0..<size`.
    public var read: (Range<Int>) throws -> [UInt8]

    public init(size: Int, read: @escaping (Range<Int>) throws -> [UInt8]) {
        self.size = size
        self.read = read
    }
}

/// One recipient's own message and return path.
public struct RecipientCopy: Sendable {
    /// What is sent: bytes built in memory, or a plan over the original and a header field to put
    /// before it (streamed from the spool as it is sent).
    public enum Content: Sendable {
        case bytes([UInt8])
        case planned(prefix: [UInt8], plan: RewritePlan)
    }

    /// The MAIL FROM address, e.g. `bounces+TOKEN@certifier.example`.
    public var returnPath: String
    public var content: Content

    public init(returnPath: String, content: Content) {
        self.returnPath = returnPath
        self.content = content
    }

    /// The octets sent in `range`, reading the original's through `original` where the copy has them.
    public func bytes(in range: Range<Int>, original: (Range<Int>) throws -> [UInt8]) throws -> [UInt8] {
        switch self.content {
        case .bytes(let bytes):
            return Array(bytes[range.clamped(to: 0..<bytes.count)])
        case .planned(let prefix, let plan):
            let inPrefix = range.clamped(to: 0..<prefix.count)
            let planStart = max(range.lowerBound, prefix.count) - prefix.count
            let planEnd = max(range.upperBound, prefix.count) - prefix.count
            let inPlan = planStart..<planEnd
            return Array(prefix[inPrefix]) + (try plan.bytes(in: inPlan, source: original))
        }
    }

    /// The octets sent.
    public var size: Int {
        switch self.content {
        case .bytes(let bytes): return bytes.count
        case .planned(let prefix, let plan): return prefix.count + plan.size
        }
    }
}
