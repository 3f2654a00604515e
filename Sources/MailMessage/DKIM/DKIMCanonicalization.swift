//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// DKIM's two canonicalisation algorithms, for headers and for bodies.
///
/// - SeeAlso: [RFC 6376 §3.4](https://www.rfc-editor.org/rfc/rfc6376#section-3.4)
public enum DKIMCanonicalization: String, Hashable, Sendable {
    case simple
    case relaxed

    /// Canonicalises one header field, ending in CRLF.
    public func canonicalize(_ field: HeaderField) -> [UInt8] {
        switch self {
        case .simple:
            var raw = field.raw
            // The field as written; a bare-LF message gets CRLF line ends, as it would on the wire.
            if !raw.isEmpty, raw.last == 0x0A, raw.count < 2 || raw[raw.count - 2] != 0x0D {
                raw.removeLast()
                raw += [0x0D, 0x0A]
            }
            return Self.normaliseLineEndings(raw)
        case .relaxed:
            // §3.4.2: lowercase the name, unfold, collapse WSP runs, trim WSP around the value and colon.
            var output = Array(field.name.lowercased().utf8)
            output.append(UInt8(ascii: ":"))
            let colon = field.raw.firstIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? field.raw.endIndex
            var pendingSpace = false
            var wroteValue = false
            for byte in field.raw[colon...] {
                if byte == 0x0D || byte == 0x0A { continue }
                if byte == 0x20 || byte == 0x09 {
                    pendingSpace = wroteValue
                    continue
                }
                if pendingSpace { output.append(0x20) }
                pendingSpace = false
                output.append(byte)
                wroteValue = true
            }
            output += [0x0D, 0x0A]
            return output
        }
    }

    private static func normaliseLineEndings(_ raw: [UInt8]) -> [UInt8] {
        guard raw.contains(0x0A) else { return raw }
        var output: [UInt8] = []
        output.reserveCapacity(raw.count + 4)
        for (index, byte) in raw.enumerated() {
            if byte == 0x0A, index == 0 || raw[index - 1] != 0x0D { output.append(0x0D) }
            output.append(byte)
        }
        return output
    }
}
