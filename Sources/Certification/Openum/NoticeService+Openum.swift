//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import Spool

extension NoticeService {
    /// Expires the Openum links whose time is up (each with its ContentHandoverFailure record) and
    /// reminds the recipients whose reminder is due; returns how many of each.
    @discardableResult
    public func sweepOpenum(now: Date = Date()) async throws -> (expired: Int, reminded: Int) {
        let database = self.spool.database
        let expired = try database.expireOpenumLinks(now: now)
        var reminded = 0
        for link in try database.dueOpenumReminders(now: now) {
            // Marked first: a crash between the two loses a reminder rather than sending it twice.
            try database.markOpenumReminded(token: link.token, now: now)
            try await self.remind(link, now: now)
            reminded += 1
        }
        return (expired, reminded)
    }

    /// A reminder to an Openum recipient who has not opened the document: the same link again.
    func remind(_ link: OpenumLink, now: Date) async throws {
        let text = NoticeText(language: link.language)
        let facts = try self.spool.database.copyFacts(ofMessage: link.queueID)
        let notice = Notice(
            kind: .openumReminder,
            language: link.language,
            to: link.recipient,
            toName: nil,
            originalSubject: link.subject ?? link.document.name,
            lines: [
                (text.label(.from), link.senderName.map { "\($0) <\(link.senderAddress)>" } ?? link.senderAddress),
                (text.label(.document), "\(link.document.name) (SHA-256 \(link.document.sha256))"),
                (text.label(.link), self.settings.documentURL(token: link.token)),
                (text.label(.expires), ISO8601DateFormatter().string(from: link.document.expiresAt))
            ],
            evidenceID: facts?.evidenceID ?? "",
            queueID: link.queueID,
            invoice: false,
            pdf: nil
        )
        let submittedAt = try self.spool.database.message(id: link.queueID)?.receivedAt ?? now
        try await self.enqueue((notice, [link.recipient], submittedAt), about: nil, now: now)
    }
}
