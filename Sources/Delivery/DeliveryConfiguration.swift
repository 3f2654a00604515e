//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import NIOCore
public import SMTPCore

/// How the queue runner delivers.
public struct DeliveryConfiguration: Sendable {
    /// The name Fefaent gives in EHLO.
    public var heloName: String
    public var routes: RouteTable
    /// The STARTTLS policy for domains without their own.
    public var tlsPolicy: ClientSessionStateMachine.TLSPolicy
    /// Per-domain STARTTLS policies (`required` for partners that must never see plaintext).
    public var domainTLSPolicies: [String: ClientSessionStateMachine.TLSPolicy]
    public var retry: RetrySchedule
    /// Deliveries under way at once, over all destinations (Postfix's default_process_limit).
    public var concurrency: Int
    /// Deliveries under way at once to one destination (Postfix's default_destination_concurrency_limit).
    public var destinationConcurrency: Int
    /// How often the queue is scanned when idle.
    public var pollInterval: TimeAmount
    /// How long a connection that finished its deliveries stays open for the next mail to the same
    /// domain (Postfix's `smtp_connection_cache_time_limit`); zero: closed at once.
    public var connectionCacheTime: TimeAmount
    /// The largest original a delivery status notification returns whole; a larger one comes back
    /// by its headers only (Postfix's `bounce_size_limit`, 50,000 octets).
    public var bounceSizeLimit: Int
    public var connectTimeout: TimeAmount
    public var replyTimeout: TimeAmount
    /// The port of the servers found by MX lookups (25; tests use their own).
    public var mxPort: Int
    /// Seconds after arrival when the sender is told that a recipient is still deferred; 0: never.
    public var delayWarning: TimeInterval

    public init(
        heloName: String,
        routes: RouteTable = RouteTable(),
        tlsPolicy: ClientSessionStateMachine.TLSPolicy = .opportunistic,
        domainTLSPolicies: [String: ClientSessionStateMachine.TLSPolicy] = [:],
        retry: RetrySchedule = RetrySchedule(),
        concurrency: Int = 100,
        destinationConcurrency: Int = 20,
        pollInterval: TimeAmount = .seconds(1),
        connectTimeout: TimeAmount = .seconds(30),
        replyTimeout: TimeAmount = .seconds(300),
        mxPort: Int = 25,
        delayWarning: TimeInterval = 4 * 3600,
        connectionCacheTime: TimeAmount = .seconds(2),
        bounceSizeLimit: Int = 50_000
    ) {
        self.bounceSizeLimit = bounceSizeLimit
        self.connectionCacheTime = connectionCacheTime
        self.mxPort = mxPort
        self.delayWarning = delayWarning
        self.heloName = heloName
        self.routes = routes
        self.tlsPolicy = tlsPolicy
        self.domainTLSPolicies = domainTLSPolicies
        self.retry = retry
        self.concurrency = concurrency
        self.destinationConcurrency = destinationConcurrency
        self.pollInterval = pollInterval
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
    }

    func tlsPolicy(for domain: String) -> ClientSessionStateMachine.TLSPolicy {
        self.domainTLSPolicies[domain.lowercased()] ?? self.tlsPolicy
    }
}
