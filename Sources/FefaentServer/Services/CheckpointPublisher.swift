//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Evidence
import Foundation
public import Logging
import Synchronization

/// Hands every time-stamped checkpoint to a publication folder (`[evidence] publication_folder`),
/// from where it leaves the operator's hands (a web server, a sync to a third party, a witness):
/// `checkpoint-<size>.txt` (the signed note), `checkpoint-<size>.tsr` (its RFC 3161 token) and
/// `latest.txt`. Files are written with a temporary name and a rename, and never rewritten, so
/// a folder copied elsewhere only ever grows; an operator who later rewrites the log cannot produce
/// a log consistent with what was published.
public final class CheckpointPublisher: Sendable {
    public let folder: String
    private let published = Mutex<Int?>(nil)

    public init(folder: String) {
        self.folder = folder
    }

    /// Publishes the stamped checkpoints not published yet.
    public func publish(store: EvidenceStore, logger: Logger) async {
        do {
            let last = try self.publishedSize()
            let fresh = try store.checkpoints(after: last).filter { $0.token != nil }
            for checkpoint in fresh {
                let name = String(format: "checkpoint-%012d", checkpoint.size)
                try Self.writeOnce(Array(checkpoint.note.utf8), to: "\(self.folder)/\(name).txt")
                try Self.writeOnce(checkpoint.token ?? [], to: "\(self.folder)/\(name).tsr")
                try Self.replace(Array(checkpoint.note.utf8), at: "\(self.folder)/latest.txt")
                self.published.withLock { $0 = checkpoint.size }
            }
        } catch {
            logger.error(
                "cannot publish a checkpoint",
                metadata: ["folder": "\(self.folder)", "error": "\(error)"]
            )
        }
    }

    /// The largest size in the folder (read once, then remembered).
    func publishedSize() throws -> Int {
        if let size = self.published.withLock({ $0 }) { return size }
        try FileManager.default.createDirectory(atPath: self.folder, withIntermediateDirectories: true)
        let size =
            try FileManager.default.contentsOfDirectory(atPath: self.folder).compactMap { name -> Int? in
                guard name.hasPrefix("checkpoint-"), name.hasSuffix(".tsr") else { return nil }
                return Int(name.dropFirst("checkpoint-".count).dropLast(4))
            }.max() ?? 0
        self.published.withLock { $0 = size }
        return size
    }

    static func writeOnce(_ bytes: [UInt8], to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try self.replace(bytes, at: path)
    }

    /// Writes a temporary file and renames it over `path`.
    static func replace(_ bytes: [UInt8], at path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
