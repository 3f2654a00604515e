//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Spool

/// Records delivery outcomes in batches: the jobs that finished while the previous batch was being
/// written share one transaction and one WAL sync (as the spool's group commit does for acceptance).
/// A job's `record` returns once its outcomes are on disk, so no notice goes out about an outcome
/// the queue could still lose.
final class OutcomeRecorder: Sendable {
    private struct Pending {
        var attempts: [RecordedAttempt]
        var now: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var writing = false
    }

    private let state = NIOLockedValueBox(State())
    private let database: SpoolDatabase
    private let threadPool: NIOThreadPool

    init(database: SpoolDatabase) {
        self.database = database
        self.threadPool = NIOThreadPool(numberOfThreads: 1)
        self.threadPool.start()
    }

    func record(_ attempts: [RecordedAttempt], now: Date) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startWriting = self.state.withLockedValue { state -> Bool in
                state.pending.append(Pending(attempts: attempts, now: now, continuation: continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriting {
                self.threadPool.submit { _ in self.drain() }
            }
        }
    }

    private func drain() {
        while true {
            let batch = self.state.withLockedValue { state -> [Pending] in
                let batch = state.pending
                state.pending.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try self.database.record(batches: batch.map { ($0.attempts, $0.now) })
                for pending in batch { pending.continuation.resume() }
            } catch {
                for pending in batch { pending.continuation.resume(throwing: error) }
            }
        }
    }

    func shutdown() async throws {
        try await self.threadPool.shutdownGracefully()
    }
}
