//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// uuencode, one line at a time: `begin MODE NAME`, then lines whose first character gives their
/// octet count (`M` is 45), each four characters three octets (character − 32, six bits each; the
/// backquote stands for zero), then a zero-length line and `end`. Lines outside `begin`…`end` are
/// not content.
enum UUDecoding {
    enum State: Hashable, Sendable {
        case beforeBegin
        case inside
        case ended
    }

    /// Decodes one line (without its line ending), appending its octets; returns the next state.
    static func decodeLine(_ line: UnsafeBufferPointer<UInt8>, state: State, into output: inout [UInt8]) -> State {
        switch state {
        case .ended:
            return .ended
        case .beforeBegin:
            return line.starts(with: "begin ".utf8) ? .inside : .beforeBegin
        case .inside:
            if line.starts(with: "end".utf8) && line.count <= 4 { return .ended }
            guard let first = line.first else { return .inside }
            let count = Int(Self.value(first))
            var produced = 0
            var index = 1
            while produced < count, index < line.count {
                let c0 = Self.value(line[index])
                let c1 = index + 1 < line.count ? Self.value(line[index + 1]) : 0
                let c2 = index + 2 < line.count ? Self.value(line[index + 2]) : 0
                let c3 = index + 3 < line.count ? Self.value(line[index + 3]) : 0
                let octets = [c0 << 2 | c1 >> 4, (c1 & 0x0F) << 4 | c2 >> 2, (c2 & 0x03) << 6 | c3]
                for octet in octets where produced < count {
                    output.append(octet)
                    produced += 1
                }
                index += 4
            }
            return .inside
        }
    }

    /// A character's six bits: `(c − 32) & 63`, so both space and backquote are zero.
    static func value(_ character: UInt8) -> UInt8 {
        (character &- 0x20) & 0x3F
    }
}
