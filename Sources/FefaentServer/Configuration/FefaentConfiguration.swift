//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import MailMessage

/// Everything `etc/fefaent.toml` says, checked and with its defaults filled in.
///
/// Relative paths are taken relative to the folder of the configuration file, so the repository's
/// own `etc/fefaent.toml` works from any working directory.
public struct FefaentConfiguration: Hashable, Sendable {
    /// One `[[listener]]` table.
    public struct Listener: Hashable, Sendable {
        public var name: String
        /// `mx`, `submission` or `submissions`.
        public var kind: String
        public var host: String
        public var port: Int
        /// Clients must STARTTLS before MAIL.
        public var requireTLS: Bool = false
    }

    public var hostname: String
    public var spoolDirectory: String
    public var logLevel: String
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var certifierAddresses: [String]
    public var receptionMailboxes: [String]
    public var systemDomains: [String]
    public var maximumMessageSize: Int
    public var maximumRecipients: Int
    /// `[limits] mime_nesting_depth` and `header_block_size`: a message beyond either is refused at
    /// the end of DATA (`554 5.6.0`, `552 5.3.4`) and never reaches the checks or the evidence.
    public var messageStructure = MessageParser.Options()
    public var maximumErrors: Int
    public var commandTimeoutSeconds: Int
    public var dataTimeoutSeconds: Int
    public var shutdownGraceSeconds: Int
    public var allowPlaintextAuthenticationOnLoopback: Bool
    public var bcryptCost: Int
    /// Networks whose clients may relay without AUTH, e.g. `127.0.0.0/8`.
    public var trustedNetworks: [String]
    public var listeners: [Listener]
    public var delivery: Delivery
    /// The DKIM key for certified copies, if one is configured.
    public var dkim: DKIM? = nil

    /// Evidence keys and the store, if evidence is configured.
    public var evidence: Evidence? = nil
    /// The rest of `[certification]`: invoices, the pixel's address, sizes and price.
    public var certification = Certification()
    /// `[http] listen`: where the HTTP front (pixel, health, metrics) listens; `nil` when disabled.
    public var http: HostPort? = nil
    /// `[http]` beyond the address: API v1's rate limit, the reverse proxies trusted for `X-Forwarded-For`.
    public var httpFront = HTTPFrontSettings()

    /// `[limits]` on clients across sessions (connections, their rate, failed authentications).
    public var clientLimits = ClientLimitSettings()

    /// `[limits] connections`, `client_connections`, `network_connections`, `client_connection_rate`
    /// (per minute), `auth_failures` in `auth_failure_window` seconds, `exempt_loopback`. The trusted
    /// networks are always exempt, as Postfix exempts `$mynetworks`.
    public struct ClientLimitSettings: Hashable, Sendable {
        public var connections = 1_000
        public var clientConnections = 50
        public var networkConnections = 200
        public var clientConnectionRate = 600
        public var authenticationFailures = 10
        public var authenticationWindowSeconds = 600
        public var exemptLoopback = true
        /// `min_data_rate` (octets a second, after `data_rate_grace` seconds) and `session_time_limit`.
        public var minimumDataRate = 500
        public var dataRateGraceSeconds = 30
        public var sessionTimeLimitSeconds = 1_800

        public init(
            connections: Int = 1_000,
            clientConnections: Int = 50,
            networkConnections: Int = 200,
            clientConnectionRate: Int = 600,
            authenticationFailures: Int = 10,
            authenticationWindowSeconds: Int = 600,
            exemptLoopback: Bool = true,
            minimumDataRate: Int = 500,
            dataRateGraceSeconds: Int = 30,
            sessionTimeLimitSeconds: Int = 1_800
        ) {
            self.connections = connections
            self.clientConnections = clientConnections
            self.networkConnections = networkConnections
            self.clientConnectionRate = clientConnectionRate
            self.authenticationFailures = authenticationFailures
            self.authenticationWindowSeconds = authenticationWindowSeconds
            self.exemptLoopback = exemptLoopback
            self.minimumDataRate = minimumDataRate
            self.dataRateGraceSeconds = dataRateGraceSeconds
            self.sessionTimeLimitSeconds = sessionTimeLimitSeconds
        }
    }

    /// `[webhooks]`: how the webhook outbox is sent.
    public var webhooks = Webhooks()

    /// `[webhooks] retry_seconds`, `lifetime_seconds`, `timeout_seconds`, `concurrency`.
    public struct Webhooks: Hashable, Sendable {
        /// The wait after each failed attempt (Standard Webhooks' schedule by default).
        public var retrySeconds: [Int] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]
        /// An event is given up this long after it happened.
        public var lifetimeSeconds: Int = 86_400
        public var timeoutSeconds: Int = 10
        public var concurrency: Int = 8

