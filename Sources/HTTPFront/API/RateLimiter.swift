//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import SMTPNIO
import Synchronization

/// ``TokenBuckets`` behind a lock, on the monotonic clock.
final class RateLimiter: Sendable {
    private let buckets: Mutex<TokenBuckets>
    private let start = ContinuousClock.now

    init(ratePerSecond: Double, burst: Int) {
        self.buckets = Mutex(TokenBuckets(ratePerSecond: ratePerSecond, burst: burst))
    }

    func take(_ key: String) -> TokenBuckets.Decision {
        let elapsed = ContinuousClock.now - self.start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return self.buckets.withLock { $0.take(key, now: seconds) }
    }
}
