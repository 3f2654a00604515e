//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// An IPv4 or IPv6 address as bytes, parsed from text, for SPF's `ip4`, `ip6`, `a` and `mx` checks.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    public var isIPv4: Bool { self.bytes.count == 4 }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 (with `::` and an embedded IPv4 tail). An IPv4-mapped
    /// IPv6 address (`::ffff:192.0.2.1`) is taken as the IPv4 address (RFC 7208 §5).
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        if let v4 = Self.parseIPv4(text) {
            self.bytes = v4
            return
        }
        guard let v6 = Self.parseIPv6(text) else { return nil }
        if v6[0..<10].allSatisfy({ $0 == 0 }), v6[10] == 0xFF, v6[11] == 0xFF {
            self.bytes = Array(v6[12...])
        } else {
            self.bytes = v6
        }
    }

    /// Whether the first `prefix` bits of both addresses are equal (and they are of one family).
    public func matches(_ other: IPAddress, prefix: Int) -> Bool {
        guard self.bytes.count == other.bytes.count else { return false }
        let bits = min(max(prefix, 0), self.bytes.count * 8)
        let whole = bits / 8
        guard self.bytes[..<whole] == other.bytes[..<whole] else { return false }
        let rest = bits % 8
        if rest == 0 { return true }
        let mask = UInt8(0xFF) << (8 - rest)
        return self.bytes[whole] & mask == other.bytes[whole] & mask
    }

    public var description: String {
        if self.isIPv4 {
            return self.bytes.map(String.init).joined(separator: ".")
        }
        return stride(from: 0, to: 16, by: 2).map {
            String(UInt16(self.bytes[$0]) << 8 | UInt16(self.bytes[$0 + 1]), radix: 16)
        }
        .joined(separator: ":")
    }

    /// The `%{i}` macro form: dotted decimal, or 32 dot-separated nibbles for IPv6.
    var macroForm: String {
        if self.isIPv4 { return self.description }
        return self.bytes.flatMap { [String($0 >> 4, radix: 16), String($0 & 0xF, radix: 16)] }.joined(separator: ".")
    }

    private static func parseIPv4(_ text: String) -> [UInt8]? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for piece in pieces {
            guard !piece.isEmpty, piece.count <= 3, piece.allSatisfy(\.isASCII), let value = UInt8(piece) else {
                return nil
            }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = parseIPv4(String(piece)) {
                    bytes += v4
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 {
            return head.count == 16 ? head : nil
        }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension StringProtocol {
    fileprivate func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var index = self.startIndex
        while index < self.endIndex {
            if self[index...].hasPrefix(separator) {
                parts.append(current)
                current = ""
                index = self.index(index, offsetBy: separator.count)
            } else {
                current.append(self[index])
                index = self.index(after: index)
            }
        }
        parts.append(current)
        return parts
    }
}
