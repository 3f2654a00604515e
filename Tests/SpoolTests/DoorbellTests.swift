//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Spool
import Testing

@Suite struct DoorbellTests {
    /// Seconds `body` took.
    private func seconds(_ body: () async -> Void) async -> Double {
        let start = ContinuousClock.now
        await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test func aRingWhileNobodyWaitsIsKeptForTheNextWaitOnly() async {
        let doorbell = Doorbell()
        doorbell.ring()
        doorbell.ring()
        #expect(await self.seconds { await doorbell.wait(upTo: .seconds(30)) } < 1)
        // The two rings were one: the next wait runs to its timeout.
        let waited = await self.seconds { await doorbell.wait(upTo: .milliseconds(200)) }
        #expect(waited >= 0.19 && waited < 5)
    }

    @Test func aRingWakesTheWaiter() async {
        let doorbell = Doorbell()
        let ringer = Task {
            try? await Task.sleep(for: .milliseconds(100))
            doorbell.ring()
        }
        let waited = await self.seconds { await doorbell.wait(upTo: .seconds(30)) }
        #expect(waited >= 0.09 && waited < 5)
        await ringer.value
    }

    @Test func aCancelledWaitReturns() async {
        let doorbell = Doorbell()
        let waiter = Task { await self.seconds { await doorbell.wait(upTo: .seconds(30)) } }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(await waiter.value < 5)
    }

    @Test func manyWaitsWithRingsAtRandomTimesAllReturn() async {
        // Rings racing the timers: every wait returns (none is left parked by a lost wake-up).
        let doorbell = Doorbell()
        let ringer = Task {
            for _ in 0..<200 {
                try? await Task.sleep(for: .microseconds(Int.random(in: 0...2_000)))
                doorbell.ring()
            }
        }
        let waited = await self.seconds {
            for _ in 0..<300 {
                await doorbell.wait(upTo: .microseconds(Int.random(in: 1...3_000)))
            }
        }
        #expect(waited < 30)
        await ringer.value
    }
}
