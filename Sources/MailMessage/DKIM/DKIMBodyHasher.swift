//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto

/// Canonicalises and hashes a message body as it streams past (DKIM's `bh=`).
///
/// Empty lines at the end are held back until something follows them, so the trailing ones are never
/// hashed (§3.4.3, §3.4.4). A bare LF is taken as a line end.
public struct DKIMBodyHasher: Sendable {
    private let canonicalization: DKIMCanonicalization
    private let limit: Int?
    private var hasher = SHA256()
    private var hashed = 0
    private var line: [UInt8] = []
    private var pendingEmptyLines = 0
    private var sawContent = false
    /// The canonical body's full length, whatever the limit.
    public private(set) var canonicalLength = 0

    /// `limit` is the signature's `l=`: only that many canonical bytes are hashed.
    public init(canonicalization: DKIMCanonicalization, limit: Int? = nil) {
        self.canonicalization = canonicalization
        self.limit = limit
    }

    public mutating func update(_ bytes: some Collection<UInt8>) {
        for byte in bytes {
            if byte == 0x0A {
                if self.line.last == 0x0D { self.line.removeLast() }
                self.endLine()
            } else {
                self.line.append(byte)
            }
        }
    }

    public mutating func finalize() -> [UInt8] {
        if !self.line.isEmpty {
            // §3.4.3/§3.4.4: a body not ending in CRLF gets one.
            self.endLine()
        }
        if !self.sawContent, self.canonicalization == .simple {
            self.write([0x0D, 0x0A])  // an empty body is one CRLF in simple
        }
        return Array(self.hasher.finalize())
    }

    private mutating func endLine() {
        var content = self.line
        self.line.removeAll(keepingCapacity: true)
        if self.canonicalization == .relaxed {
            content = Self.relaxed(content)
        }
        if content.isEmpty {
            self.pendingEmptyLines += 1
            return
        }
        for _ in 0..<self.pendingEmptyLines { self.write([0x0D, 0x0A]) }
        self.pendingEmptyLines = 0
        self.sawContent = true
        self.write(content + [0x0D, 0x0A])
    }

    private static func relaxed(_ line: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(line.count)
        var pendingSpace = false
        for byte in line {
            if byte == 0x20 || byte == 0x09 {
                pendingSpace = true
                continue
            }
            if pendingSpace { output.append(0x20) }
            pendingSpace = false
            output.append(byte)
        }
        return output
    }

    private mutating func write(_ bytes: [UInt8]) {
        self.canonicalLength += bytes.count
        var slice = bytes[...]
        if let limit = self.limit {
            let room = max(0, limit - self.hashed)
            slice = slice.prefix(room)
        }
        self.hasher.update(data: Array(slice))
        self.hashed += slice.count
    }
}
