//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Evidence
public import Foundation
import Logging
import Spool

extension NoticeService {
    /// The acknowledgement of receipt: to the envelope sender, in the mailbox's language, with the
    /// signed evidence PDF of the ReceivedFromNonERDS record.
    func acknowledgement(of entry: ReceptionEntry, stored: StoredRecord) async throws -> (Notice, [String], Date) {
        let record = try EvidenceRecord(json: try CanonicalJSON(parsing: stored.body))
        let text = NoticeText(language: entry.language)
        var lines: [(label: String, value: String)] = [
            (text.label(.mailbox), entry.recipient),
            (text.label(.from), entry.headerFrom ?? entry.envelopeSender),
            (text.label(.time), record.time.description)
        ]
        if let reception = record.reception {
            let dkim = reception.dkim.isEmpty ? ["dkim=none"] : reception.dkim.map { "dkim=\($0.result)" }
            lines.append(
                (
                    text.label(.authentication),
                    (["spf=\(reception.spf.result)"] + dkim + ["dmarc=\(reception.dmarc.result)"])
                        .joined(separator: ", ")
                )
            )
        }
        var pdf: (name: String, bytes: [UInt8])? = nil
        if let makePDF = self.makePDF {
            pdf = ("fefaent-\(record.queueID)-\(record.evidenceID).pdf", try await makePDF(record.queueID))
        } else {
            lines.append((text.label(.noPDF), record.evidenceID))
        }
        var notice = Notice(
            kind: .receptionAcknowledgement,
            language: entry.language,
            to: entry.envelopeSender,
            toName: nil,
            originalSubject: entry.subject ?? "",
            lines: lines,
            evidenceID: record.evidenceID,
            queueID: record.queueID,
            invoice: false,
            pdf: pdf
        )
        notice.inReplyTo = record.messageID
        return (notice, [entry.recipient], record.time.date)
    }

    /// Tells the owners of mailboxes whose account ran out of units (one mail per account a day);
    /// returns how many were told.
    @discardableResult
    public func sendOwnerAlerts(now: Date = Date()) async throws -> Int {
        let database = self.spool.database
        var told = 0
        for alert in try database.pendingOwnerAlerts() {
            if let owner = alert.ownerAddress {
                let language = try database.mailbox(named: alert.mailbox)?.language ?? .english
                let text = NoticeText(language: language)
                let notice = Notice(
                    kind: .unitsExhausted,
                    language: language,
                    to: owner,
                    toName: nil,
                    originalSubject: alert.mailbox,
                    lines: [(text.label(.mailbox), alert.mailbox), (text.label(.account), alert.account)],
                    evidenceID: "units-\(alert.account)-\(alert.day)",
                    queueID: "",
                    invoice: false,
                    pdf: nil
                )
                try await self.enqueue((notice, [alert.mailbox], now), about: nil, now: now)
                told += 1
            } else {
                self.logger.warning(
                    "account out of units and its mailbox names no owner to tell",
                    metadata: ["account": "\(alert.account)", "mailbox": "\(alert.mailbox)"]
                )
            }
            try database.markOwnerAlertSent(alert, at: now)
        }
        return told
    }
}
