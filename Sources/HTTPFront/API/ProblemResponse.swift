//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import FefaentAPI
import Foundation
import Hummingbird
import NIOCore

/// RFC 9457 problem details of API v1: one `type` URI per kind of problem, documented in docs/api.md.
enum APIProblem: String, Sendable {
    case unauthorized = "unauthorized"
    case rateLimited = "rate-limited"
    case tooLarge = "too-large"
    case invalidRequest = "invalid-request"
    case unsupportedMediaType = "unsupported-media-type"
    case senderNotAllowed = "sender-not-allowed"
    case insufficientUnits = "insufficient-units"
    case noRecipients = "no-recipients"
    case idempotencyKeyReused = "idempotency-key-reused"
    case idempotencyKeyInFlight = "idempotency-key-in-flight"
    case notFound = "not-found"
    case evidenceNotReady = "evidence-not-ready"
    case unavailable = "unavailable"

    var title: String {
        switch self {
        case .unauthorized: "No valid API key"
        case .rateLimited: "Too many requests"
        case .tooLarge: "The request is too large"
        case .invalidRequest: "The request is not valid"
        case .unsupportedMediaType: "Unsupported media type"
        case .senderNotAllowed: "The account may not send from this address"
        case .insufficientUnits: "The account's units do not cover the mail"
        case .noRecipients: "No recipient"
        case .idempotencyKeyReused: "The idempotency key was used for another request"
        case .idempotencyKeyInFlight: "A request with this idempotency key is still running"
        case .notFound: "Not found"
        case .evidenceNotReady: "The evidence is not complete yet"
        case .unavailable: "Not available now"
        }
    }

    var status: Int {
        switch self {
        case .unauthorized: 401
        case .rateLimited: 429
        case .tooLarge: 413
        case .invalidRequest: 400
        case .unsupportedMediaType: 415
        case .senderNotAllowed: 403
        case .insufficientUnits: 402
        case .noRecipients: 422
        case .idempotencyKeyReused: 422
        case .idempotencyKeyInFlight: 409
        case .notFound: 404
        case .evidenceNotReady: 409
        case .unavailable: 503
        }
    }

    /// The body, as the generated types carry it.
    func body(_ detail: String, smtpReply: String? = nil) -> Components.Schemas.Problem {
        Components.Schemas.Problem(
            _type: "https://fefaent.org/problems/\(self.rawValue)",
            title: self.title,
            status: self.status,
            detail: detail,
            smtpReply: smtpReply
        )
    }

    /// A whole response, for the middleware that answers before the generated handlers run.
    func response(_ detail: String, headers extra: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self.body(detail))) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json", .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Response(
            status: HTTPResponse.Status(code: self.status),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
