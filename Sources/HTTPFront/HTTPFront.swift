//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Certification
public import Evidence
import Foundation
public import Hummingbird
import HTTPTypes
public import Logging
import NIOCore
public import NIOPosix
public import NIOSSL
import HummingbirdTLS
import Metrics
public import Spool

/// The HTTP side of Fefaent (Hummingbird): the certified copies' tracking pixel, health, metrics.
///
/// - `GET /o/{token}.gif`: a 1x1 transparent GIF, `Cache-Control: no-store`; a fetch of a known
///   token is recorded (TrackingResourceFetched), an unknown one gets the same image and no record.
/// - `GET /healthz`: `ok` while the daemon runs.
/// - `GET /metrics`: Prometheus text format, from swift-metrics.
/// - `GET /checkpoint`: the evidence log's latest signed checkpoint (a C2SP signed note), and
///   `GET /log/consistency?from=N&to=M`: the RFC 9162 proof that the log of size `M` extends the
///   log of size `N`, one base64 hash a line (as the tlog-witness protocol sends it), so anyone can
///   watch the log (when the daemon writes evidence).
public enum HTTPFront {
    /// The application, a `Service` to run in the daemon's service group.
    public static func application(
        host: String,
        port: Int,
        tracker: PixelTracker?,
        log: EvidenceLog? = nil,
        verifyPDF: (@Sendable ([UInt8]) -> VerificationReport)? = nil,
        verifyEvidenceID: (@Sendable (String) throws -> VerificationReport?)? = nil,
        verifyBundle: (@Sendable ([String: [UInt8]]) -> VerificationReport)? = nil,
        api: APISettings? = nil,
        openum: Spool? = nil,
        clientAddress: ClientAddressResolver = ClientAddressResolver(trustedProxies: []),
        tls: TLSConfiguration? = nil,
        metrics: FefaentMetrics,
        threadPool: NIOThreadPool,
        logger: Logger
    ) throws -> some ApplicationProtocol {
        let router = Router(context: FrontContext.self)
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render()))
            )
        }
        if let log {
            Self.addLogRoutes(to: router, log: log, threadPool: threadPool)
        }
        if let verifyPDF {
            Self.addVerificationRoutes(
                to: router,
                verifyPDF: verifyPDF,
                verifyEvidenceID: verifyEvidenceID,
                verifyBundle: verifyBundle,
                threadPool: threadPool
            )
        }
        // The client behind the configured proxies, for the records and the API's sessions.
        let client: @Sendable (Request, FrontContext) -> String = { request, context in
            clientAddress.client(
                peer: context.remoteAddress?.ipAddress ?? "",
                forwardedFor: request.headers[values: Self.forwardedFor]
            )
        }
        if let openum {
            Self.addOpenumRoutes(
                to: router,
                spool: openum,
                clientAddress: client,
                threadPool: threadPool,
                logger: logger
            )
        }
        if let api {
            try Self.addAPIRoutes(
                to: router,
                settings: api,
                clientAddress: client,
                threadPool: threadPool,
                logger: logger
            )
        }
        router.get("/o/:name") { request, context -> Response in
            let name = context.parameters.get("name") ?? ""
            if name.hasSuffix(".gif"), let tracker {
                let token = String(name.dropLast(4))
                let clientIP = client(request, context)
                let agent = request.headers[.userAgent] ?? ""
                do {
                    let event = try await threadPool.runIfActive {
                        try tracker.fetched(token: token, clientIP: clientIP, userAgent: agent)
                    }
                    if let event {
                        Counter(label: "fefaent_pixel_fetched_total").increment()
                        logger.info(
                            "pixel fetched",
                            metadata: [
                                "queue_id": "\(event.queueID)", "fetcher": "\(event.fetcher.rawValue)",
                                "first": "\(event.firstFetch)"
                            ]
                        )
                    }
                } catch {
                    logger.error("cannot record a pixel fetch", metadata: ["error": "\(error)"])
                }
            }
            return Self.pixel()
        }
        return Application(
            router: router,
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: .init(address: .hostname(host, port: port), serverName: "Fefaent"),
            logger: logger
        )
    }

    /// `GET /checkpoint` and `GET /log/consistency`.
    static func addLogRoutes(to router: Router<FrontContext>, log: EvidenceLog, threadPool: NIOThreadPool) {
        router.get("/checkpoint") { _, _ -> Response in
            guard let checkpoint = try await threadPool.runIfActive({ try log.store.latestCheckpoint() }) else {
                return Self.text(.notFound, "no checkpoint yet\n")
            }
            return Self.text(.ok, checkpoint.note, contentType: "text/plain; charset=utf-8", cache: "no-cache")
        }
        router.get("/log/consistency") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard let from = query.get("from", as: Int.self), let to = query.get("to", as: Int.self),
                from >= 1, from <= to
            else {
                return Self.text(.badRequest, "give from=N&to=M with 1 <= N <= M (checkpoint sizes)\n")
            }
            let published = try await threadPool.runIfActive { try log.store.lastCheckpointSize() }
            guard to <= published else {
                return Self.text(.badRequest, "the latest checkpoint has size \(published); to=\(to) is beyond it\n")
            }
            let proof = try await threadPool.runIfActive { try log.consistencyProof(from: from, to: to) }
            // The proof between two sizes never changes: it may be cached for good.
            return Self.text(
                .ok,
                proof.hashes.map { Data($0).base64EncodedString() + "\n" }.joined(),
                contentType: "text/plain; charset=utf-8",
                cache: "public, max-age=31536000, immutable"
            )
        }
    }

    /// `GET /verify` (the form) and `POST /verify` (an evidence PDF, as the form's `pdf` field or as
    /// the body itself, checked as `fefaent evidence verify` checks it).
    static func addVerificationRoutes(
        to router: Router<FrontContext>,
        verifyPDF: @escaping @Sendable ([UInt8]) -> VerificationReport,
        verifyEvidenceID: (@Sendable (String) throws -> VerificationReport?)?,
        verifyBundle: (@Sendable ([String: [UInt8]]) -> VerificationReport)?,
        threadPool: NIOThreadPool
    ) {
        @Sendable func language(_ request: Request) -> VerificationPage.Language {
            VerificationPage.Language(
                query: request.uri.queryParameters.get("lang"),
                acceptLanguage: request.headers[.acceptLanguage]
            )
        }
        router.get("/verify") { request, _ -> Response in
            let chosen = language(request)
            // `?id=`: one record of this server's log, exported and verified as an auditor would.
            guard let id = request.uri.queryParameters.get("id"), let verifyEvidenceID else {
                return Self.html(.ok, VerificationPage.render(language: chosen, report: nil))
            }
            let trimmed = id.trimmingCharacters(in: .whitespaces)
            guard trimmed.count <= 64, trimmed.utf8.allSatisfy({ $0 < 0x80 }) else {
                return Self.html(
                    .badRequest,
                    VerificationPage.render(language: chosen, report: nil, problem: "not an evidence id")
                )
            }
            do {
                guard let report = try await threadPool.runIfActive({ try verifyEvidenceID(trimmed) }) else {
                    return Self.html(
                        .notFound,
                        VerificationPage.render(
                            language: chosen,
                            report: nil,
                            problem: "no evidence \(trimmed) in this log"
                        )
                    )
                }
                return Self.html(.ok, VerificationPage.render(language: chosen, report: report, evidenceID: trimmed))
            } catch {
                return Self.html(
                    .serviceUnavailable,
                    VerificationPage.render(
                        language: chosen,
                        report: nil,
                        problem: "cannot verify \(trimmed) now: \(error)"
                    )
                )
            }
        }
        router.post("/verify") { request, _ -> Response in
            let chosen = language(request)
            var request = request
            let body = try await request.collectBody(upTo: Self.largestPDF)
            let contentType = request.headers[.contentType] ?? ""
            let bytes = Array(body.readableBytesView)
            let pdf =
                contentType.lowercased().hasPrefix("multipart/form-data")
                ? VerificationPage.uploadedFile(contentType: contentType, body: bytes) : bytes
            if let zip = pdf, EvidenceZip.isZip(zip), let verifyBundle {
                // An exported evidence folder, zipped: checked file by file as `fefaent evidence verify FOLDER`.
                do {
                    let files = try await threadPool.runIfActive { try EvidenceZip.files(from: zip) }
                    let report = try await threadPool.runIfActive { verifyBundle(files) }
                    return Self.html(.ok, VerificationPage.render(language: chosen, report: report))
                } catch let problem as EvidenceZip.Problem {
                    return Self.html(
                        .badRequest,
                        VerificationPage.render(language: chosen, report: nil, problem: problem.description)
                    )
                }
            }
            guard let pdf, pdf.starts(with: Array("%PDF-".utf8)) else {
                return Self.html(
                    .badRequest,
                    VerificationPage.render(
                        language: chosen,
                        report: nil,
                        problem: "no evidence PDF or zipped evidence folder was sent"
                    )
                )
            }
            let report = try await threadPool.runIfActive { verifyPDF(pdf) }
            return Self.html(.ok, VerificationPage.render(language: chosen, report: report))
        }
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// The largest upload the verification page reads (an evidence PDF embeds the mail: 20 MB and more).
    static let largestPDF = 40 * 1024 * 1024

    static func html(_ status: HTTPResponse.Status, _ page: String) -> Response {
        Self.text(status, page, contentType: "text/html; charset=utf-8", cache: "no-store")
    }

    static func text(
        _ status: HTTPResponse.Status,
        _ body: String,
        contentType: String = "text/plain; charset=utf-8",
        cache: String = "no-store"
    ) -> Response {
        Response(
            status: status,
            headers: [.contentType: contentType, .cacheControl: cache],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// The 1x1 transparent GIF, never cached (each opening fetches it again).
    static func pixel() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "image/gif", .cacheControl: "no-store, no-cache, must-revalidate, max-age=0"],
            body: .init(byteBuffer: ByteBuffer(bytes: Self.transparentGIF))
        )
    }

    /// GIF89a, 1x1, one transparent colour.
    static let transparentGIF: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B
    ]
}

/// The request context of the front: the peer's address, for the fetch records.
public struct FrontContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection, to ask it which TLS version it negotiated.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
    }

    /// `TLSv1.3` or `TLSv1.2` on a TLS listener, `nil` on plain HTTP.
    func tlsVersion() async -> String? {
        guard let version = try? await self.channel.nioSSL_tlsVersion().get() else { return nil }
        switch version {
        case .tlsv13: return "TLSv1.3"
        case .tlsv12: return "TLSv1.2"
        case .tlsv11: return "TLSv1.1"
        case .tlsv1: return "TLSv1"
        }
    }
}
