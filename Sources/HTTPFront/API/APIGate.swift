//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
import Hummingbird
import Logging
import MailMessage
import NIOCore
import NIOPosix
import SMTPNIO
import OpenAPIRuntime
import Spool
import Synchronization

/// Who is calling the API: set by ``APIGate`` for the generated handlers (a task local, as the
/// OpenAPI transport passes no request context).
struct APICaller: Sendable {
    var account: String
    var keyID: String
    var clientAddress: String
    var tls: String?
    /// SHA-256 (hex) of the request body, for idempotency keys.
    var bodySHA256: String

    @TaskLocal static var current: APICaller?
}

/// The door of `/v1/`: a valid, unrevoked API key (`Authorization: Bearer`), the key's rate limit,
/// and a body no larger than the limit, read once here (so the handlers never see more).
struct APIGate: RouterMiddleware {
    typealias Context = FrontContext

    let database: SpoolDatabase
    let limiter: RateLimiter
    let largestBody: Int
    let clientAddress: @Sendable (Request, FrontContext) -> String
    let threadPool: NIOThreadPool
    let logger: Logger
    /// When each key's `last_used_at` was last written (at most once a minute).
    let lastTouched = TouchTimes()

    final class TouchTimes: Sendable {
        let times = Mutex<[String: ContinuousClock.Instant]>([:])
    }

    func handle(
        _ request: Request,
        context: FrontContext,
        next: (Request, FrontContext) async throws -> Response
    ) async throws -> Response {
        let challenge: HTTPFields = [.wwwAuthenticate: "Bearer realm=\"fefaent\""]
        guard let authorization = request.headers[.authorization],
            authorization.count > 7, authorization.prefix(7).lowercased() == "bearer ",
            let (id, secret) = APIKey.parse(String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else {
            return APIProblem.unauthorized.response("send an API key as Authorization: Bearer KEY", headers: challenge)
        }
        let key: APIKey?
        do {
            key = try await self.threadPool.runIfActive { try self.database.apiKey(id: id) }
        } catch {
            self.logger.error("cannot read API keys", metadata: ["error": "\(error)"])
            return APIProblem.unavailable.response("cannot check the API key now; try again later")
        }
        guard let key, key.matches(secret: secret) else {
            return APIProblem.unauthorized.response("unknown API key", headers: challenge)
        }
        guard key.revokedAt == nil else {
            return APIProblem.unauthorized.response("this API key was revoked", headers: challenge)
        }
        if case .limited(let seconds) = self.limiter.take(key.id) {
            return APIProblem.rateLimited.response(
                "this key's rate limit is spent; try again in \(seconds) s",
                headers: [.retryAfter: "\(seconds)"]
            )
        }
        self.touch(key.id)
        var request = request
        var digest = SHA256().finalize()
        if request.method == .post || request.method == .put {
            if let length = request.headers[.contentLength].flatMap(Int.init), length > self.largestBody {
                return APIProblem.tooLarge.response("the body may have at most \(self.largestBody) octets")
            }
            do {
                let body = try await request.collectBody(upTo: self.largestBody)
                digest = body.withUnsafeReadableBytes { SHA256.hash(data: $0) }
            } catch let error as HTTPError where error.status == .contentTooLarge {
                return APIProblem.tooLarge.response("the body may have at most \(self.largestBody) octets")
            }
        }
        let caller = APICaller(
            account: key.account,
            keyID: key.id,
            clientAddress: self.clientAddress(request, context),
            tls: await context.tlsVersion(),
            bodySHA256: Hex.encode(digest)
        )
        do {
            var response = try await APICaller.$current.withValue(caller) { try await next(request, context) }
            // swift-openapi-runtime percent-encodes response header values (apple/swift-openapi-generator#857):
            // a Location of `/v1/messages/ID` would go out as `%2Fv1%2Fmessages%2FID`.
            if let location = response.headers[.location], let decoded = location.removingPercentEncoding {
                response.headers[.location] = decoded
            }
            return response
        } catch let error as ServerError {
            // Thrown before the handler ran: the request did not match the document.
            guard error.operationInput == nil else {
                self.logger.error(
                    "API handler failed",
                    metadata: ["operation": "\(error.operationID)", "error": "\(error)"]
                )
                return APIProblem.unavailable.response("the call failed on the server; try again later")
            }
            let problem: APIProblem =
                error.httpStatus == .unsupportedMediaType ? .unsupportedMediaType : .invalidRequest
            return problem.response("\(error.causeDescription): \(error.underlyingError)")
        }
    }

    private func touch(_ id: String) {
        let now = ContinuousClock.now
        let due = self.lastTouched.times.withLock { touched in
            if let last = touched[id], now - last < .seconds(60) { return false }
            touched[id] = now
            return true
        }
        guard due else { return }
        let database = self.database
        let logger = self.logger
        self.threadPool.submit { state in
            guard case .active = state else { return }
            do { try database.touchAPIKey(id: id) } catch {
                logger.warning("cannot note an API key's use", metadata: ["error": "\(error)"])
            }
        }
    }
}
