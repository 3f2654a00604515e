//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import MailMessage

/// What a message says of itself, read once at ingress where the message is parsed anyway (a
/// reception's authentication, a certified mail's admission): its Message-ID, its Subject and each
/// part's name, type, decoded size and SHA-256. The acceptance record states them without the
/// evidence writer reading the message back from the spool and parsing it again.
public struct ContentFacts: Codable, Hashable, Sendable {
    /// One leaf part of the message.
    public struct Part: Codable, Hashable, Sendable {
        public var name: String?
        public var contentType: String
        public var size: Int
        public var sha256: String

        public init(name: String?, contentType: String, size: Int, sha256: String) {
            self.name = name
            self.contentType = contentType
            self.size = size
            self.sha256 = sha256
        }
    }

    public var messageID: String?
    public var subject: String?
    public var parts: [Part]

    public init(messageID: String?, subject: String?, parts: [Part]) {
        self.messageID = messageID
        self.subject = subject
        self.parts = parts
    }
}

extension ContentFacts {
    /// The facts of a message parsed at ingress (the parts' digests are of their decoded octets).
    public init(_ parsed: ParsedMessage) {
        self.init(
            messageID: parsed.messageID,
            subject: parsed.subject,
            parts: parsed.leaves.map {
                ContentFacts.Part(
                    name: $0.fileName,
                    contentType: $0.mimeType,
                    size: $0.decodedSize,
                    sha256: $0.sha256Hex
                )
            }
        )
    }
}
