//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The limits a server puts on its clients across sessions and listeners (what Postfix's `anvil`
/// counts): connections in all, per client address and per network (/24, /64), the connection rate
/// per client, and failed authentications per client in a window.
public struct ClientLimits: Hashable, Sendable {
    public var connections: Int
    public var connectionsPerClient: Int
    public var connectionsPerNetwork: Int
    /// New connections a minute per client address.
    public var connectionsPerMinute: Int
    /// Failed AUTH attempts per client in `authenticationWindowSeconds`; the next one closes the
    /// session with `421` and the client is refused until the window has passed.
    public var authenticationFailures: Int
    public var authenticationWindowSeconds: Double
    /// Clients the limits do not apply to (the trusted networks; loopback unless told otherwise).
    public var exempt: [IPNetwork]

    public init(
        connections: Int = 1_000,
        connectionsPerClient: Int = 50,
        connectionsPerNetwork: Int = 200,
        connectionsPerMinute: Int = 600,
        authenticationFailures: Int = 10,
        authenticationWindowSeconds: Double = 600,
        exempt: [IPNetwork] = []
    ) {
        self.connections = connections
        self.connectionsPerClient = connectionsPerClient
        self.connectionsPerNetwork = connectionsPerNetwork
        self.connectionsPerMinute = connectionsPerMinute
        self.authenticationFailures = authenticationFailures
        self.authenticationWindowSeconds = authenticationWindowSeconds
        self.exempt = exempt
    }
}

/// Why a connection is refused (each says so in its `421` and is counted in the metrics).
public enum ConnectionRefusal: String, Hashable, Sendable {
    case tooManyConnections = "too many connections"
    case tooManyFromClient = "too many connections from your address"
    case tooManyFromNetwork = "too many connections from your network"
    case tooFast = "too many connections from your address in the last minute"
    case authenticationBlocked = "too many failed authentications from your address; try again later"
}

/// The counts behind ``ClientLimits``, as a pure value: the caller passes the time (seconds on a
/// monotonic clock) and keeps it behind a lock.
public struct ClientTable: Sendable {
    public let limits: ClientLimits
    private var total = 0
    private var perClient: [String: Int] = [:]
    private var perNetwork: [String: Int] = [:]
    private var rates: TokenBuckets
    private var failures: [String: [Double]] = [:]

    public init(limits: ClientLimits) {
        self.limits = limits
        self.rates = TokenBuckets(
            ratePerSecond: max(1, Double(limits.connectionsPerMinute)) / 60,
            burst: max(1, limits.connectionsPerMinute)
        )
    }

    /// Whether the limits spare `address` (a trusted network).
    public func isExempt(_ address: String) -> Bool {
        self.limits.exempt.contains { $0.contains(address) }
    }

    /// A new connection from `address`: counted and `nil`, or refused (and not counted).
    public mutating func connect(_ address: String, now: Double) -> ConnectionRefusal? {
        if !self.isExempt(address) {
            if self.isBlocked(address, now: now) { return .authenticationBlocked }
            if self.total >= self.limits.connections { return .tooManyConnections }
            if self.perClient[address, default: 0] >= self.limits.connectionsPerClient { return .tooManyFromClient }
            let network = Self.network(of: address)
            if self.perNetwork[network, default: 0] >= self.limits.connectionsPerNetwork { return .tooManyFromNetwork }
            if case .limited = self.rates.take(address, now: now) { return .tooFast }
        }
        self.total += 1
        self.perClient[address, default: 0] += 1
        self.perNetwork[Self.network(of: address), default: 0] += 1
        return nil
    }

    /// A connection ``connect(_:now:)`` counted has closed.
    public mutating func disconnect(_ address: String) {
        self.total = max(0, self.total - 1)
        let network = Self.network(of: address)
        if let count = self.perClient[address] { self.perClient[address] = count > 1 ? count - 1 : nil }
        if let count = self.perNetwork[network] { self.perNetwork[network] = count > 1 ? count - 1 : nil }
    }

    /// A failed authentication from `address`: how long its `535` waits (one second more for each
    /// failure in the window, ten at most) and whether the client is now blocked (`421`).
    public mutating func authenticationFailed(_ address: String, now: Double) -> (delaySeconds: Double, blocked: Bool) {
        guard !self.isExempt(address) else { return (0, false) }
        var recent = (self.failures[address] ?? []).filter { now - $0 < self.limits.authenticationWindowSeconds }
        recent.append(now)
        self.failures[address] = recent
        if self.failures.count > 100_000 { self.forgetOldFailures(now: now) }
        return (Double(min(recent.count, 10)), recent.count >= self.limits.authenticationFailures)
    }

    /// Whether `address` failed to authenticate too often in the window.
    public func isBlocked(_ address: String, now: Double) -> Bool {
        guard let recent = self.failures[address] else { return false }
        return recent.filter { now - $0 < self.limits.authenticationWindowSeconds }.count
            >= self.limits.authenticationFailures
    }

    private mutating func forgetOldFailures(now: Double) {
        self.failures = self.failures.filter { _, times in
            times.contains { now - $0 < self.limits.authenticationWindowSeconds }
        }
    }

    /// The /24 of an IPv4 address, the /64 of an IPv6 one.
    static func network(of address: String) -> String {
        if address.contains(":") {
            guard let octets = IPNetwork.octets(address) else { return address }
            return octets.prefix(8).map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
        }
        return address.split(separator: ".").prefix(3).joined(separator: ".") + ".0/24"
    }
}
