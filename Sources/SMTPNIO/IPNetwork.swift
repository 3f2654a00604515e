//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#endif

/// An IP network such as `127.0.0.0/8` or `::1/128`: Postfix's `mynetworks`.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    let address: [UInt8]
    /// How many leading bits are fixed: 32 (IPv4) or 128 (IPv6) for a single host.
    public let prefixLength: Int
    /// Whether it is an IPv6 network.
    public var isIPv6: Bool { self.address.count == 16 }

    /// Parses `address/prefix` (a bare address is a single host).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = Self.octets(String(first)) else { return nil }
        let maximum = address.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : maximum
        guard let prefix, (0...maximum).contains(prefix) else { return nil }
        self.address = address
        self.prefixLength = prefix
    }

    public var description: String { "\(self.address)/\(self.prefixLength)" }

    /// Whether `text` (an IPv4 or IPv6 address) is inside the network.
    public func contains(_ text: String) -> Bool {
        guard let candidate = Self.octets(text), candidate.count == self.address.count else { return false }
        var remaining = self.prefixLength
        for index in 0..<candidate.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if candidate[index] & mask != self.address[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    static func octets(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
