//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The demo's HTTP client (AsyncHTTPClient): a mail client fetching a pixel, a lawyer's browser, an
/// application calling the API, a recipient opening an Openum link.
enum DemoHTTP {
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        var text: String { String(decoding: self.body, as: UTF8.self) }

        func header(_ name: String) -> String? {
            self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        /// The body as JSON (an object).
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(self.body)) as? [String: Any] else {
                throw DemoError("not a JSON object: \(self.text.prefix(200))")
            }
            return object
        }
    }

    static func request(
        _ method: String,
        _ url: String,
        headers: [String: String] = [:],
        body: [UInt8] = []
    ) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Response(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer: bytes)
        )
    }
}
