//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

/// What one listener offers and allows; the ``ServerSessionStateMachine`` reads nothing else.
public struct ServerSessionConfiguration: Hashable, Sendable {
    /// The name the server gives in its greeting, EHLO reply and Received headers.
    public var hostname: String
    public var maximumRecipients: Int
    public var maximumMessageSize: Int
    public var maximumErrors: Int
    /// Whether STARTTLS is offered (the listener has a certificate and is not implicit TLS).
    public var startTLSAvailable: Bool
    /// Whether the session is TLS from the first octet (port 465).
    public var implicitTLS: Bool
    /// Whether AUTH is offered at all on this listener.
    public var authenticationEnabled: Bool
    /// Whether MAIL needs an authenticated session (submission ports).
    public var authenticationRequired: Bool
    /// Whether AUTH is allowed without TLS (only ever on loopback, when the config says so).
    public var plaintextAuthenticationAllowed: Bool
    public var policy: IngressPolicy
    /// Whether the client's address is in the trusted networks: it may relay without AUTH
    /// (Postfix's `permit_mynetworks`).
    public var clientIsTrusted: Bool
    /// Whether MAIL needs TLS first (Postfix's `smtpd_tls_security_level = encrypt`).
    public var tlsRequired = false
    /// Errors answered at once before the tarpit, the wait added per later error, and its ceiling.
    public var softErrorLimit = SMTPDefaults.softErrorLimit
    public var errorSleep = TimeAmount.milliseconds(Int64(SMTPDefaults.errorSleepMilliseconds))
    public var longestErrorSleep = TimeAmount.milliseconds(Int64(SMTPDefaults.longestErrorSleepMilliseconds))
    /// NOOP, RSET, HELP, VRFY and EXPN before each one counts as an error.
    public var maximumJunkCommands = SMTPDefaults.maximumJunkCommands

    public init(
        hostname: String,
        maximumRecipients: Int = SMTPDefaults.maximumRecipients,
        maximumMessageSize: Int = SMTPDefaults.maximumMessageSize,
        maximumErrors: Int = SMTPDefaults.maximumErrors,
        startTLSAvailable: Bool = false,
        implicitTLS: Bool = false,
        authenticationEnabled: Bool = false,
        authenticationRequired: Bool = false,
        plaintextAuthenticationAllowed: Bool = false,
        policy: IngressPolicy,
        clientIsTrusted: Bool = false
    ) {
        self.clientIsTrusted = clientIsTrusted
        self.hostname = hostname
        self.maximumRecipients = maximumRecipients
        self.maximumMessageSize = maximumMessageSize
        self.maximumErrors = maximumErrors
        self.startTLSAvailable = startTLSAvailable
        self.implicitTLS = implicitTLS
        self.authenticationEnabled = authenticationEnabled
        self.authenticationRequired = authenticationRequired
        self.plaintextAuthenticationAllowed = plaintextAuthenticationAllowed
        self.policy = policy
    }
}
