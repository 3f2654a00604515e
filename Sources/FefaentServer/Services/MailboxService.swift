//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Certification
import Logging
import NIOPosix
import ServiceLifecycle
import Spool

/// Keeps the reception mailboxes current: reads the table again (so `fefaent mailbox add|set|remove`
/// takes effect within `interval`), and stores again any Maildir copy a crash or a full disk left
/// unconfirmed.
struct MailboxService: Service {
    let directory: MailboxDirectory
    let spool: Spool
    /// Writes copies again off the cooperative pool (file I/O and syncs).
    let threadPool: NIOThreadPool
    let logger: Logger
    var interval: Duration = .seconds(1)

    func run() async throws {
        var round = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try self.directory.refresh()
                // At start, then every 30 rounds: copies whose storing was not confirmed.
                if round % 30 == 0 {
                    let written = try await self.threadPool.runIfActive { try self.spool.storeUnstoredReceptions() }
                    if written > 0 {
                        self.logger.notice(
                            "received mail stored again in its Maildir",
                            metadata: ["copies": "\(written)"]
                        )
                    }
                }
            } catch {
                self.logger.error("cannot read the reception mailboxes", metadata: ["error": "\(error)"])
            }
            round += 1
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }
}
