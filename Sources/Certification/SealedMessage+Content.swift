//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOPosix
import Spool

extension SealedMessage {
    /// The message as the client sent it, for the end-of-DATA checks: from memory at once, or read
    /// from its spill file on `threadPool` (a file of up to 20 MB never on the cooperative pool).
    func receivedContent(readingFilesOn threadPool: NIOThreadPool) async throws -> [UInt8] {
        if self.isInMemory { return try self.receivedContent() }
        return try await threadPool.runIfActive { try self.receivedContent() }
    }
}
