//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Synchronization

/// The ``ClientTable`` of a daemon, shared by all its listeners, behind a lock, on the monotonic clock.
public final class ClientRegistry: Sendable {
    private let table: Mutex<ClientTable>
    private let start = ContinuousClock.now

    public init(limits: ClientLimits) {
        self.table = Mutex(ClientTable(limits: limits))
    }

    private var now: Double {
        let elapsed = ContinuousClock.now - self.start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    public func connect(_ address: String) -> ConnectionRefusal? {
        let now = self.now
        return self.table.withLock { $0.connect(address, now: now) }
    }

    public func disconnect(_ address: String) {
        self.table.withLock { $0.disconnect(address) }
    }

    public func authenticationFailed(_ address: String) -> (delaySeconds: Double, blocked: Bool) {
        let now = self.now
        return self.table.withLock { $0.authenticationFailed(address, now: now) }
    }
}
