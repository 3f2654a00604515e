//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import MailMessage
import Glibc

extension Spool {
    /// Writes an Openum document durably (written to `tmp/`, synced, renamed into `openum/`, the
    /// folder synced) before its submission commits; returns its path relative to the spool.
    /// Blocking: call it on the thread pool.
    public func storeOpenumDocument(_ bytes: [UInt8], queueID: String) throws -> String {
        let relative = SpoolDatabase.openumPath(queueID)
        let folder = self.layout.path("openum")
        try POSIX.makeDirectory(folder)
        let temporary = self.layout.path(SpoolLayout.temporaryFolder + "/openum-" + queueID)
        let fd = try POSIX.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try bytes.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: temporary) }
            try POSIX.fsync(fd, path: temporary)
            Glibc.close(fd)
        } catch {
            Glibc.close(fd)
            POSIX.unlink(temporary)
            throw error
        }
        try POSIX.rename(temporary, self.layout.path(relative))
        try POSIX.syncDirectory(folder)
        return relative
    }

    /// Drops a stored document whose submission did not commit.
    public func discardOpenumDocument(queueID: String) {
        POSIX.unlink(self.layout.path(SpoolDatabase.openumPath(queueID)))
    }

    /// The document's octets, only when they are the ones its submission certified (their SHA-256
    /// is checked, so a file replaced or cut on the server is never handed over as the document).
    /// Blocking: call it on the thread pool.
    public func openumDocument(_ link: OpenumLink) throws -> [UInt8] {
        let path = self.layout.path(link.path)
        guard POSIX.fileSize(path) == link.document.size else { throw OpenumDocumentUnavailable(path: path) }
        let bytes = try POSIX.readAll(path, offset: 0, length: link.document.size)
        let digest = Hex.encode(SHA256.hash(data: bytes))
        guard digest == link.document.sha256 else { throw OpenumDocumentUnavailable(path: path) }
        return bytes
    }
}

/// An Openum document's file is missing or is not the document its submission certified.
public struct OpenumDocumentUnavailable: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "\(self.path) is missing or is not the certified document" }
}
