//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Synchronization

/// Tells a waiting queue runner that there is new work, as Postfix's cleanup triggers its queue
/// manager: the runner need not wait out its poll interval for a mail just accepted.
///
/// ``ring()`` may be called from any thread, as often as wanted; rings while nobody waits are kept
/// as one. ``wait(upTo:)`` returns at once if there was a ring since the last wait, else at the next
/// ring, after the timeout, or when the waiting task is cancelled, whichever comes first. One task
/// waits at a time (the queue runner).
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var lastID: UInt64 = 0
        /// The newest wait whose timer ran out (or whose task was cancelled) before it was parked.
        var expiredID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// There is new work.
    public func ring() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Waits for a ring, at most `timeout`.
    public func wait(upTo timeout: Duration) async {
        let id = self.state.withLock { state -> UInt64 in
            state.lastID &+= 1
            return state.lastID
        }
        // The timer wakes only this wait: a late timer finds another wait's id and does nothing.
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            self.resume(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = self.state.withLock { state -> Bool in
                    if state.rung || id <= state.expiredID || Task.isCancelled {
                        state.rung = false
                        return true
                    }
                    state.waiter = (id, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            self.resume(id)
        }
        timer.cancel()
    }

    private func resume(_ id: UInt64) {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, waiter.id == id else {
                state.expiredID = max(state.expiredID, id)
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
