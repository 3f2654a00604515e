//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// What an evidence PDF says and carries: a title, text blocks, and files to attach.
public struct EvidenceDocument: Sendable {
    /// A block of the readable page.
    public enum Block: Sendable {
        case heading(String)
        /// A label and its value, on one line (the value wraps under itself).
        case field(String, String)
        /// Running text (the message), wrapped, in a smaller size.
        case text(String)
        case space
    }

    /// A file embedded in the PDF (`pdfdetach -list` shows it).
    public struct Attachment: Sendable {
        public var name: String
        public var mimeType: String
        public var description: String
        public var data: [UInt8]

        public init(name: String, mimeType: String, description: String, data: [UInt8]) {
            self.name = name
            self.mimeType = mimeType
            self.description = description
            self.data = data
        }
    }

    public var title: String
    public var blocks: [Block]
    public var attachments: [Attachment]

    public init(title: String, blocks: [Block], attachments: [Attachment]) {
        self.title = title
        self.blocks = blocks
        self.attachments = attachments
    }
}
