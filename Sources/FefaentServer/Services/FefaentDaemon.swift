//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Logging
public import NIOCore
import NIOPosix
import NIOSSL
public import Delivery
public import Certification
import Crypto
import Evidence
import Foundation
import MailMessage
import HTTPFront
import HummingbirdBcrypt
import SMTPCore
public import SMTPNIO
public import ServiceLifecycle
import UnixSignals
public import Spool

/// The daemon: the spool, the SMTP listeners, and the order they start and stop in.
///
///     let daemon = try FefaentDaemon(configuration: configuration, logger: logger)
///     try await daemon.serviceGroup().run()            // binds, then runs until SIGTERM / SIGINT
///
/// The listeners bind inside the service group, after it traps SIGTERM and SIGINT: a client that can
/// connect can count on a drain, never on a process killed by a signal that came too early.
/// (``bind()`` binds them beforehand, for callers that need the addresses of port 0 listeners.)
///
/// On SIGTERM the listeners stop accepting, sessions finish the message they are receiving and
/// get `421`, then the spool's committer drains and closes.
public final class FefaentDaemon: Sendable {
    public let configuration: FefaentConfiguration
    public let spool: Spool
    public let servers: [SMTPServer]
    public let deliveryRunner: DeliveryRunner
    /// The evidence writer, when `[evidence]` is configured.
    public let evidence: EvidenceService?
    /// Sends checkpoints to `[evidence] witnesses`, when there are any.
    public let witnesses: WitnessService?
    /// The certification's settings, when `[dkim]` names a key (without one nothing can be certified).
    public let certification: CertificationSettings?
    /// Sends the notices of certified mail (with `[dkim]` and `[evidence]`).
    public let notices: NoticeDispatcher?
    /// The HTTP front (pixel, health, metrics), when `[http] listen` is given.
    let http: (any Service)?
    /// The reception mailboxes (the table and the config's `reception_mailboxes`).
    public let mailboxes: MailboxDirectory
    let mailboxService: MailboxService
    /// Sends the webhook outbox.
    let webhookService: WebhookService
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let authenticationPool: NIOThreadPool
    /// Plans certified copies (CPU: parsing and hashing the original), apart from the file reads.
    private let copyPool: NIOThreadPool
    private let logger: Logger

