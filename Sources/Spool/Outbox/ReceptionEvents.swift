//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The result of one sender-authentication check (RFC 8601 result names).
public enum AuthenticationResult: String, Codable, Hashable, Sendable {
    case pass
    case fail
    case softfail
    case neutral
    case none
    case temperror
    case permerror
}

/// How the sender of a received mail was authenticated: SPF, every DKIM signature, DMARC.
public struct AuthenticationFacts: Codable, Hashable, Sendable {
    /// One DKIM signature's result.
    public struct DKIMCheck: Codable, Hashable, Sendable {
        public var result: AuthenticationResult
        /// The signing domain (`d=`), when the signature could be read.
        public var domain: String?

        public init(result: AuthenticationResult, domain: String?) {
            self.result = result
            self.domain = domain
        }
    }

    /// The domain of the From header.
    public var fromDomain: String
    public var spf: AuthenticationResult
    /// The domain SPF checked (the envelope sender's, or the HELO name for `<>`).
    public var spfDomain: String
    public var dkim: [DKIMCheck]
    public var dmarc: AuthenticationResult
    /// The From domain's published DMARC policy (`none`, `quarantine`, `reject`), if any.
    public var dmarcPolicy: String?

    public init(
        fromDomain: String,
        spf: AuthenticationResult,
        spfDomain: String,
        dkim: [DKIMCheck],
        dmarc: AuthenticationResult,
        dmarcPolicy: String?
    ) {
        self.fromDomain = fromDomain
        self.spf = spf
        self.spfDomain = spfDomain
        self.dkim = dkim
        self.dmarc = dmarc
        self.dmarcPolicy = dmarcPolicy
    }

    /// The DKIM signing domain that passed and is aligned with the From domain, if any.
    public var alignedDKIMDomain: String? {
        self.dkim.first { $0.result == .pass && $0.domain.map { Self.aligned($0, with: self.fromDomain) } == true }?
            .domain
    }

    /// Whether SPF passed for a domain aligned with the From domain.
    public var alignedSPF: Bool {
        self.spf == .pass && Self.aligned(self.spfDomain, with: self.fromDomain)
    }

    /// Relaxed alignment (RFC 7489 §3.1) without a public-suffix list: one domain is the other or a
    /// parent of it with at least two labels.
    public static func aligned(_ authenticated: String, with fromDomain: String) -> Bool {
        let authenticated = authenticated.lowercased()
        let from = fromDomain.lowercased()
        if authenticated == from || from.hasSuffix("." + authenticated) {
            return authenticated.contains(".")
        }
        return authenticated.hasSuffix("." + from)
    }
}

/// What a reception commit states besides the acceptance: the mailboxes, who pays, how the sender
/// was authenticated.
public struct ReceptionFacts: Codable, Hashable, Sendable {
    public var mailboxes: [String]
    public var account: String?
    public var units: Int
    public var headerFrom: String?
    public var authentication: AuthenticationFacts

    public init(
        mailboxes: [String],
        account: String?,
        units: Int,
        headerFrom: String?,
        authentication: AuthenticationFacts
    ) {
        self.mailboxes = mailboxes
        self.account = account
        self.units = units
        self.headerFrom = headerFrom
        self.authentication = authentication
    }
}
