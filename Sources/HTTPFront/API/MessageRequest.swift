//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import FefaentAPI
import Foundation
import MailMessage
import OpenAPIRuntime
import SMTPCore

/// A request the API refuses before anything is written: the problem and what to tell the caller.
struct APIRequestProblem: Error {
    var problem: APIProblem
    var detail: String

    init(_ problem: APIProblem, _ detail: String) {
        self.problem = problem
        self.detail = detail
    }

    init(_ detail: String) {
        self.init(.invalidRequest, detail)
    }
}

/// The fields of `POST /v1/messages`, from JSON or from a form, before they are checked.
struct MessageRequest {
    var from = ""
    var fromName: String?
    var to: [String] = []
    var cc: [String] = []
    var replyTo: String?
    var subject: String?
    var text: String?
    var html: String?
    var attachments: [MessageDraft.Attachment] = []

    static let largestField = 1024 * 1024

    init(_ json: Components.Schemas.NewMessage) {
        self.from = json.from
        self.fromName = json.fromName
        self.to = json.to
        self.cc = json.cc ?? []
        self.replyTo = json.replyTo
        self.subject = json.subject
        self.text = json.text
        self.html = json.html
        self.attachments = (json.attachments ?? []).map {
            MessageDraft.Attachment(
                filename: $0.filename,
                contentType: $0.contentType ?? MediaTypes.type(ofFileNamed: $0.filename),
                content: Array($0.content.data)
            )
        }
    }

    init(
        _ form: MultipartBody<Operations.SendMessage.Input.Body.MultipartFormPayload>,
        largestAttachment: Int
    ) async throws {
        func read(_ body: HTTPBody) async throws -> String {
            do {
                return try await String(collecting: body, upTo: Self.largestField)
            } catch {
                throw APIRequestProblem(.tooLarge, "a text field may have at most \(Self.largestField) octets")
            }
        }
        func addresses(_ value: String) -> [String] {
            value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        for try await part in form {
            switch part {
            case .from(let field): self.from = try await read(field.payload.body)
            case .fromName(let field): self.fromName = try await read(field.payload.body)
            case .to(let field): self.to += addresses(try await read(field.payload.body))
            case .cc(let field): self.cc += addresses(try await read(field.payload.body))
            case .replyTo(let field): self.replyTo = try await read(field.payload.body)
            case .subject(let field): self.subject = try await read(field.payload.body)
            case .text(let field): self.text = try await read(field.payload.body)
            case .html(let field): self.html = try await read(field.payload.body)
            case .attachment(let file):
                let name = file.filename ?? "attachment-\(self.attachments.count + 1)"
                let content = try await [UInt8](collecting: file.payload.body, upTo: largestAttachment)
                self.attachments.append(
                    MessageDraft.Attachment(
                        filename: name,
                        contentType: MediaTypes.type(ofFileNamed: name),
                        content: content
                    )
                )
            case .undocumented:
                throw APIRequestProblem("a form field this API does not know (see openapi.yaml: NewMessageForm)")
            }
        }
    }

    /// The checked fields: every address parsed as SMTP would, header text without line breaks.
    func checked(
        requiringBody: Bool = true
    ) throws -> (from: Mailbox, to: [Mailbox], cc: [Mailbox], replyTo: Mailbox?, subject: String) {
        func mailbox(_ text: String, _ field: String) throws -> Mailbox {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.utf8.count <= 254, let mailbox = Mailbox(parsing: trimmed) else {
                throw APIRequestProblem("\(field): \"\(text.prefix(80))\" is not a mail address (local@domain)")
            }
            return mailbox
        }
        func headerText(_ text: String, _ field: String, limit: Int) throws -> String {
            guard text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw APIRequestProblem("\(field) may not hold line breaks or control characters")
            }
            guard text.utf8.count <= limit else { throw APIRequestProblem("\(field) is longer than \(limit) octets") }
            return text
        }
        let from = try mailbox(self.from, "from")
        guard !self.to.isEmpty else { throw APIRequestProblem("to: at least one recipient") }
        guard self.to.count + self.cc.count <= 100 else { throw APIRequestProblem("at most 100 recipients") }
        let to = try self.to.map { try mailbox($0, "to") }
        let cc = try self.cc.map { try mailbox($0, "cc") }
        let replyTo = try self.replyTo.map { try mailbox($0, "reply_to") }
        guard let subject = self.subject else { throw APIRequestProblem("subject is required") }
        _ = try self.fromName.map { try headerText($0, "from_name", limit: 200) }
        guard !requiringBody || self.text != nil || self.html != nil else {
            throw APIRequestProblem("give text, html or both")
        }
        guard self.attachments.count <= 100 else { throw APIRequestProblem("at most 100 attachments") }
        for attachment in self.attachments {
            _ = try headerText(attachment.filename, "an attachment's filename", limit: 255)
            guard !attachment.filename.isEmpty else { throw APIRequestProblem("an attachment needs a filename") }
        }
        return (from, to, cc, replyTo, try headerText(subject, "subject", limit: 998))
    }
}

/// Media types by file name extension, for form uploads (whose part types the API does not trust).
enum MediaTypes {
    static func type(ofFileNamed name: String) -> String {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return Self.byExtension[ext] ?? "application/octet-stream"
    }

    static let byExtension: [String: String] = [
        "pdf": "application/pdf", "txt": "text/plain", "csv": "text/csv", "html": "text/html", "htm": "text/html",
        "xml": "application/xml", "json": "application/json", "zip": "application/zip", "png": "image/png",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
        "doc": "application/msword", "xls": "application/vnd.ms-excel",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt": "application/vnd.oasis.opendocument.text", "p7s": "application/pkcs7-signature",
        "xsig": "application/xml", "eml": "message/rfc822"
    ]
}
