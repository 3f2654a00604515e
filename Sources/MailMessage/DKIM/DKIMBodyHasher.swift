//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Feeds the next octets of the body.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { self.update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            Array(bytes).withUnsafeBytes { self.update($0) }
        }
    }

    /// Feeds the next octets of the body. Lines are found with `memchr` and copied in runs.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        var index = 0
        while index < buffer.count {
            guard let found = memchr(base + index, 0x0A, buffer.count - index) else {
                self.line.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
                return
            }
            let lineFeed = base.distance(to: UnsafeRawPointer(found))
            self.line.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index..<lineFeed]))
            if self.line.last == 0x0D { self.line.removeLast() }
            self.endLine()
            index = lineFeed + 1
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

    private static let lineEnding: [UInt8] = [0x0D, 0x0A]

    /// The line in `line` (without its line ending) canonicalized and hashed; empty lines wait, for
    /// empty lines at the end of the body are not hashed.
    private mutating func endLine() {
        if self.canonicalization == .relaxed {
            Self.relax(&self.line)
        }
        if self.line.isEmpty {
            self.pendingEmptyLines += 1
            return
        }
        for _ in 0..<self.pendingEmptyLines { self.write(Self.lineEnding) }
        self.pendingEmptyLines = 0
        self.sawContent = true
        self.line.append(contentsOf: Self.lineEnding)
        self.write(self.line)
        self.line.removeAll(keepingCapacity: true)
    }

    /// §3.4.4, in place: runs of spaces and tabs become one space, and none is left at the end.
    private static func relax(_ line: inout [UInt8]) {
        let kept = line.withUnsafeMutableBufferPointer { bytes -> Int in
            var kept = 0
            var pendingSpace = false
            for index in 0..<bytes.count {
                let byte = bytes[index]
                if byte == 0x20 || byte == 0x09 {
                    pendingSpace = true
                    continue
                }
                // `kept` never passes `index`: a space is written only for a run already read.
                if pendingSpace {
                    bytes[kept] = 0x20
                    kept += 1
                }
                pendingSpace = false
                bytes[kept] = byte
                kept += 1
            }
            return kept
        }
        line.removeLast(line.count - kept)
    }

    private mutating func write(_ bytes: [UInt8]) {
        self.canonicalLength += bytes.count
        var count = bytes.count
        if let limit = self.limit {
            count = min(count, max(0, limit - self.hashed))
        }
        guard count > 0 else { return }
        bytes.withUnsafeBytes { self.hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        self.hashed += count
    }
}
