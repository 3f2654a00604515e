//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Certification
public import Evidence
import FefaentAPI
import Hummingbird
import Logging
import NIOPosix
import OpenAPIHummingbird
import OpenAPIRuntime
public import Spool

/// What API v1 runs on, from the daemon.
public struct APISettings: Sendable {
    /// `nil` when the daemon cannot certify: sending answers `503`, reading still works.
    public var ingress: CertificationIngress?
    public var database: SpoolDatabase
    public var log: EvidenceLog?
    public var evidencePDF: (@Sendable (String) async throws -> [UInt8])?
    /// Calls per second per key, and how many may come at once.
    public var ratePerSecond: Double
    public var burst: Int
    /// The largest request body (a JSON mail carries its attachments in base64).
    public var largestBody: Int

    public init(
        ingress: CertificationIngress?,
        database: SpoolDatabase,
        log: EvidenceLog?,
        evidencePDF: (@Sendable (String) async throws -> [UInt8])?,
        ratePerSecond: Double,
        burst: Int,
        largestBody: Int
    ) {
        self.ingress = ingress
        self.database = database
        self.log = log
        self.evidencePDF = evidencePDF
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.largestBody = largestBody
    }
}

extension HTTPFront {
    /// `/v1/…`: the generated handlers behind ``APIGate``.
    static func addAPIRoutes(
        to router: Router<FrontContext>,
        settings: APISettings,
        clientAddress: @escaping @Sendable (Request, FrontContext) -> String,
        threadPool: NIOThreadPool,
        logger: Logger
    ) throws {
        let group = router.group()
        group.add(
            middleware: APIGate(
                database: settings.database,
                limiter: RateLimiter(ratePerSecond: settings.ratePerSecond, burst: settings.burst),
                largestBody: settings.largestBody,
                clientAddress: clientAddress,
                threadPool: threadPool,
                logger: logger
            )
        )
        let service = APIService(
            ingress: settings.ingress,
            database: settings.database,
            log: settings.log,
            evidencePDF: settings.evidencePDF,
            largestAttachment: settings.largestBody,
            threadPool: threadPool,
            logger: logger
        )
        try service.registerHandlers(on: group, serverURL: try Servers.Server1.url())
    }
}
