//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process's file descriptor limit, raised at start-up from the soft to the hard limit (as
/// nginx's `worker_rlimit_nofile` does): every SMTP session holds one, and the spool, the databases
/// and the listeners need a few dozen more.
enum DescriptorLimit {
    /// What the daemon itself keeps open besides its sessions (databases, segments, listeners, pools).
    static let reserve = 128

    /// Raises the soft limit to the hard one; returns the limit now in force.
    @discardableResult
    static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 {
                limit = raised
            }
        }
        return limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// Raises the limit and says, once, whether `[limits] connections` fits under it.
    static func prepare(connections: Int, logger: Logger) {
        let available = Self.raise()
        guard available < connections + Self.reserve else { return }
        logger.warning(
            "fewer file descriptors than [limits] connections needs; when they run out, listeners pause",
            metadata: ["nofile": "\(available)", "connections": "\(connections)", "reserve": "\(Self.reserve)"]
        )
    }
}
