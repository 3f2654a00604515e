//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOSSL
public import SMTPCore

/// One listening socket and what it offers.
public struct SMTPListenerConfiguration: Sendable {
    /// The kind of port, which decides TLS and authentication.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Port 25: mail for Fefaent's own addresses; STARTTLS offered when a certificate is set.
        case mx
        /// Port 587: STARTTLS, then AUTH; only authenticated clients may send.
        case submission
        /// Port 465: TLS from the first octet, then AUTH.
        case submissions
    }

    public var name: String
    public var host: String
    public var port: Int
    public var kind: Kind
    /// The session rules; TLS and AUTH fields are filled in per connection from `kind` and the peer.
    public var session: ServerSessionConfiguration
    public var tls: NIOSSLContext?
    /// Whether AUTH may be used without TLS by a client on a loopback address (for local tools).
    public var allowPlaintextAuthenticationOnLoopback: Bool
    /// Clients from these networks may relay without AUTH (a company MTA using Fefaent as smarthost).
    public var trustedNetworks: [IPNetwork] = []
    /// Whether clients must STARTTLS before MAIL.
    public var requireTLS = false
    /// The daemon's counts of connections and failed authentications per client (shared by every
    /// listener); `nil`: no limits.
    public var clients: ClientRegistry? = nil
    /// The slowest data rate and the longest session allowed.
    public var pace = SessionPace()
    public var commandTimeout: TimeAmount
    public var dataTimeout: TimeAmount

    public init(
        name: String,
        host: String,
        port: Int,
        kind: Kind,
        session: ServerSessionConfiguration,
        tls: NIOSSLContext?,
        allowPlaintextAuthenticationOnLoopback: Bool = false,
        commandTimeout: TimeAmount = .seconds(Int64(SMTPDefaults.commandTimeoutSeconds)),
        dataTimeout: TimeAmount = .seconds(Int64(SMTPDefaults.dataBlockTimeoutSeconds))
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.kind = kind
        self.session = session
        self.tls = tls
        self.allowPlaintextAuthenticationOnLoopback = allowPlaintextAuthenticationOnLoopback
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
    }

    /// The session configuration for one connection from `peerIsLoopback`.
    func sessionConfiguration(peerIsLoopback: Bool, peerAddress: String = "") -> ServerSessionConfiguration {
        var session = self.session
        session.startTLSAvailable = self.tls != nil && self.kind != .submissions
        session.implicitTLS = self.kind == .submissions
        session.authenticationEnabled = self.kind != .mx
        session.authenticationRequired = self.kind != .mx
        session.plaintextAuthenticationAllowed = self.allowPlaintextAuthenticationOnLoopback && peerIsLoopback
        session.clientIsTrusted = self.trustedNetworks.contains { $0.contains(peerAddress) }
        session.tlsRequired = self.requireTLS
        return session
    }
}

public import NIOCore
