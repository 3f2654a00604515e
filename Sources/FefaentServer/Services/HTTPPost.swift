//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One HTTP POST over AsyncHTTPClient's shared client (the daemon's one I/O model), for the
/// evidence services that talk to a peer: an external TSA, a tlog witness. Redirects are not
/// followed: a TSA or witness that moves is configured again, not chased. A refused connection
/// fails at once (the callers' own rounds try again later) rather than being retried until the
/// request's deadline, so a TSA that is down defers the time-stamps without holding up the round.
enum HTTPPost {
    /// The answer: its status and at most `limit` octets of its body.
    struct Answer {
        var status: Int
        var body: [UInt8]
    }

    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func send(
        _ body: [UInt8],
        to url: String,
        contentType: String,
        timeout: Duration,
        limit: Int = 1024 * 1024
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: "Fefaent")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await Self.client.execute(request, timeout: TimeAmount(timeout))
        let bytes = try await response.body.collect(upTo: limit)
        return Answer(status: Int(response.status.code), body: Array(buffer: bytes))
    }
}
