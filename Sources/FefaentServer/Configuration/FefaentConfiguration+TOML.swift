//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import SMTPCore
import SMTPNIO
import Evidence
import MailMessage
import TOMLKit

extension FefaentConfiguration {
    /// Reads and checks the file at `path`.
    public static func load(path: String) throws -> FefaentConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: "", "cannot read the configuration file \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(key: "", "\(path) is not UTF-8")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try self.parse(text, relativeTo: base)
    }

    /// Parses TOML text; relative paths are resolved against `base`.
    public static func parse(_ text: String, relativeTo base: String) throws -> FefaentConfiguration {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(key: "", "not valid TOML: \(error.description) at line \(error.source.begin.line)")
        }
        let reader = TableReader(table: root, prefix: "")
        try reader.allowOnly([
            "server", "tls", "certification", "limits", "auth", "listener", "delivery", "dkim", "evidence", "http",
            "webhooks"
        ])

        let server = try reader.table("server")
        try server.allowOnly(["hostname", "spool", "log_level"])
        let hostname = try server.string("hostname", default: "fefaent.localhost")
        guard hostname.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), !hostname.isEmpty, hostname.count <= 253 else {
            throw ConfigurationError(key: "server.hostname", "must be a domain name, not \"\(hostname)\"")
        }
        let spool = Self.resolve(try server.string("spool", default: "../spool"), base: base)
        let logLevel = try server.string("log_level", default: "info")
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(logLevel) else {
            throw ConfigurationError(key: "server.log_level", "must be one of \(levels.joined(separator: ", "))")
        }

        let tls = try reader.table("tls")
        try tls.allowOnly(["certificate", "key"])
        let certificate = try tls.optionalString("certificate").map { Self.resolve($0, base: base) }
        let key = try tls.optionalString("key").map { Self.resolve($0, base: base) }
        if (certificate == nil) != (key == nil) {
            throw ConfigurationError(key: "tls", "certificate and key are given together or not at all")
        }

        let certification = try reader.table("certification")
        try certification.allowOnly([
            "certifier_addresses", "reception_mailboxes", "system_domains", "invoice_addresses", "tracking_url",
            "message_size", "unit_size", "openum_addresses", "openum_expiry_days", "openum_reminder_days"
        ])
        var certifiers = try certification.addresses("certifier_addresses", default: ["certify@\(hostname)"])
        guard !certifiers.isEmpty else {
            throw ConfigurationError(key: "certification.certifier_addresses", "needs at least one address")
        }
        let invoices = try certification.addresses("invoice_addresses", default: [])
        certifiers += invoices.filter { !certifiers.contains($0) }
        let openums = try certification.addresses("openum_addresses", default: [])
        certifiers += openums.filter { !certifiers.contains($0) }
        let openumExpiry = try certification.int("openum_expiry_days", default: 15, in: 1...365)
        let openumReminder = try certification.int("openum_reminder_days", default: 3, in: 0...364)
        guard openumReminder < openumExpiry else {
            throw ConfigurationError(key: "certification.openum_reminder_days", "must be less than openum_expiry_days")
        }
        let certifiedSize = try certification.int("message_size", default: 20 * 1024 * 1024, in: 1024...(1 << 30))
        let unitSize = try certification.int("unit_size", default: 5 * 1024 * 1024, in: 1024...(1 << 30))

        let httpTable = try reader.table("http")
        try httpTable.allowOnly(["listen", "enabled", "api_rate", "api_burst", "trusted_proxies", "tls"])
        let httpFront = HTTPFrontSettings(
            apiRate: try httpTable.int("api_rate", default: 10, in: 1...100_000),
            apiBurst: try httpTable.int("api_burst", default: 20, in: 1...100_000),
            trustedProxies: try httpTable.strings("trusted_proxies", default: []),
            tls: try httpTable.bool("tls", default: false)
        )
        let webhooksTable = try reader.table("webhooks")
        try webhooksTable.allowOnly(["retry_seconds", "lifetime_seconds", "timeout_seconds", "concurrency"])
        let webhooks = Webhooks(
            retrySeconds: try webhooksTable.ints(
                "retry_seconds",
                default: Webhooks().retrySeconds,
                in: 0...(7 * 86_400)
            ),
            lifetimeSeconds: try webhooksTable.int("lifetime_seconds", default: 86_400, in: 1...(30 * 86_400)),
            timeoutSeconds: try webhooksTable.int("timeout_seconds", default: 10, in: 1...300),
            concurrency: try webhooksTable.int("concurrency", default: 8, in: 1...256)
        )
        for proxy in httpFront.trustedProxies where IPNetwork(proxy) == nil {
            throw ConfigurationError(key: "http.trusted_proxies", "\(proxy) is not an address or a network (CIDR)")
        }
        // Off unless `listen` is given (etc/fefaent.toml gives it): two daemons on one machine must not fight for a port.
        let httpEnabled = try httpTable.bool("enabled", default: try httpTable.optionalString("listen") != nil)
        let (httpHost, httpPort) = try TableReader.hostAndPort(
            try httpTable.string("listen", default: "127.0.0.1:8025"),
            key: "http.listen"
        )
        if httpFront.tls, certificate == nil {
            throw ConfigurationError(key: "http.tls", "needs [tls] certificate and key")
        }
        let scheme = httpFront.tls ? "https" : "http"
        let trackingURL = try certification.string("tracking_url", default: "\(scheme)://\(httpHost):\(httpPort)")
        guard trackingURL.hasPrefix("http://") || trackingURL.hasPrefix("https://") else {
            throw ConfigurationError(key: "certification.tracking_url", "must start with http:// or https://")
        }
        let reception = try certification.addresses("reception_mailboxes", default: [])
        let systemDomains = try certification.strings("system_domains", default: [])

        let limits = try reader.table("limits")
        try limits.allowOnly([
            "message_size", "recipients", "errors", "command_timeout", "data_timeout", "shutdown_grace", "connections",
            "client_connections", "network_connections", "client_connection_rate", "auth_failures",
            "auth_failure_window", "exempt_loopback", "min_data_rate", "data_rate_grace", "session_time_limit",
            "mime_nesting_depth", "header_block_size"
        ])
        var messageStructure = MessageParser.Options()
        messageStructure.maximumNestingDepth = try limits.int(
            "mime_nesting_depth",
            default: MailMessageDefaults.maximumNestingDepth,
            in: 1...1_000
        )
        messageStructure.maximumHeaderBlockSize = try limits.int(
            "header_block_size",
            default: MailMessageDefaults.maximumHeaderBlockSize,
            in: 1_024...(16 << 20)
        )
        let messageSize = try limits.int("message_size", default: SMTPDefaults.maximumMessageSize, in: 1024...(1 << 30))
        let recipients = try limits.int("recipients", default: SMTPDefaults.maximumRecipients, in: 1...10_000)
        let errors = try limits.int("errors", default: SMTPDefaults.maximumErrors, in: 1...1_000)
        let commandTimeout = try limits.int(
            "command_timeout",
            default: SMTPDefaults.commandTimeoutSeconds,
            in: 1...3_600
        )
        let dataTimeout = try limits.int("data_timeout", default: SMTPDefaults.dataBlockTimeoutSeconds, in: 1...3_600)
        let grace = try limits.int("shutdown_grace", default: 30, in: 0...3_600)
        let clientLimits = ClientLimitSettings(
            connections: try limits.int("connections", default: 1_000, in: 1...1_000_000),
            clientConnections: try limits.int("client_connections", default: 50, in: 1...1_000_000),
            networkConnections: try limits.int("network_connections", default: 200, in: 1...1_000_000),
            clientConnectionRate: try limits.int("client_connection_rate", default: 600, in: 1...1_000_000),
            authenticationFailures: try limits.int("auth_failures", default: 10, in: 1...10_000),
            authenticationWindowSeconds: try limits.int("auth_failure_window", default: 600, in: 1...86_400),
            exemptLoopback: try limits.bool("exempt_loopback", default: true),
            minimumDataRate: try limits.int("min_data_rate", default: 500, in: 1...100_000_000),
            dataRateGraceSeconds: try limits.int("data_rate_grace", default: 30, in: 1...3_600),
            sessionTimeLimitSeconds: try limits.int("session_time_limit", default: 1_800, in: 1...86_400)
        )

        let auth = try reader.table("auth")
        try auth.allowOnly(["allow_plaintext_on_loopback", "bcrypt_cost", "trusted_networks"])
        let trusted = try auth.strings("trusted_networks", default: [])
        for (index, network) in trusted.enumerated() where IPNetwork(network) == nil {
            throw ConfigurationError(
                key: "auth.trusted_networks[\(index)]",
                "\"\(network)\" is not an address or address/prefix"
            )
        }
        let plaintext = try auth.bool("allow_plaintext_on_loopback", default: false)
        let cost = try auth.int("bcrypt_cost", default: 10, in: 4...31)

        let dkim = try Self.parseDKIM(try reader.table("dkim"), certifiers: certifiers, base: base)
        let evidence = try Self.parseEvidence(
            try reader.table("evidence"),
            hostname: hostname,
            spool: spool,
            base: base
        )
        let listeners = try reader.listeners()
        let delivery = try Self.parseDelivery(try reader.table("delivery"), hostname: hostname, base: base)
        if certificate == nil, let needsTLS = listeners.first(where: { $0.kind != "mx" || $0.requireTLS }) {
            throw ConfigurationError(
                key: "tls.certificate",
                "listener \"\(needsTLS.name)\" (\(needsTLS.kind)) needs TLS; run `fefaent keys init` and name the files"
            )
        }
        for file in [certificate, key].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: file) {
            let which = file == certificate ? "tls.certificate" : "tls.key"
            throw ConfigurationError(key: which, "file \(file) does not exist (`fefaent keys init --dir` makes one)")
        }

        var configuration = FefaentConfiguration(
            hostname: hostname,
            spoolDirectory: spool,
            logLevel: logLevel,
            tlsCertificate: certificate,
            tlsKey: key,
            certifierAddresses: certifiers,
            receptionMailboxes: reception,
            systemDomains: systemDomains,
            maximumMessageSize: messageSize,
            maximumRecipients: recipients,
            maximumErrors: errors,
            commandTimeoutSeconds: commandTimeout,
            dataTimeoutSeconds: dataTimeout,
            shutdownGraceSeconds: grace,
            allowPlaintextAuthenticationOnLoopback: plaintext,
            bcryptCost: cost,
            trustedNetworks: trusted,
            listeners: listeners,
            delivery: delivery,
            dkim: dkim,
            evidence: evidence,
            certification: Certification(
                invoiceAddresses: invoices,
                trackingURL: trackingURL,
                messageSize: certifiedSize,
                unitSize: unitSize,
                openumAddresses: openums,
                openumExpiryDays: openumExpiry,
                openumReminderDays: openumReminder
            ),
            http: httpEnabled ? HostPort(host: httpHost, port: httpPort) : nil,
            httpFront: httpFront,
            clientLimits: clientLimits,
            webhooks: webhooks
        )
        configuration.messageStructure = messageStructure
        return configuration
    }

    /// `[evidence]`: the signing, TSA and log keys. Without `certificate`, no evidence is written.
    private static func parseEvidence(
        _ table: TableReader,
        hostname: String,
        spool: String,
        base: String
    ) throws -> Evidence? {
        try table.allowOnly([
            "database", "certificate", "key", "ca", "tsa_certificate", "tsa_key", "tsa_url", "log_key", "origin",
            "checkpoint_interval_ms", "record_interval_ms", "pdf_certificate", "pdf_key", "publication_folder",
            "witnesses", "issuer_name", "policy_id", "policy_url",
            "renew_within_days", "crls"
        ])
        guard let certificate = try table.optionalString("certificate").map({ Self.resolve($0, base: base) }) else {
            return nil
        }
        func path(_ name: String) throws -> String {
            guard let value = try table.optionalString(name) else {
                throw ConfigurationError(key: "evidence.\(name)", "is required with evidence.certificate")
            }
            let resolved = Self.resolve(value, base: base)
            guard FileManager.default.fileExists(atPath: resolved) else {
                throw ConfigurationError(
                    key: "evidence.\(name)",
                    "file \(resolved) does not exist (`fefaent keys init` makes one)"
                )
            }
            return resolved
        }
        let tsaURL = try table.optionalString("tsa_url")
        if let tsaURL, !(tsaURL.hasPrefix("http://") || tsaURL.hasPrefix("https://")) {
            throw ConfigurationError(key: "evidence.tsa_url", "must be an http:// or https:// URL")
        }
        let witnesses = try table.strings("witnesses", default: [], keepingCase: true)
        for (index, url) in witnesses.enumerated()
        where !(url.hasPrefix("http://") || url.hasPrefix("https://")) || URL(string: url)?.host == nil {
            throw ConfigurationError(key: "evidence.witnesses[\(index)]", "must be an http:// or https:// URL")
        }
        var evidence = Evidence(
            database: Self.resolve(try table.string("database", default: spool + "/evidence.sqlite"), base: base),
            certificate: certificate,
            key: try path("key"),
            ca: try path("ca"),
            tsaCertificate: tsaURL == nil
                ? try path("tsa_certificate")
                : try table.optionalString("tsa_certificate").map { Self.resolve($0, base: base) },
            tsaKey: tsaURL == nil ? try path("tsa_key") : nil,
            tsaURL: tsaURL,
            logKey: try path("log_key"),
            origin: try table.string("origin", default: "\(hostname)/evidence"),
            checkpointIntervalMilliseconds: try table.int("checkpoint_interval_ms", default: 1_000, in: 50...60_000),
            pdfCertificate: try table.optionalString("pdf_certificate") == nil ? nil : try path("pdf_certificate"),
            pdfKey: try table.optionalString("pdf_key") == nil ? nil : try path("pdf_key"),
            publicationFolder: try table.optionalString("publication_folder").map { Self.resolve($0, base: base) }
        )
        evidence.witnesses = witnesses
        evidence.recordIntervalMilliseconds = try table.int("record_interval_ms", default: 100, in: 10...60_000)
        evidence.issuerName = try table.string("issuer_name", default: hostname)
        evidence.policyID = try table.string("policy_id", default: EvidenceRecord.Issuer.defaultPolicyID)
        let arcs = evidence.policyID.split(separator: ".", omittingEmptySubsequences: false)
        guard arcs.count >= 2,
            arcs.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            ["0", "1", "2"].contains(arcs[0])
        else {
            throw ConfigurationError(key: "evidence.policy_id", "must be an object identifier like 1.3.6.1.4.1.99999.1")
        }
        evidence.policyURL = try table.optionalString("policy_url")
        evidence.renewWithinDays = try table.int("renew_within_days", default: 90, in: 1...3_650)
        evidence.crls = try table.strings("crls", default: [], keepingCase: true).map { Self.resolve($0, base: base) }
        guard FileManager.default.fileExists(atPath: certificate) else {
            throw ConfigurationError(
                key: "evidence.certificate",
                "file \(certificate) does not exist (`fefaent keys init` makes one)"
            )
        }
        return evidence
    }

    /// `[dkim]`: the key that signs certified copies. Without `key`, copies go out unsigned.
    private static func parseDKIM(_ table: TableReader, certifiers: [String], base: String) throws -> DKIM? {
        try table.allowOnly(["domain", "selector", "key"])
        guard let key = try table.optionalString("key").map({ Self.resolve($0, base: base) }) else { return nil }
        let defaultDomain = certifiers[0].split(separator: "@").last.map(String.init) ?? ""
        let domain = try table.string("domain", default: defaultDomain).lowercased()
        let selector = try table.string("selector", default: "fefaent")
        guard !domain.isEmpty, !selector.isEmpty,
            !selector.contains(".") || selector.split(separator: ".").allSatisfy({ !$0.isEmpty })
        else {
            throw ConfigurationError(key: "dkim", "domain and selector must be DNS labels")
        }
        let pem: String
        do {
            pem = try String(contentsOfFile: key, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: "dkim.key", "cannot read \(key) (`fefaent keys init` writes keys/dkim.key)")
        }
        do {
            _ = try DKIMSigner.Key(pem: pem)
        } catch {
            throw ConfigurationError(key: "dkim.key", "\(key): \(error.description)")
        }
        return DKIM(domain: domain, selector: selector, keyPath: key)
    }

    static let tlsPolicies = ["disabled", "opportunistic", "required", "verify"]

    static func parseDelivery(_ table: TableReader, hostname: String, base: String) throws -> Delivery {
        try table.allowOnly([
            "helo_name", "tls", "routes", "tls_policy", "retry_initial", "retry_maximum", "lifetime", "concurrency",
            "poll_interval_ms", "connect_timeout", "reply_timeout", "nameserver", "mx_port", "delay_warning",
            "destination_concurrency", "tls_ca_file", "connection_cache_ms", "bounce_size_limit"
        ])
        var nameserver: HostPort?
        if let text = try table.optionalString("nameserver") {
            let (host, port) = try TableReader.hostAndPort(text, key: "delivery.nameserver")
            guard host.split(separator: ".").count == 4, host.split(separator: ".").allSatisfy({ UInt8($0) != nil })
            else {
                throw ConfigurationError(
                    key: "delivery.nameserver",
                    "must be an IPv4 address and port, e.g. \"127.0.0.1:53\""
                )
            }
            nameserver = HostPort(host: host, port: port)
        }
        let tls = try table.string("tls", default: "opportunistic")
        guard Self.tlsPolicies.contains(tls) else {
            throw ConfigurationError(
                key: "delivery.tls",
                "must be disabled, opportunistic, required or verify, not \"\(tls)\""
            )
        }
        var routes: [String: HostPort] = [:]
        let routeTable = try table.table("routes")
        for domain in routeTable.table.keys.sorted() {
            let key = "delivery.routes.\"\(domain)\""
            guard let value = routeTable.table[domain]?.string else {
                throw ConfigurationError(key: key, "must be a string \"host:port\"")
            }
            let (host, port) = try TableReader.hostAndPort(value, key: key)
            routes[domain.lowercased()] = HostPort(host: host, port: port)
        }
        var policies: [String: String] = [:]
        let policyTable = try table.table("tls_policy")
        for domain in policyTable.table.keys.sorted() {
            guard let value = policyTable.table[domain]?.string, Self.tlsPolicies.contains(value) else {
                throw ConfigurationError(
                    key: "delivery.tls_policy.\"\(domain)\"",
                    "must be disabled, opportunistic, required or verify"
                )
            }
            policies[domain.lowercased()] = value
        }
        let initial = try table.int("retry_initial", default: 300, in: 1...86_400)
        return Delivery(
            heloName: try table.string("helo_name", default: hostname),
            tls: tls,
            routes: routes,
            tlsPolicies: policies,
            retryInitialSeconds: initial,
            retryMaximumSeconds: try table.int("retry_maximum", default: max(3_600, initial), in: initial...864_000),
            lifetimeSeconds: try table.int("lifetime", default: 5 * 86_400, in: 60...30 * 86_400),
            concurrency: try table.int("concurrency", default: 100, in: 1...10_000),
            tlsCAFile: try table.optionalString("tls_ca_file").map { Self.resolve($0, base: base) },
            destinationConcurrency: try table.int("destination_concurrency", default: 20, in: 1...10_000),
            pollIntervalMilliseconds: try table.int("poll_interval_ms", default: 1_000, in: 10...60_000),
            connectionCacheMilliseconds: try table.int("connection_cache_ms", default: 2_000, in: 0...60_000),
            bounceSizeLimit: try table.int("bounce_size_limit", default: 50_000, in: 0...1_073_741_824),
            connectTimeoutSeconds: try table.int("connect_timeout", default: 30, in: 1...600),
            replyTimeoutSeconds: try table.int("reply_timeout", default: 300, in: 1...3_600),
            nameserver: nameserver,
            mxPort: try table.int("mx_port", default: 25, in: 1...65_535),
            delayWarningSeconds: try table.int("delay_warning", default: 4 * 3_600, in: 0...30 * 86_400)
        )
    }

    static func resolve(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardized.path
    }
}
