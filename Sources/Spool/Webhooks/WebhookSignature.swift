//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
public import Foundation

/// The headers that sign a webhook event as the Standard Webhooks specification says: HMAC-SHA256
/// with the secret's key over `id.timestamp.body`, sent as `webhook-signature: v1,<base64>` with
/// `webhook-id` and `webhook-timestamp` (Unix seconds), so a receiver can check the sender and
/// refuse replays.
public enum WebhookSignature {
    /// `webhook-id`, `webhook-timestamp` and `webhook-signature`, in that order.
    public static func headers(id: String, timestamp: Int64, body: [UInt8], key: [UInt8]) -> [(String, String)] {
        [
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", "v1," + Self.signature(id: id, timestamp: timestamp, body: body, key: key))
        ]
    }

    public static func signature(id: String, timestamp: Int64, body: [UInt8], key: [UInt8]) -> String {
        let content = Array("\(id).\(timestamp).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
        return Data(mac).base64EncodedString()
    }
}

/// When a failed webhook event is tried again, and when it is given up.
public struct WebhookRetrySchedule: Hashable, Sendable {
    /// The wait after the first, second… failed attempt.
    public var delays: [TimeInterval]
    /// No attempt is made this long after the event.
    public var lifetime: TimeInterval

    public init(delays: [TimeInterval], lifetime: TimeInterval) {
        self.delays = delays
        self.lifetime = lifetime
    }

    /// Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; given up after a day.
    public static let standard = WebhookRetrySchedule(
        delays: [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000],
        lifetime: 86_400
    )

    /// After `attempts` failed attempts of an event made at `created`: the next time, or `nil` to give up.
    public func next(after attempts: Int, created: Date, now: Date) -> Date? {
        guard attempts >= 1, attempts <= self.delays.count else { return nil }
        let next = now.addingTimeInterval(self.delays[attempts - 1])
        return next.timeIntervalSince(created) <= self.lifetime ? next : nil
    }
}
