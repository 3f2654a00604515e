//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle
import Spool

/// Sends the webhook outbox: each event the commit queued is POSTed, signed as Standard Webhooks
/// says, by AsyncHTTPClient; a 2xx answer delivers it, anything else is tried again on the retry
/// schedule until the event is a day old. Every attempt is logged (`fefaent webhook log`). The
/// outbox is a table: a restart loses nothing and sends nothing twice that was answered 2xx.
public struct WebhookService: Service {
    let database: SpoolDatabase
    let schedule: WebhookRetrySchedule
    let timeout: TimeAmount
    let concurrency: Int
    let pollInterval: Duration
    let threadPool: NIOThreadPool
    let logger: Logger

    public func run() async throws {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        )
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let due = try await self.threadPool.runIfActive {
                    try self.database.dueWebhookDeliveries(now: Date(), limit: self.concurrency * 4)
                }
                await withTaskGroup(of: Void.self) { group in
                    var running = 0
                    for (delivery, hook) in due {
                        if running == self.concurrency {
                            await group.next()
                            running -= 1
                        }
                        group.addTask { await self.attempt(delivery, to: hook, client: client) }
                        running += 1
                    }
                }
                if !due.isEmpty { continue }
            } catch {
                self.logger.error("cannot read the webhook outbox", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.pollInterval) }
        }
        try await client.shutdown()
    }

    func attempt(_ delivery: WebhookDelivery, to hook: Webhook, client: HTTPClient) async {
        let started = ContinuousClock.now
        let at = Date()
        var status: Int? = nil
        var failure: String? = nil
        if let key = Webhook.key(ofSecret: hook.secret) {
            var request = HTTPClientRequest(url: hook.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Fefaent-Webhooks/1")
            for (name, value) in WebhookSignature.headers(
                id: delivery.eventID,
                timestamp: Int64(at.timeIntervalSince1970),
                body: delivery.payload,
                key: key
            ) {
                request.headers.add(name: name, value: value)
            }
            request.body = .bytes(ByteBuffer(bytes: delivery.payload))
            do {
                let response = try await client.execute(request, timeout: self.timeout)
                status = Int(response.status.code)
                // The answer's body is not used; read a little of it so the connection can be reused.
                _ = try? await response.body.collect(upTo: 64 * 1024)
            } catch {
                failure = "\(error)"
            }
        } else {
            failure = "the webhook's secret is not whsec_ and base64"
        }
        let elapsed = ContinuousClock.now - started
        let attempt = WebhookAttempt(
            deliveryID: delivery.id,
            at: at,
            status: status,
            error: failure,
            durationMilliseconds: Int(
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
            )
        )
        let retryAt =
            attempt.succeeded
            ? nil : self.schedule.next(after: delivery.attempts + 1, created: delivery.createdAt, now: at)
        do {
            try await self.threadPool.runIfActive { try self.database.recordWebhookAttempt(attempt, retryAt: retryAt) }
        } catch {
            self.logger.error("cannot log a webhook attempt", metadata: ["error": "\(error)"])
        }
        Counter(label: "fefaent_webhook_attempts_total", dimensions: [("result", attempt.succeeded ? "ok" : "error")])
            .increment()
        if !attempt.succeeded {
            self.logger.notice(
                retryAt == nil ? "webhook event given up" : "webhook attempt failed",
                metadata: [
                    "webhook": "\(hook.id ?? 0)", "event": "\(delivery.eventID)",
                    "status": "\(status.map(String.init) ?? "none")", "error": "\(failure ?? "")"
                ]
            )
        }
    }
}
