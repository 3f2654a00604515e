//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Metrics
import NIOConcurrencyHelpers
public import Prometheus

/// The daemon's metrics: swift-metrics, bootstrapped once per process with a Prometheus registry that
/// `GET /metrics` renders. The modules count with `Counter(label:)`; the queue size is read at each
/// scrape.
public final class FefaentMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let queueSize: @Sendable () -> Int

    /// `queueSize` reads the number of recipients waiting.
    public init(queueSize: @escaping @Sendable () -> Int) {
        self.registry = Self.bootstrap()
        self.queueSize = queueSize
    }

    /// Bootstraps swift-metrics with the process's registry (the first call does; later calls reuse it).
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry {
        Self.shared.withLockedValue { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            registry = created
            return created
        }
    }

    private static let shared = NIOLockedValueBox<PrometheusCollectorRegistry?>(nil)

    func refreshGauges() {
        Gauge(label: "fefaent_queue_recipients").record(self.queueSize())
    }

    /// The Prometheus text.
    func render() -> [UInt8] {
        self.refreshGauges()
        return self.registry.emitToBuffer()
    }
}