    public init(configuration: FefaentConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        // A private key every user of the machine can read is no longer private: refuse to start.
        for exposure in KeyFilePermissions.exposures(of: configuration) {
            guard !exposure.worldReadable else {
                throw ConfigurationError(key: exposure.key, exposure.description)
            }
            logger.warning("a private key is readable by its group", metadata: ["key": "\(exposure)"])
        }
        FefaentMetrics.bootstrap()
        DescriptorLimit.prepare(connections: configuration.clientLimits.connections, logger: logger)
        self.spool = try Spool(
            directory: configuration.spoolDirectory,
            attestsEvents: configuration.evidence != nil,
            parserOptions: configuration.messageStructure,
            logger: logger
        )
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        self.group = group
        self.threadPool = NIOThreadPool(numberOfThreads: 2)
        self.threadPool.start()
        let tls = try Self.makeTLSContext(configuration)
        let dns = DNSResolver(
            nameserver: configuration.delivery.nameserver.map { ($0.host, $0.port) },
            threadPool: self.threadPool
        )
        let certification = try Self.makeCertificationSettings(configuration)
        self.certification = certification
        self.authenticationPool = NIOThreadPool(numberOfThreads: max(1, System.coreCount / 2))
        self.authenticationPool.start()
        self.copyPool = NIOThreadPool(numberOfThreads: System.coreCount)
        self.copyPool.start()
        var sink = SpoolMessageSink(
            spool: self.spool,
            threadPool: self.threadPool,
            logger: logger,
            authenticationPool: self.authenticationPool,
            decoyHash: Bcrypt.hash(TrackingToken.make(), cost: UInt8(configuration.bcryptCost))
        )
        if let certification {
            sink.certification = CertificationIngress(
                gate: CertificationGate(
                    settings: certification,
                    database: self.spool.database,
                    resolver: LibresolvMailDNS(resolver: dns)
                ),
                spool: self.spool,
                threadPool: self.threadPool,
                logger: logger
            )
        } else if !configuration.certifierAddresses.isEmpty {
            logger.warning("no [dkim] key: certification is off, mail to the certifier is queued but not certified")
        }
        let mailboxes = MailboxDirectory(
            configured: configuration.receptionMailboxes.map {
                ReceptionMailbox(address: $0, maildir: configuration.spoolDirectory + "/mailboxes/" + $0.lowercased())
            },
            database: self.spool.database
        )
        try mailboxes.refresh()
        self.mailboxes = mailboxes
        self.mailboxService = MailboxService(
            directory: mailboxes,
            spool: self.spool,
            threadPool: self.threadPool,
            logger: logger
        )
        let policy = IngressPolicy(
            certifierAddresses: Set(configuration.certifierAddresses),
            receptionDirectory: mailboxes.ingressDirectory,
            systemDomains: configuration.systemDomains.isEmpty ? nil : Set(configuration.systemDomains)
        )
        sink.reception = ReceptionIngress(
            spool: self.spool,
            directory: mailboxes,
            authenticator: SenderAuthenticator(resolver: LibresolvMailDNS(resolver: dns)),
            policy: AcknowledgementPolicy(canAcknowledge: certification != nil && configuration.evidence != nil) {
                [certifiers = policy.certifierAddresses, domains = policy.systemDomains] in
                let domain = $0.split(separator: "@").last.map(String.init) ?? ""
                return certifiers.contains($0) || domains.contains(domain) || mailboxes.mailbox(for: $0) != nil
            },
            hostname: configuration.hostname,
            unitSize: configuration.certification.unitSize,
            threadPool: self.threadPool,
            logger: logger
        )
        let session = ServerSessionConfiguration(
            hostname: configuration.hostname,
            maximumRecipients: configuration.maximumRecipients,
            maximumMessageSize: configuration.maximumMessageSize,
            maximumErrors: configuration.maximumErrors,
            policy: policy
        )
        self.deliveryRunner = DeliveryRunner(
            spool: self.spool,
            configuration: Self.makeDeliveryConfiguration(configuration),
            group: group,
            tls: try Self.makeClientTLSContext(),
            verifyingTLS: try Self.makeVerifyingClientTLSContext(caFile: configuration.delivery.tlsCAFile),
            resolver: dns,
            fileReadPool: self.threadPool,
            copies: certification.map { [database = self.spool.database] in
                CertifiedCopies(settings: $0, database: database)
            },
            copyPool: self.copyPool,
            logger: logger
        )
        let spool = self.spool
        let evidence = try configuration.evidence.map {
            try Self.makeEvidenceService($0, spool: spool, logger: logger)
        }
        self.evidence = evidence
        // The fonts and the PDF key are read once, for the notices and the API.
        let evidencePDF = try evidence.flatMap { evidence in
            try configuration.evidence.flatMap {
                try Self.makeEvidencePDF(evidence: evidence, configuration: $0, spool: spool, logger: logger)
            }
        }
        if let certification, let evidence, let settings = configuration.evidence {
            self.notices = Self.makeNoticeDispatcher(
                settings: certification,
                evidence: evidence,
                configuration: settings,
                makePDF: evidencePDF,
                spool: spool,
                logger: logger
            )
        } else {
            self.notices = nil
        }
        if let http = configuration.http {
            let database = spool.database
            // Read once for both verifiers of the page.
            let keys = try configuration.evidence.map(EvidenceKeys.init)
            let api = APISettings(
                ingress: sink.certification,
                database: database,
                log: evidence?.log,
                evidencePDF: evidencePDF,
                ratePerSecond: Double(configuration.httpFront.apiRate),
                burst: configuration.httpFront.apiBurst,
                // A JSON mail carries its attachments in base64: a third more, and room for the fields.
                largestBody: configuration.certification.messageSize / 3 * 4 + 1024 * 1024
            )
            self.http = try HTTPFront.application(
                host: http.host,
                port: http.port,
                tracker: certification.map { _ in PixelTracker(database: database) },
                log: evidence?.log,
                verifyPDF: keys.map { keys in
                    let logKey = evidence.map { ($0.log.origin, keys.logKey.publicKey) }
                    return { pdf in
                        EvidencePDFVerifier.verify(pdf: pdf, trustedRoots: keys.trustedRoots, logKey: logKey)
                    }
                },
                verifyEvidenceID: keys.flatMap { keys in
                    evidence.map { Self.evidenceIDVerifier(log: $0.log, keys: keys) }
                },
                verifyBundle: keys.map { keys in
                    let logKey = evidence.map { ($0.log.origin, keys.logKey.publicKey) }
                    return { files in
                        EvidenceBundleVerifier.verify(files: files, trustedRoots: keys.trustedRoots, logKey: logKey)
                            .report
                    }
                },
                api: api,
                // Openum needs the certification (the links are certified copies) and the evidence.
                openum: certification != nil && evidence != nil ? spool : nil,
                clientAddress: ClientAddressResolver(
                    trustedProxies: configuration.httpFront.trustedProxies.compactMap(IPNetwork.init)
                ),
                tls: configuration.httpFront.tls ? try Self.makeServerTLSConfiguration(configuration) : nil,
                metrics: FefaentMetrics(queueSize: { (try? database.waitingRecipientCount()) ?? 0 }),
                threadPool: self.threadPool,
                logger: logger
            )
        } else {
            self.http = nil
        }
        if let evidence, let settings = configuration.evidence, !settings.witnesses.isEmpty {
            self.witnesses = WitnessService(
                urls: settings.witnesses,
                log: evidence.log,
                database: spool.database,
                interval: .milliseconds(settings.checkpointIntervalMilliseconds),
                logger: logger
            )
        } else {
            self.witnesses = nil
        }
        self.webhookService = WebhookService(
            database: spool.database,
            schedule: WebhookRetrySchedule(
                delays: configuration.webhooks.retrySeconds.map(TimeInterval.init),
                lifetime: TimeInterval(configuration.webhooks.lifetimeSeconds)
            ),
            timeout: .seconds(Int64(configuration.webhooks.timeoutSeconds)),
            concurrency: configuration.webhooks.concurrency,
            pollInterval: .milliseconds(200),
            threadPool: self.threadPool,
            logger: logger
        )
        let trusted = configuration.trustedNetworks.compactMap(IPNetwork.init)
        let limits = configuration.clientLimits
        let clients = ClientRegistry(
            limits: ClientLimits(
                connections: limits.connections,
                connectionsPerClient: limits.clientConnections,
                connectionsPerNetwork: limits.networkConnections,
                connectionsPerMinute: limits.clientConnectionRate,
                authenticationFailures: limits.authenticationFailures,
                authenticationWindowSeconds: Double(limits.authenticationWindowSeconds),
                exempt: trusted + (limits.exemptLoopback ? ["127.0.0.0/8", "::1"].compactMap(IPNetwork.init) : [])
            )
        )
        self.servers = configuration.listeners.map { listener in
            var listenerConfiguration = SMTPListenerConfiguration(
                name: listener.name,
                host: listener.host,
                port: listener.port,
                kind: SMTPListenerConfiguration.Kind(rawValue: listener.kind)!,
                session: session,
                tls: tls,
                allowPlaintextAuthenticationOnLoopback: configuration.allowPlaintextAuthenticationOnLoopback,
                commandTimeout: .seconds(Int64(configuration.commandTimeoutSeconds)),
                dataTimeout: .seconds(Int64(configuration.dataTimeoutSeconds))
            )
            listenerConfiguration.trustedNetworks = trusted
            listenerConfiguration.clients = clients
            listenerConfiguration.pace = SessionPace(
                minimumDataRate: limits.minimumDataRate,
                dataRateGraceSeconds: Double(limits.dataRateGraceSeconds),
                sessionTimeLimitSeconds: Double(limits.sessionTimeLimitSeconds)
            )
            listenerConfiguration.requireTLS = listener.requireTLS
            return SMTPServer(
                configuration: listenerConfiguration,
                sink: sink,
                group: group,
                logger: logger
            )
        }
    }