        public init(
            retrySeconds: [Int] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000],
            lifetimeSeconds: Int = 86_400,
            timeoutSeconds: Int = 10,
            concurrency: Int = 8
        ) {
            self.retrySeconds = retrySeconds
            self.lifetimeSeconds = lifetimeSeconds
            self.timeoutSeconds = timeoutSeconds
            self.concurrency = concurrency
        }
    }

    /// `[http] api_rate`, `api_burst`, `trusted_proxies`.
    public struct HTTPFrontSettings: Hashable, Sendable {
        /// API calls per second per key, and how many may come at once.
        public var apiRate: Int = 10
        public var apiBurst: Int = 20
        /// Networks of reverse proxies whose `X-Forwarded-For` names the client (none by default).
        public var trustedProxies: [String] = []
        /// HTTPS with the `[tls]` certificate and key instead of plain HTTP.
        public var tls = false

        public init(apiRate: Int = 10, apiBurst: Int = 20, trustedProxies: [String] = [], tls: Bool = false) {
            self.apiRate = apiRate
            self.apiBurst = apiBurst
            self.trustedProxies = trustedProxies
            self.tls = tls
        }
    }

    /// `[certification]` beyond the addresses.
    public struct Certification: Hashable, Sendable {
        /// Certifier addresses that mark a mail as a certified invoice (also certifier addresses).
        public var invoiceAddresses: [String] = []
        /// The base URL of the tracking pixel (`<url>/o/<token>.gif`), as recipients reach the HTTP front.
        public var trackingURL: String = "http://127.0.0.1:8025"
        /// Largest certified mail (`552 5.3.4` above), and the octets one unit pays for, per recipient.
        public var messageSize: Int = 20 * 1024 * 1024
        public var unitSize: Int = 5 * 1024 * 1024
        /// Openum addresses (also certifier addresses): a mail to one sends its first attachment as
        /// a document behind a link; the links expire and remind after these many days.
        public var openumAddresses: [String] = []
        public var openumExpiryDays: Int = 15
        public var openumReminderDays: Int = 3
    }

    /// `[evidence]`: where evidence is kept and what signs and stamps it.
    public struct Evidence: Hashable, Sendable {
        public var database: String
        public var certificate: String
        public var key: String
        public var ca: String
        /// The built-in TSA's certificate and key (when no `tsaURL` is given).
        public var tsaCertificate: String?
        public var tsaKey: String?
        /// An external RFC 3161 TSA (HTTP POST of `application/timestamp-query`).
        public var tsaURL: String?
        public var logKey: String
        public var origin: String
        public var checkpointIntervalMilliseconds: Int
        /// How often the evidence writer signs and logs the outbox (`record_interval_ms`).
        public var recordIntervalMilliseconds: Int = 100
        /// The PDFs' signing certificate and key (RSA for pdfsig); the evidence certificate if absent.
        public var pdfCertificate: String?
        public var pdfKey: String?
        /// Where every time-stamped checkpoint is written for others to take (nil: nowhere).
        public var publicationFolder: String?
        /// C2SP tlog-witness endpoints every new checkpoint is sent to (`…/add-checkpoint`).
        public var witnesses: [String] = []
        /// Who issues the evidence (its name in every record), the evidence policy's OID, and where
        /// the policy is published.
        public var issuerName: String = ""
        public var policyID: String = ""
        public var policyURL: String? = nil
        /// Records whose newest time-stamp's certificate expires within this many days get an archive
        /// time-stamp (the daemon checks once a day).
        public var renewWithinDays: Int = 90
        /// The CA's CRLs (DER files) put into every evidence PDF (PAdES B-LT); none: B-T only.
        public var crls: [String] = []
    }

    /// `[dkim]`: who signs the certified copies (d=, s=) and with which key.
    public struct DKIM: Hashable, Sendable {
        public var domain: String
        public var selector: String
        public var keyPath: String

        public init(domain: String, selector: String, keyPath: String) {
            self.domain = domain
            self.selector = selector
            self.keyPath = keyPath
        }
    }

    /// The `[delivery]` table: how the queue runner sends mail on.
    public struct Delivery: Hashable, Sendable {
        public var heloName: String
        /// `disabled`, `opportunistic` or `required`.
        public var tls: String
        /// Domain (`example.test`, `.example.test`, `*`) to host and port.
        public var routes: [String: HostPort]
        /// Domain to its own TLS policy.
        public var tlsPolicies: [String: String]
        public var retryInitialSeconds: Int
        public var retryMaximumSeconds: Int
        public var lifetimeSeconds: Int
        public var concurrency: Int
        /// Extra CA certificates (PEM) that `verify` trusts besides the system's.
        public var tlsCAFile: String?
        public var destinationConcurrency: Int
        public var pollIntervalMilliseconds: Int
        /// How long an idle connection waits for the next mail to its domain; 0: closed at once.
        public var connectionCacheMilliseconds: Int = 2_000
        /// The largest original a bounce returns whole; larger ones come back by their headers.
        public var bounceSizeLimit: Int = 50_000
        public var connectTimeoutSeconds: Int
        public var replyTimeoutSeconds: Int
        /// The name server for MX lookups; `nil` uses the system's.
        public var nameserver: HostPort?
        public var mxPort: Int
        public var delayWarningSeconds: Int
    }

    /// A host and a port, as in `127.0.0.1:25` or `[::1]:25`.
    public struct HostPort: Hashable, Sendable {
        public var host: String
        public var port: Int
    }
}
