//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import GRDB

/// What an account's webhook can be told.
public enum WebhookEvent: String, CaseIterable, Codable, Hashable, Sendable {
    /// A certified mail was accepted (SMTP or API).
    case accepted
    /// A certified copy was delivered to a recipient's server.
    case delivered
    /// A certified copy will not be delivered (refused, expired, bounced after delivery).
    case failed
    /// A certified copy's tracking pixel was fetched (opened, or a scanner: the payload says which).
    case fetched
    /// A reception mailbox of the account received a mail.
    case received
    /// An Openum document was opened by its recipient.
    case openedDocument = "opened-document"
    /// Sent by `fefaent webhook test` only.
    case test

    /// The `type` of the payload, as Standard Webhooks names events.
    public var type: String {
        switch self {
        case .accepted: "message.accepted"
        case .delivered: "message.delivered"
        case .failed: "message.failed"
        case .fetched: "message.fetched"
        case .received: "reception.received"
        case .openedDocument: "document.opened"
        case .test: "webhook.test"
        }
    }
}

/// An account's webhook: where events go and the secret their signatures use.
public struct Webhook: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "webhook"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var account: String
    public var url: String
    /// `whsec_` and the base64 of the HMAC key (Standard Webhooks' form).
    public var secret: String
    /// The events chosen, comma-separated raw values.
    public var events: String
    public var createdAt: Date
    public var disabledAt: Date?

    public var eventList: [WebhookEvent] {
        self.events.split(separator: ",").compactMap { WebhookEvent(rawValue: String($0)) }
    }

    public func wants(_ event: WebhookEvent) -> Bool {
        event == .test || self.eventList.contains(event)
    }

    /// A new secret: 32 random octets.
    public static func makeSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Data(key).base64EncodedString()
    }

    /// The HMAC key a secret stands for; `nil` when it is not `whsec_` and base64.
    public static func key(ofSecret secret: String) -> [UInt8]? {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))), !key.isEmpty
        else { return nil }
        return Array(key)
    }
}

/// One event for one webhook, kept until it is delivered or given up.
public struct WebhookDelivery: Hashable, Sendable {
    public enum State: String, Hashable, Sendable {
        case pending
        case delivered
        case failed
    }

    public var id: Int64
    public var webhookID: Int64
    /// `msg_…`: the `webhook-id` header, the same on every attempt (receivers deduplicate by it).
    public var eventID: String
    public var eventType: String
    public var payload: [UInt8]
    public var createdAt: Date
    public var nextAttemptAt: Date?
    public var attempts: Int
    public var state: State
    public var deliveredAt: Date?
}

/// One attempt to deliver a webhook event: the receiver's status, or why there was none.
public struct WebhookAttempt: Hashable, Sendable {
    public var deliveryID: Int64
    public var at: Date
    public var status: Int?
    public var error: String?
    public var durationMilliseconds: Int

    public init(deliveryID: Int64, at: Date, status: Int?, error: String?, durationMilliseconds: Int) {
        self.deliveryID = deliveryID
        self.at = at
        self.status = status
        self.error = error
        self.durationMilliseconds = durationMilliseconds
    }

    /// A 2xx answer: delivered.
    public var succeeded: Bool { self.status.map { (200...299).contains($0) } ?? false }
}
