//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CMalloc

/// Makes large buffers go back to the system when they are freed.
///
/// glibc maps an allocation over its mmap threshold (128 KiB) on its own and unmaps it when freed,
/// but the first such free raises the threshold (up to 32 MiB), so later large buffers come from the
/// heap arenas and stay there once freed. An evidence PDF that embeds a 20 MB mail, and the notice
/// that carries it, then left the daemon at several hundred megabytes after the notices were sent
/// (`bench/delivery-memory.sh` with `CERTIFIED=1 NOTICES=1`: 329 MB peak, 178 MB with the threshold
/// fixed). Setting the threshold turns the adjustment off; the SMTP and queue paths allocate far
/// below it and are not affected.
enum MemoryReturn {
    /// Buffers from this size on are mapped on their own and unmapped when freed.
    static let threshold: Int32 = 256 * 1024

    /// Whether the threshold is now fixed (not on a C library other than glibc).
    static func configure() -> Bool {
        fefaent_set_mmap_threshold(threshold) == 1
    }
}
