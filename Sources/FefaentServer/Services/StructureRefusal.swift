//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import MailMessage
import SMTPCore

/// Why a message is refused for its shape, whatever it is addressed to: MIME nested deeper than
/// `[limits] mime_nesting_depth`, or a header block over `header_block_size`.
struct StructureRefusal: Hashable, Sendable {
    enum Reason: String, Hashable, Sendable {
        case nestingTooDeep = "mime_nesting_depth"
        case headerBlockTooLarge = "header_block_size"
    }

    var reason: Reason
    var reply: Reply

    /// `nil` when the message is within the limits it was parsed with.
    init?(_ parsed: ParsedMessage, limits: MessageParser.Options) {
        if parsed.exceedsNestingLimit {
            self.reason = .nestingTooDeep
            self.reply = Reply(
                .transactionFailed,
                EnhancedStatusCode(5, 6, 0),
                "MIME nesting deeper than \(limits.maximumNestingDepth) levels; message refused"
            )
        } else if parsed.exceedsHeaderBlockLimit {
            self.reason = .headerBlockTooLarge
            self.reply = Reply(
                .exceededStorage,
                EnhancedStatusCode(5, 3, 4),
                "a header block is larger than \(limits.maximumHeaderBlockSize) octets; message refused"
            )
        } else {
            return nil
        }
    }
}
