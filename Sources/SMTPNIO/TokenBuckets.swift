//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A token bucket per key: `burst` events at once, then `ratePerSecond` a second (API calls per key,
/// connections per client).
///
/// Pure state plus a clock reading passed in, so it is tested without sleeping. Buckets of keys
/// idle long enough to be full again are dropped, so the table stays as small as the keys in use.
public struct TokenBuckets: Sendable {
    /// What a call may do now.
    public enum Decision: Hashable, Sendable {
        case allowed
        /// Spent: the next token comes after this many seconds (at least 1, as `Retry-After` counts).
        case limited(retryAfterSeconds: Int)
    }

    public let ratePerSecond: Double
    public let burst: Double
    private var buckets: [String: (tokens: Double, at: Double)] = [:]

    public init(ratePerSecond: Double, burst: Int) {
        precondition(ratePerSecond > 0 && burst >= 1)
        self.ratePerSecond = ratePerSecond
        self.burst = Double(burst)
    }

    /// Takes one token of `key` at `now` (seconds on a monotonic clock).
    public mutating func take(_ key: String, now: Double) -> Decision {
        var bucket = self.buckets[key] ?? (self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.ratePerSecond)
        bucket.at = now
        guard bucket.tokens >= 1 else {
            self.buckets[key] = bucket
            let wait = (1 - bucket.tokens) / self.ratePerSecond
            return .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
        bucket.tokens -= 1
        self.buckets[key] = bucket
        if self.buckets.count > 10_000 { self.dropFull(now: now) }
        return .allowed
    }

    private mutating func dropFull(now: Double) {
        let refill = self.burst / self.ratePerSecond
        self.buckets = self.buckets.filter { now - $0.value.at < refill }
    }
}
