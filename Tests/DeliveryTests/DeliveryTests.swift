//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

@testable import Delivery

@Suite("Retry schedule and routes")
struct DeliveryTests {
    let received = Date(timeIntervalSince1970: 1_000_000)

    @Test func backoffDoublesUpToTheMaximum() {
        let schedule = RetrySchedule(initialDelay: 300, maximumDelay: 3600, lifetime: 5 * 86_400)
        let delays = (1...6).map { attempts in
            schedule.nextAttempt(failedAttempts: attempts, receivedAt: self.received, now: self.received)!
                .timeIntervalSince(self.received)
        }
        #expect(delays == [300, 600, 1200, 2400, 3600, 3600])
    }

    @Test func afterTheLifetimeThereIsNoNextAttempt() {
        let schedule = RetrySchedule(initialDelay: 300, maximumDelay: 3600, lifetime: 86_400)
        #expect(schedule.nextAttempt(failedAttempts: 3, receivedAt: self.received, now: self.received + 86_399) != nil)
        #expect(schedule.nextAttempt(failedAttempts: 3, receivedAt: self.received, now: self.received + 86_400) == nil)
    }

    @Test func routesMatchDomainThenParentThenDefault() {
        let table = RouteTable(routes: [
            "Example.test": .init(host: "127.0.0.1", port: 2601),
            ".corp.test": .init(host: "127.0.0.1", port: 2602),
            "*": .init(host: "::1", port: 2603)
        ])
        #expect(table.hop(for: "example.TEST")?.port == 2601)
        #expect(table.hop(for: "mail.corp.test")?.port == 2602)
        #expect(table.hop(for: "other.test")?.description == "[::1]:2603")
        #expect(RouteTable().hop(for: "example.test") == nil)
    }
}
