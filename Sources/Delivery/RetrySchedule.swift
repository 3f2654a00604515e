//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// When to try a deferred recipient again, and when to give up.
///
/// The delay doubles from `initialDelay` up to `maximumDelay` (Postfix's
/// `minimal_backoff_time` / `maximal_backoff_time`); after `lifetime` since the message was
/// received the recipient bounces (Postfix's `maximal_queue_lifetime`, 5 days).
public struct RetrySchedule: Hashable, Sendable {
    public var initialDelay: TimeInterval
    public var maximumDelay: TimeInterval
    public var lifetime: TimeInterval

    public init(
        initialDelay: TimeInterval = 300,
        maximumDelay: TimeInterval = 3600,
        lifetime: TimeInterval = 5 * 86_400
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.lifetime = lifetime
    }

    /// The next attempt after `failedAttempts` failures, or `nil` when the message has been queued too long.
    public func nextAttempt(failedAttempts: Int, receivedAt: Date, now: Date) -> Date? {
        guard now.timeIntervalSince(receivedAt) < self.lifetime else { return nil }
        let exponent = Double(max(0, min(failedAttempts - 1, 30)))
        let delay = min(self.initialDelay * pow(2, exponent), self.maximumDelay)
        return now.addingTimeInterval(delay)
    }
}
