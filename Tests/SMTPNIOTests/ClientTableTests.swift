//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import SMTPNIO

/// Postfix's anvil, as a value: connections per client, per network and in all, their rate, and
/// failed authentications across sessions.
struct ClientTableTests {
    @Test func connectionsPerClientNetworkAndInAll() {
        var table = ClientTable(
            limits: ClientLimits(
                connections: 5,
                connectionsPerClient: 2,
                connectionsPerNetwork: 3,
                connectionsPerMinute: 1_000
            )
        )
        #expect(table.connect("192.0.2.1", now: 0) == nil)
        #expect(table.connect("192.0.2.1", now: 0) == nil)
        #expect(table.connect("192.0.2.1", now: 0) == .tooManyFromClient)
        #expect(table.connect("192.0.2.2", now: 0) == nil)
        #expect(table.connect("192.0.2.3", now: 0) == .tooManyFromNetwork)  // the same /24
        #expect(table.connect("198.51.100.1", now: 0) == nil)
        #expect(table.connect("203.0.113.1", now: 0) == nil)
        #expect(table.connect("203.0.113.2", now: 0) == .tooManyConnections)
        table.disconnect("192.0.2.1")
        #expect(table.connect("192.0.2.1", now: 0) == nil)  // a closed connection frees its place
    }

    @Test func ipv6ClientsShareTheirSlash64() {
        var table = ClientTable(limits: ClientLimits(connectionsPerClient: 10, connectionsPerNetwork: 2))
        #expect(table.connect("2001:db8:1:2::1", now: 0) == nil)
        #expect(table.connect("2001:db8:1:2::ffff", now: 0) == nil)
        #expect(table.connect("2001:db8:1:2:aaaa::1", now: 0) == .tooManyFromNetwork)
        #expect(table.connect("2001:db8:1:3::1", now: 0) == nil)
    }

    @Test func theConnectionRatePerMinute() {
        var table = ClientTable(limits: ClientLimits(connectionsPerClient: 1_000, connectionsPerMinute: 60))
        for _ in 0..<60 {
            #expect(table.connect("192.0.2.9", now: 0) == nil)
            table.disconnect("192.0.2.9")
        }
        #expect(table.connect("192.0.2.9", now: 0) == .tooFast)
        #expect(table.connect("192.0.2.9", now: 1.5) == nil)  // one a second comes back
    }

    @Test func failedAuthenticationsSlowDownThenBlockForTheWindow() {
        var table = ClientTable(limits: ClientLimits(authenticationFailures: 5, authenticationWindowSeconds: 600))
        let results = (0..<5).map { table.authenticationFailed("192.0.2.7", now: Double($0)) }
        #expect(results.map(\.delaySeconds) == [1, 2, 3, 4, 5])
        #expect(results.map(\.blocked) == [false, false, false, false, true])
        #expect(table.connect("192.0.2.7", now: 10) == .authenticationBlocked)
        #expect(table.connect("192.0.2.8", now: 10) == nil)  // another client is not
        #expect(table.connect("192.0.2.7", now: 700) == nil)  // the window has passed
    }

    @Test func trustedNetworksAreExempt() {
        var table = ClientTable(
            limits: ClientLimits(connections: 1, connectionsPerClient: 1, exempt: [IPNetwork("10.0.0.0/8")!])
        )
        #expect(table.connect("10.1.2.3", now: 0) == nil)
        #expect(table.connect("10.1.2.3", now: 0) == nil)
        #expect(table.authenticationFailed("10.1.2.3", now: 0) == (0, false))
    }
}
