//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A mail described by its parts (what an API caller sends), before it is written as RFC 5322 and MIME
/// by ``MessageComposer``.
public struct MessageDraft: Sendable {
    /// A file to attach.
    public struct Attachment: Sendable {
        public var filename: String
        /// A media type such as `application/pdf`; `application/octet-stream` when unknown.
        public var contentType: String
        public var content: [UInt8]

        public init(filename: String, contentType: String, content: [UInt8]) {
            self.filename = filename
            self.contentType = contentType
            self.content = content
        }
    }

    public var from: Address
    public var to: [Address]
    public var cc: [Address]
    public var replyTo: Address?
    public var subject: String
    public var text: String?
    public var html: String?
    public var attachments: [Attachment]
    /// Without angle brackets: `id@domain`.
    public var messageID: String
    /// The `Date:` field's value, already in RFC 5322 form.
    public var date: String
    /// Extra header fields, already valid (`X-Fefaent-Submitted-By: api`).
    public var extraFields: [(name: String, value: String)]

    public init(
        from: Address,
        to: [Address],
        cc: [Address] = [],
        replyTo: Address? = nil,
        subject: String,
        text: String?,
        html: String?,
        attachments: [Attachment] = [],
        messageID: String,
        date: String,
        extraFields: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.messageID = messageID
        self.date = date
        self.extraFields = extraFields
    }
}
