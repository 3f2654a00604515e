//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// What an attested event tells the account's webhooks: the event, its time and its facts, taken from
/// the same typed event the evidence record is made from, in the same transaction.
public struct WebhookNotice: Hashable, Sendable {
    /// The payload's `data`: the facts of the event (absent ones are left out).
    public struct Facts: Codable, Hashable, Sendable {
        public var messageId: String
        public var evidenceId: String
        public var recipient: String?
        public var recipients: [String]?
        public var from: String?
        public var subject: String?
        public var units: Int?
        public var reply: ReplyFacts?
        public var remoteHost: String?
        public var failureReason: String?
        public var fetcher: String?
        public var likelyPrefetch: Bool?
        public var firstFetch: Bool?
        public var clientIp: String?
        public var userAgent: String?
        public var mailboxes: [String]?
        public var envelopeSender: String?
        public var firstAccess: Bool?
        public var document: String?
        public var documentSha256: String?
    }

    public var event: WebhookEvent
    /// The account, when the event names it (an acceptance, a reception); else the certified mail's.
    public var account: String?
    public var time: Date
    public var data: Facts

    /// The notice of `event`, or `nil` when no webhook may hear of it (plain relay, notices, refusals).
    public static func of(_ event: AttestedEvent, evidenceID: String) -> WebhookNotice? {
        switch event {
        case .submissionAccepted(let accepted):
            if let certification = accepted.certification {
                var data = Facts(messageId: accepted.queueID, evidenceId: evidenceID)
                data.recipients = certification.recipients.map(\.address)
                data.from = certification.senderAddress
                data.subject = certification.subject
                data.units = certification.units
                return WebhookNotice(
                    event: .accepted,
                    account: certification.account,
                    time: accepted.receivedAt,
                    data: data
                )
            }
            if let reception = accepted.reception, let account = reception.account {
                var data = Facts(messageId: accepted.queueID, evidenceId: evidenceID)
                data.mailboxes = reception.mailboxes
                data.envelopeSender = accepted.envelopeSender
                data.from = reception.headerFrom
                data.units = reception.units
                return WebhookNotice(event: .received, account: account, time: accepted.receivedAt, data: data)
            }
            return nil
        case .relayOutcome(let outcome):
            var data = Facts(messageId: outcome.queueID, evidenceId: evidenceID)
            data.recipient = outcome.recipient
            data.reply = outcome.reply
            data.remoteHost = outcome.remoteHost
            data.failureReason = outcome.failureReason?.rawValue
            return WebhookNotice(
                event: outcome.result == .delivered ? .delivered : .failed,
                account: nil,
                time: outcome.finishedAt,
                data: data
            )
        case .trackingFetched(let fetched):
            var data = Facts(messageId: fetched.queueID, evidenceId: evidenceID)
            data.recipient = fetched.recipient
            data.fetcher = fetched.fetcher.rawValue
            data.likelyPrefetch = fetched.likelyPrefetch
            data.firstFetch = fetched.firstFetch
            data.clientIp = fetched.clientIP
            data.userAgent = fetched.userAgent
            return WebhookNotice(event: .fetched, account: nil, time: fetched.fetchedAt, data: data)
        case .documentAccess(let access) where access.outcome == .handover:
            var data = Facts(messageId: access.queueID, evidenceId: evidenceID)
            data.recipient = access.recipient
            data.clientIp = access.clientIP
            data.userAgent = access.userAgent
            data.firstAccess = access.firstAccess
            data.document = access.documentName
            data.documentSha256 = access.documentSHA256
            return WebhookNotice(event: .openedDocument, account: nil, time: access.at, data: data)
        case .noticeQueued, .submissionRejected, .documentAccess:
            return nil
        }
    }

    /// The JSON body (`type`, `timestamp`, `data`), as Standard Webhooks shapes it.
    public var payload: [UInt8] {
        Self.payload(type: self.event.type, time: self.time, data: self.data)
    }

    static func payload<Facts: Encodable>(type: String, time: Date, data: Facts) -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // Every member is a string, number, Bool or a struct of those: encoding cannot fail.
        return Array(
            try! Self.encoder.encode(WebhookBody(type: type, timestamp: formatter.string(from: time), data: data))
        )
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()
}

extension WebhookNotice.Facts {
    init(messageId: String, evidenceId: String) {
        self.messageId = messageId
        self.evidenceId = evidenceId
    }
}

/// The JSON body of every webhook event.
private struct WebhookBody<Facts: Encodable>: Encodable {
    var type: String
    var timestamp: String
    var data: Facts
}