    static func makeCertificationSettings(_ configuration: FefaentConfiguration) throws -> CertificationSettings? {
        guard let dkim = configuration.dkim else { return nil }
        let key: DKIMSigner.Key
        do {
            key = try DKIMSigner.Key(pem: try String(contentsOfFile: dkim.keyPath, encoding: .utf8))
        } catch {
            throw ConfigurationError(key: "dkim.key", "cannot read \(dkim.keyPath): \(error)")
        }
        var settings = CertificationSettings(
            certifierAddresses: configuration.certifierAddresses,
            invoiceAddresses: configuration.certification.invoiceAddresses,
            domain: dkim.domain,
            trackingBaseURL: configuration.certification.trackingURL,
            signer: DKIMSigner(domain: dkim.domain, selector: dkim.selector, key: key),
            maximumMessageSize: configuration.certification.messageSize,
            unitSize: configuration.certification.unitSize,
            hostname: configuration.hostname
        )
        settings.openumAddresses = configuration.certification.openumAddresses.map { $0.lowercased() }
        settings.openumExpiryDays = configuration.certification.openumExpiryDays
        settings.openumReminderDays = configuration.certification.openumReminderDays
        return settings
    }

    static func makeTLSContext(_ configuration: FefaentConfiguration) throws -> NIOSSLContext? {
        guard let tls = try Self.makeServerTLSConfiguration(configuration) else { return nil }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw ConfigurationError(key: "tls", "cannot use the [tls] certificate and key: \(error)")
        }
    }

    /// The `[tls]` certificate and key, TLS 1.2 and later: the SMTP listeners' and the HTTP front's.
    static func makeServerTLSConfiguration(_ configuration: FefaentConfiguration) throws -> TLSConfiguration? {
        guard let certificatePath = configuration.tlsCertificate, let keyPath = configuration.tlsKey else { return nil }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map {
                NIOSSLCertificateSource.certificate($0)
            }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return tls
        } catch {
            throw ConfigurationError(key: "tls", "cannot load \(certificatePath) / \(keyPath): \(error)")
        }
    }

    static func makeDeliveryConfiguration(_ configuration: FefaentConfiguration) -> DeliveryConfiguration {
        let delivery = configuration.delivery
        func policy(_ name: String) -> ClientSessionStateMachine.TLSPolicy {
            ClientSessionStateMachine.TLSPolicy(rawValue: name) ?? .opportunistic
        }
        return DeliveryConfiguration(
            heloName: delivery.heloName,
            routes: RouteTable(routes: delivery.routes.mapValues { RouteTable.Hop(host: $0.host, port: $0.port) }),
            tlsPolicy: policy(delivery.tls),
            domainTLSPolicies: delivery.tlsPolicies.mapValues(policy),
            retry: RetrySchedule(
                initialDelay: TimeInterval(delivery.retryInitialSeconds),
                maximumDelay: TimeInterval(delivery.retryMaximumSeconds),
                lifetime: TimeInterval(delivery.lifetimeSeconds)
            ),
            concurrency: delivery.concurrency,
            destinationConcurrency: delivery.destinationConcurrency,
            pollInterval: .milliseconds(Int64(delivery.pollIntervalMilliseconds)),
            connectTimeout: .seconds(Int64(delivery.connectTimeoutSeconds)),
            replyTimeout: .seconds(Int64(delivery.replyTimeoutSeconds)),
            mxPort: delivery.mxPort,
            delayWarning: TimeInterval(delivery.delayWarningSeconds),
            connectionCacheTime: .milliseconds(Int64(delivery.connectionCacheMilliseconds)),
            bounceSizeLimit: delivery.bounceSizeLimit
        )
    }

    /// Outbound TLS encrypts opportunistically, as Postfix's `may`: the peer certificate is not verified.
    static func makeClientTLSContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        tls.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: tls)
    }

    /// The `verify` policy: the system's trust store, plus the configured CA file.
    static func makeVerifyingClientTLSContext(caFile: String?) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let caFile {
            do {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
            } catch {
                throw ConfigurationError(key: "delivery.tls_ca_file", "cannot read \(caFile): \(error)")
            }
        }
        return try NIOSSLContext(configuration: tls)
    }

    /// Binds every listener; returns the bound addresses in the order of the configuration.
    public func bind() async throws -> [SocketAddress] {
        var addresses: [SocketAddress] = []
        for server in self.servers {
            addresses.append(try await Self.listen(server))
        }
        return addresses
    }

    static func listen(_ server: SMTPServer) async throws -> SocketAddress {
        do {
            return try await server.start()
        } catch {
            throw ConfigurationError(
                key: "listener \(server.configuration.name)",
                "cannot listen on \(server.configuration.host):\(server.configuration.port): \(error)"
            )
        }
    }

    /// The services in start order; a ServiceGroup stops them in reverse (listeners first, spool last).
    public func services() -> [any Service] {
        var services: [any Service] = [SpoolService(daemon: self)]
        if let evidence = self.evidence { services.append(evidence) }
        if let witnesses = self.witnesses { services.append(witnesses) }
        if let notices = self.notices { services.append(notices) }
        if let http = self.http { services.append(http) }
        services.append(self.deliveryRunner)
        services.append(self.mailboxService)
        services.append(self.webhookService)
        for server in self.servers { services.append(ListenerService(server: server, grace: self.grace)) }
        return services
    }

    /// The services that work on their own (evidence, witnesses, notices, HTTP front, delivery), for a
    /// caller that runs them in its own task group (the demo) after ``bind()``.
    public func backgroundServices() -> [any Service] {
        var services: [any Service] = []
        if let evidence = self.evidence { services.append(evidence) }
        if let witnesses = self.witnesses { services.append(witnesses) }
        if let notices = self.notices { services.append(notices) }
        if let http = self.http { services.append(http) }
        services.append(self.deliveryRunner)
        services.append(self.mailboxService)
        services.append(self.webhookService)
        return services
    }

    public func serviceGroup() -> ServiceGroup {
        ServiceGroup(
            services: self.services(),
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: self.logger
        )
    }

    /// Runs until SIGTERM or SIGINT, then stops everything in order.
    public func run() async throws {
        try await self.serviceGroup().run()
    }

    var grace: TimeAmount { .seconds(Int64(self.configuration.shutdownGraceSeconds)) }

    /// Stops listeners (if still running), the committer and the threads.
    public func close() async throws {
        for server in self.servers { await server.shutdown(gracePeriod: self.grace) }
        try self.spool.close()
        try await self.threadPool.shutdownGracefully()
        try await self.authenticationPool.shutdownGracefully()
        try await self.copyPool.shutdownGracefully()
        try await self.group.shutdownGracefully()
    }
}

/// Keeps a listener open until graceful shutdown, then drains its sessions.
struct ListenerService: Service {
    let server: SMTPServer
    let grace: TimeAmount

    func run() async throws {
        if !self.server.isListening {
            _ = try await FefaentDaemon.listen(self.server)
        }
        try? await gracefulShutdown()
        await self.server.shutdown(gracePeriod: self.grace)
    }
}

/// Closes the spool after every listener has stopped.
struct SpoolService: Service {
    let daemon: FefaentDaemon

    func run() async throws {
        try? await gracefulShutdown()
        try await self.daemon.close()
    }
}
