//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Certification
import Foundation
public import Hummingbird
public import Logging
import NIOCore
public import NIOPosix
import Metrics
import Spool

/// The HTTP side of Fefaent (Hummingbird): the certified copies' tracking pixel, health, metrics.
///
/// - `GET /o/{token}.gif`: a 1x1 transparent GIF, `Cache-Control: no-store`; a fetch of a known
///   token is recorded (TrackingResourceFetched), an unknown one gets the same image and no record.
/// - `GET /healthz`: `ok` while the daemon runs.
/// - `GET /metrics`: Prometheus text format, from swift-metrics.
public enum HTTPFront {
    /// The application, a `Service` to run in the daemon's service group.
    public static func application(
        host: String,
        port: Int,
        tracker: PixelTracker?,
        metrics: FefaentMetrics,
        threadPool: NIOThreadPool,
        logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router(context: FrontContext.self)
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render()))
            )
        }
        router.get("/o/:name") { request, context -> Response in
            let name = context.parameters.get("name") ?? ""
            if name.hasSuffix(".gif"), let tracker {
                let token = String(name.dropLast(4))
                let clientIP = context.remoteAddress?.ipAddress ?? ""
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
            configuration: .init(address: .hostname(host, port: port), serverName: "Fefaent"),
            logger: logger
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

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
