//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Certification
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import Spool

/// Openum's links: `GET /d/{token}` shows the landing page, `POST /d/{token}/open` hands the document
/// over and records ContentHandover. Only the recipient's explicit act counts: a HEAD request, a
/// known scanner's fetch, or a form posted without the cookie the landing page set (a link checker
/// replaying the form) is recorded as a fetch that is no access, and nothing is served.
extension HTTPFront {
    static let openumCookie = "fefaent_d"

    static func addOpenumRoutes(
        to router: Router<FrontContext>,
        spool: Spool,
        clientAddress: @escaping @Sendable (Request, FrontContext) -> String,
        threadPool: NIOThreadPool,
        logger: Logger
    ) {
        let database = spool.database
        @Sendable func language(_ request: Request, _ link: OpenumLink?) -> VerificationPage.Language {
            if request.headers[.acceptLanguage] == nil, request.uri.queryParameters.get("lang") == nil, let link {
                return VerificationPage.Language(rawValue: link.language.rawValue) ?? .english
            }
            return VerificationPage.Language(
                query: request.uri.queryParameters.get("lang"),
                acceptLanguage: request.headers[.acceptLanguage]
            )
        }
        @Sendable func record(
            _ token: String,
            _ classification: DocumentAccess.Classification,
            _ request: Request,
            _ context: FrontContext
        ) async throws -> (event: DocumentAccess, evidenceID: String, link: OpenumLink)? {
            let ip = clientAddress(request, context)
            let agent = request.headers[.userAgent] ?? ""
            let recorded = try await threadPool.runIfActive {
                try database.recordDocumentAccess(
                    token: token,
                    classification: classification,
                    clientIP: ip,
                    userAgent: agent
                )
            }
            if let recorded {
                Counter(
                    label: "fefaent_openum_fetches_total",
                    dimensions: [("kind", recorded.event.classification.rawValue)]
                )
                .increment()
                logger.info(
                    "openum link used",
                    metadata: [
                        "queue_id": "\(recorded.event.queueID)", "outcome": "\(recorded.event.outcome.rawValue)",
                        "classification": "\(recorded.event.classification.rawValue)",
                        "evidence_id": "\(recorded.evidenceID)"
                    ]
                )
            }
            return recorded
        }
        @Sendable func page(
            _ status: HTTPResponse.Status,
            _ html: String,
            nonce: String? = nil,
            token: String = ""
        )
            -> Response
        {
            var response = Self.html(status, html)
            response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
            response.headers[.xContentTypeOptions] = "nosniff"
            if let nonce {
                response.headers[.setCookie] =
                    "\(Self.openumCookie)=\(nonce); Path=/d/\(token); Max-Age=3600; HttpOnly; SameSite=Strict"
            }
            return response
        }
        /// The link a well-formed token names, if any.
        @Sendable func link(_ token: String) async throws -> OpenumLink? {
            guard TrackingToken.isWellFormed(token) else { return nil }
            return try await threadPool.runIfActive { try database.openumLink(token: token) }
        }
        router.get("/d/:token") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            guard let link = try await link(token) else {
                return page(.notFound, OpenumPage.render(language: language(request, nil), link: nil, nonce: nil))
            }
            let chosen = language(request, link)
            if link.isExpired(at: Date()) {
                return page(.gone, OpenumPage.render(language: chosen, link: link, nonce: nil))
            }
            if FetchClassifier.classify(userAgent: request.headers[.userAgent] ?? "") != .mailClient {
                // A scanner or a proxy: recorded as such; it gets the page, never the document.
                _ = try await record(token, .knownScanner, request, context)
            }
            let nonce = TrackingToken.make()
            return page(.ok, OpenumPage.render(language: chosen, link: link, nonce: nonce), nonce: nonce, token: token)
        }
        router.head("/d/:token") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            guard TrackingToken.isWellFormed(token), try await record(token, .headRequest, request, context) != nil
            else {
                return Response(status: .notFound)
            }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"])
        }
        router.post("/d/:token/open") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            guard let link = try await link(token) else {
                return page(.notFound, OpenumPage.render(language: language(request, nil), link: nil, nonce: nil))
            }
            let chosen = language(request, link)
            var request = request
            let body = try await request.collectBody(upTo: 4096)
            let posted = Self.formField("nonce", in: String(buffer: body))
            let cookie = Self.cookie(Self.openumCookie, in: request.headers[values: .cookie])
            guard let posted, let cookie, !posted.isEmpty, posted == cookie else {
                _ = try await record(token, .noCookieRoundTrip, request, context)
                let nonce = TrackingToken.make()
                return page(
                    .badRequest,
                    OpenumPage.render(language: chosen, link: link, nonce: nonce, problem: "again"),
                    nonce: nonce,
                    token: token
                )
            }
            if link.isExpired(at: Date()) {
                _ = try await record(token, .recipient, request, context)  // recorded as a try on an expired link
                return page(.gone, OpenumPage.render(language: chosen, link: link, nonce: nil))
            }
            // The file is read (and its digest checked) first: a handover is recorded only when the
            // certified document is there to hand over.
            let document: [UInt8]
            do {
                document = try await threadPool.runIfActive { try spool.openumDocument(link) }
            } catch {
                logger.error(
                    "openum document unavailable",
                    metadata: ["queue_id": "\(link.queueID)", "error": "\(error)"]
                )
                return page(
                    .serviceUnavailable,
                    OpenumPage.render(language: chosen, link: link, nonce: nil, problem: "unavailable")
                )
            }
            guard let recorded = try await record(token, .recipient, request, context),
                recorded.event.outcome == .handover
            else {
                return page(.gone, OpenumPage.render(language: chosen, link: link, nonce: nil))
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: link.document.contentType,
                    .contentDisposition: Self.attachmentDisposition(link.document.name),
                    .cacheControl: "no-store",
                    .xContentTypeOptions: "nosniff",
                    HTTPField.Name("X-Fefaent-Evidence")!: recorded.evidenceID
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: document))
            )
        }
    }

    /// `attachment; filename="…"` with an ASCII fallback and RFC 6266's `filename*` for the real name.
    static func attachmentDisposition(_ name: String) -> String {
        let ascii = String(
            name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" }
        )
        let encoded =
            name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: ".-_"))) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// A field of an `application/x-www-form-urlencoded` body.
    static func formField(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    /// A cookie's value from the `Cookie` fields.
    static func cookie(_ name: String, in fields: [String]) -> String? {
        for field in fields {
            for item in field.split(separator: ";") {
                let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }
}
