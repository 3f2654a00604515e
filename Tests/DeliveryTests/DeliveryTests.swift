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
@testable import Spool

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

@Suite("DNS messages")
struct DNSMessageTests {
    // A response to "example.test MX": two answers, the second name compressed against the first.
    static let mxResponse: [UInt8] =
        [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        + [7] + Array("example".utf8) + [4] + Array("test".utf8) + [0, 0, 15, 0, 1]
        + [0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 8, 0, 10, 3] + Array("mx1".utf8) + [0xC0, 12]
        + [0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 4, 0, 20, 0xC0, 12]

    @Test func parsesMXWithCompression() throws {
        let message = try DNSMessage(parsing: Self.mxResponse)
        #expect(message.responseCode == 0)
        #expect(
            message.answers == [
                .mx(preference: 10, exchange: "mx1.example.test"), .mx(preference: 20, exchange: "example.test")
            ]
        )
    }

    @Test func refusesTruncatedAndLoopingMessages() {
        #expect(throws: DNSMessage.MalformedMessage.self) { try DNSMessage(parsing: Array(Self.mxResponse.prefix(40))) }
        var loop = Self.mxResponse
        loop[12] = 0xC0
        loop[13] = 12  // the question name points at itself
        #expect(throws: DNSMessage.MalformedMessage.self) { try DNSMessage(parsing: loop) }
    }

    @Test func equalPreferencesAreShuffledButOrderIsKept() {
        let ordered = MXRouting.ordered([(20, "c"), (10, "a"), (10, "b"), (30, "d")])
        #expect(ordered.map(\.preference) == [10, 10, 20, 30])
        #expect(Set(ordered.prefix(2).map(\.name)) == ["a", "b"])
    }

    @Test func ipv6Text() {
        #expect(
            MXRouting.ipv6([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]) == "2001:db8:0:0:0:0:0:1"
        )
    }
}

@Suite("Lanes")
struct LaneTests {
    func job(_ message: String, _ domain: String) -> [DueRecipient] {
        [
            DueRecipient(
                recipientID: 1,
                messageID: message,
                address: "a@\(domain)",
                notify: nil,
                orcpt: nil,
                attempts: 0,
                sender: "s@x.test",
                receivedAt: Date(),
                smtputf8: false,
                body: nil,
                dsnRet: nil,
                dsnEnvid: nil,
                delayNotified: false
            )
        ]
    }

    @Test func aDomainsMessagesShareAtMostTheDestinationLimitOfConnections() {
        let jobs = (1...5).map { self.job("M\($0)", "big.test") } + [self.job("M6", "small.test")]
        let lanes = DeliveryRunner.lanes(jobs, perDestination: 2)
        #expect(lanes.count == 3)
        #expect(lanes[0].map { $0[0].messageID } == ["M1", "M3", "M5"])
        #expect(lanes[1].map { $0[0].messageID } == ["M2", "M4"])
        #expect(lanes[2].map { $0[0].messageID } == ["M6"])
    }
}
