//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Evidence
import MailMessage
import Spool

/// What evidence records say of a message: its digest and size, Message-ID, subject, and every part
/// (name, type, decoded size, SHA-256), read from the immutable spool file.
struct MessageFacts: Sendable {
    var sha256: String
    var size: Int
    var sender: String = ""
    var messageID: String? = nil
    var subject: String? = nil
    var attachments: [EvidenceRecord.Attachment] = []

    /// Reads the stored message; `sha256` is what the file holds now (the caller compares it with the
    /// digest taken at reception).
    static func read(_ message: QueuedMessage, spool: Spool, sender: String) throws -> MessageFacts {
        let content = try spool.contents(of: message)
        let body = content[message.headerLength...]
        let digest = Hex.encode(SHA256.hash(data: body))
        let parsed = MessageParser.parse(body)
        return MessageFacts(
            sha256: digest,
            size: body.count,
            sender: sender,
            messageID: parsed.messageID,
            subject: parsed.subject,
            attachments: parsed.leaves.map {
                EvidenceRecord.Attachment(
                    name: $0.fileName,
                    contentType: $0.mimeType,
                    size: Int64($0.decodedSize),
                    sha256: $0.sha256Hex
                )
            }
        )
    }
}

extension MessageFacts {
    /// The facts a record states.
    init(_ record: EvidenceRecord) {
        self.init(
            sha256: record.messageSHA256,
            size: Int(record.messageSize),
            sender: record.sender,
            messageID: record.messageID,
            subject: record.subject,
            attachments: record.attachments
        )
    }
}
