//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

/// Brings files and queue into agreement at start-up, before any session runs.
///
/// - Temporary files are half-received messages whose client never got `250`: removed.
/// - Segment and message files no row names were written by a batch whose transaction never
///   committed (the client never got `250` either): removed.
/// - A queued row whose file is missing or shorter than the row says cannot be delivered: it is
///   marked `missing` and logged, never silently dropped.
struct SpoolRecovery {
    struct Report {
        var removedTemporaryFiles = 0
        var removedOrphanFiles = 0
        var missingMessages: [String] = []

        var isEmpty: Bool {
            self.removedTemporaryFiles == 0 && self.removedOrphanFiles == 0 && self.missingMessages.isEmpty
        }
    }

    let layout: SpoolLayout
    let database: SpoolDatabase

    func run() throws -> Report {
        var report = Report()
        for name in self.files(in: SpoolLayout.temporaryFolder) {
            POSIX.unlink(self.layout.path(SpoolLayout.temporaryFolder + "/" + name))
            report.removedTemporaryFiles += 1
        }
        let referenced = try self.database.referencedPaths()
        for folder in [SpoolLayout.segmentFolder, SpoolLayout.messageFolder] {
            for name in self.files(in: folder) where !referenced.contains(folder + "/" + name) {
                POSIX.unlink(self.layout.path(folder + "/" + name))
                report.removedOrphanFiles += 1
            }
        }
        for extent in try self.database.storageExtents() {
            let size = POSIX.fileSize(self.layout.path(extent.path))
            if size == nil || size! < extent.end {
                report.missingMessages.append(extent.id)
            }
        }
        try self.database.markMissing(ids: report.missingMessages)
        return report
    }

    private func files(in folder: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: self.layout.path(folder))) ?? []
    }
}
