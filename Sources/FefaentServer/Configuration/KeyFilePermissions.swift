//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Glibc

/// The private keys a configuration names, and who besides their owner may read them.
public enum KeyFilePermissions {
    /// A key file that someone besides its owner can read.
    public struct Exposure: Hashable, Sendable, CustomStringConvertible {
        public var key: String
        public var path: String
        public var mode: UInt32
        /// Readable by every user of the machine (not only the file's group).
        public var worldReadable: Bool { self.mode & 0o004 != 0 }

        public var description: String {
            "\(self.key) \(self.path) is readable by \(self.worldReadable ? "every user" : "its group") (mode "
                + String(self.mode & 0o777, radix: 8) + "); chmod 600 \(self.path)"
        }
    }

    /// The configured private keys, by their configuration key.
    public static func keys(of configuration: FefaentConfiguration) -> [(key: String, path: String)] {
        var keys: [(String, String)] = []
        if let tls = configuration.tlsKey { keys.append(("tls.key", tls)) }
        if let dkim = configuration.dkim { keys.append(("dkim.key", dkim.keyPath)) }
        if let evidence = configuration.evidence {
            keys.append(("evidence.key", evidence.key))
            keys.append(("evidence.log_key", evidence.logKey))
            if let pdf = evidence.pdfKey { keys.append(("evidence.pdf_key", pdf)) }
            if let tsa = evidence.tsaKey { keys.append(("evidence.tsa_key", tsa)) }
        }
        return keys
    }

    /// The keys that are readable by their group or by everyone (files that cannot be read are left
    /// to the code that loads them, which names them).
    public static func exposures(of configuration: FefaentConfiguration) -> [Exposure] {
        Self.keys(of: configuration).compactMap { key, path in
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & 0o044 != 0 else { return nil }
            return Exposure(key: key, path: path, mode: UInt32(info.st_mode))
        }
    }
}
