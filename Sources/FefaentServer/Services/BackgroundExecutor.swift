//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOPosix

/// A task executor on threads of its own at a lower priority (nice 10), for work that may lag behind
/// acceptance and delivery: the notices, whose evidence PDFs take most of a certified mail's CPU.
///
///     try await withTaskExecutorPreference(executor) { try await notices.sendPending() }
final class BackgroundExecutor: TaskExecutor, Sendable {
    private let pool: NIOThreadPool

    init(threads: Int) {
        self.pool = NIOThreadPool(numberOfThreads: threads)
        self.pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.pool.submit { _ in
            EvidenceService.lowerThisThreadsPriority()
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    func shutdown() async throws {
        try await self.pool.shutdownGracefully()
    }
}
