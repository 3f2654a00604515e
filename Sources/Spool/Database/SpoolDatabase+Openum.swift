//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import GRDB

/// One Openum recipient's link, with the document and its sender, as the landing page shows it.
public struct OpenumLink: Hashable, Sendable {
    public var token: String
    public var queueID: String
    public var recipient: String
    public var document: OpenumDocument
    /// The document's file, relative to the spool.
    public var path: String
    public var senderAddress: String
    public var senderName: String?
    public var subject: String?
    public var language: Account.Language
    public var openedAt: Date?
    public var remindedAt: Date?
    public var expiredAt: Date?

    /// Whether the link can no longer open the document at `now`.
    public func isExpired(at now: Date) -> Bool { self.expiredAt != nil || now >= self.document.expiresAt }
}

extension SpoolDatabase {
    /// The document and one link per recipient (the copy's tracking token), in the commit's transaction.
    static func insertOpenum(
        _ document: OpenumDocument,
        certification: CertifiedSubmission,
        queueID: String,
        in db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO openum_document (message_id, name, content_type, size, sha256, path, expires_at, reminder_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                queueID, document.name, document.contentType, document.size, document.sha256,
                Self.openumPath(queueID), document.expiresAt, document.reminderAt
            ]
        )
        for recipient in certification.recipients {
            try db.execute(
                sql: "INSERT INTO openum_link (token, message_id, recipient) VALUES (?, ?, ?)",
                arguments: [recipient.token, queueID, recipient.address]
            )
        }
    }

    /// Where a submission's document is kept, relative to the spool.
    public static func openumPath(_ queueID: String) -> String { "openum/\(queueID)" }

    public func openumLink(token: String) throws -> OpenumLink? {
        try self.writer.read { db in try Self.openumLink(token: token, in: db) }
    }

    /// Every link of a document (for the API and the tests).
    public func openumLinks(message queueID: String) throws -> [OpenumLink] {
        try self.writer.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT token FROM openum_link WHERE message_id = ? ORDER BY rowid",
                arguments: [queueID]
            )
            .compactMap { try Self.openumLink(token: $0, in: db) }
        }
    }

    static func openumLink(token: String, in db: Database) throws -> OpenumLink? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT l.*, d.name, d.content_type, d.size, d.sha256, d.path, d.expires_at, d.reminder_at,
                    c.sender_address, c.sender_name, c.subject, c.language
                FROM openum_link l JOIN openum_document d ON d.message_id = l.message_id
                    JOIN certified_message c ON c.message_id = l.message_id
                WHERE l.token = ?
                """,
            arguments: [token]
        ).map { row in
            OpenumLink(
                token: row["token"],
                queueID: row["message_id"],
                recipient: row["recipient"],
                document: OpenumDocument(
                    name: row["name"],
                    contentType: row["content_type"],
                    size: row["size"],
                    sha256: row["sha256"],
                    expiresAt: row["expires_at"],
                    reminderAt: row["reminder_at"]
                ),
                path: row["path"],
                senderAddress: row["sender_address"],
                senderName: row["sender_name"],
                subject: row["subject"],
                language: Account.Language(rawValue: row["language"]) ?? .english,
                openedAt: row["opened_at"],
                remindedAt: row["reminded_at"],
                expiredAt: row["expired_at"]
            )
        }
    }

    /// Records a use of a link, in one transaction with its event: a handover (the first one marks
    /// the link opened) when `classification` is the recipient's act on a live link; otherwise a
    /// fetch that is no access. Returns the event and its evidence id, or `nil` for an unknown token.
    public func recordDocumentAccess(
        token: String,
        classification: DocumentAccess.Classification,
        clientIP: String,
        userAgent: String,
        now: Date = Date()
    ) throws -> (event: DocumentAccess, evidenceID: String, link: OpenumLink)? {
        try self.writer.write { db in
            guard let link = try Self.openumLink(token: token, in: db) else { return nil }
            let expired = link.isExpired(at: now)
            let handover = classification == .recipient && !expired
            let event = DocumentAccess(
                queueID: link.queueID,
                recipient: link.recipient,
                outcome: handover ? .handover : .notAccess,
                classification: classification == .recipient && expired ? .expiredLink : classification,
                at: now,
                clientIP: clientIP,
                userAgent: String(userAgent.prefix(512)),
                documentSHA256: link.document.sha256,
                documentName: link.document.name,
                firstAccess: handover && link.openedAt == nil
            )
            if event.firstAccess {
                try db.execute(sql: "UPDATE openum_link SET opened_at = ? WHERE token = ?", arguments: [now, token])
            }
            let evidenceID = try Self.appendToOutbox(EncodedEvent(.documentAccess(event)), in: db)
            return (event, evidenceID, link)
        }
    }

    /// Unopened live links whose reminder is due.
    public func dueOpenumReminders(now: Date, limit: Int = 100) throws -> [OpenumLink] {
        try self.writer.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT l.token FROM openum_link l JOIN openum_document d ON d.message_id = l.message_id
                    WHERE l.opened_at IS NULL AND l.expired_at IS NULL AND l.reminded_at IS NULL
                        AND d.reminder_at <= ? AND d.expires_at > ?
                    LIMIT ?
                    """,
                arguments: [now, now, limit]
            ).compactMap { try Self.openumLink(token: $0, in: db) }
        }
    }

    public func markOpenumReminded(token: String, now: Date = Date()) throws {
        try self.writer.write { db in
            try db.execute(sql: "UPDATE openum_link SET reminded_at = ? WHERE token = ?", arguments: [now, token])
        }
    }

    /// Expires the unopened links whose time is up: each gets its ContentHandoverFailure event in the
    /// transaction that marks it. Returns how many.
    @discardableResult
    public func expireOpenumLinks(now: Date = Date(), limit: Int = 500) throws -> Int {
        try self.writer.write { db in
            let tokens = try String.fetchAll(
                db,
                sql: """
                    SELECT l.token FROM openum_link l JOIN openum_document d ON d.message_id = l.message_id
                    WHERE l.opened_at IS NULL AND l.expired_at IS NULL AND d.expires_at <= ? LIMIT ?
                    """,
                arguments: [now, limit]
            )
            for token in tokens {
                guard let link = try Self.openumLink(token: token, in: db) else { continue }
                try db.execute(sql: "UPDATE openum_link SET expired_at = ? WHERE token = ?", arguments: [now, token])
                let event = DocumentAccess(
                    queueID: link.queueID,
                    recipient: link.recipient,
                    outcome: .expired,
                    classification: .expiredLink,
                    at: now,
                    clientIP: "",
                    userAgent: "",
                    documentSHA256: link.document.sha256,
                    documentName: link.document.name,
                    firstAccess: false
                )
                try Self.appendToOutbox(EncodedEvent(.documentAccess(event)), in: db)
            }
            return tokens.count
        }
    }
}
