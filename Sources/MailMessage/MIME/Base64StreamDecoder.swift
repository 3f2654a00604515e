//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Decodes base64 as it streams in, as leniently as real mail needs.
///
/// Characters outside the alphabet (line breaks, spaces, junk) are skipped; a completed `=` padding ends
/// the data; a final group that lacks its padding is decoded as if it had it. This is what Python's
/// `email` package and most mail clients do.
///
/// - SeeAlso: [RFC 2045 §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.8)
public struct Base64StreamDecoder: Sendable {
    private var accumulator: UInt32 = 0
    private var quadPosition = 0
    private var padding = 0
    private var finished = false
    private var scratch: [UInt8] = []

    public init() {}

    /// Decodes `input` and hands the bytes it yields to `sink` (possibly not at all, for a short input).
    public mutating func decode(_ input: some Collection<UInt8>, _ sink: (UnsafeBufferPointer<UInt8>) -> Void) {
        let handled: Void? = input.withContiguousStorageIfAvailable { self.decodeBuffer($0, sink) }
        if handled == nil {
            Array(input).withUnsafeBufferPointer { self.decodeBuffer($0, sink) }
        }
    }

    /// Decodes the final group, if it was left without padding.
    public mutating func finish(_ sink: (UnsafeBufferPointer<UInt8>) -> Void) {
        defer { self.finished = true }
        guard !self.finished else { return }
        var tail: [UInt8] = []
        switch self.quadPosition {
        case 2: tail = [UInt8(truncatingIfNeeded: self.accumulator >> 4)]
        case 3:
            tail = [UInt8(truncatingIfNeeded: self.accumulator >> 10), UInt8(truncatingIfNeeded: self.accumulator >> 2)]
        default: break
        }
        self.quadPosition = 0
        tail.withUnsafeBufferPointer { if !$0.isEmpty { sink($0) } }
    }

    private mutating func decodeBuffer(
        _ input: UnsafeBufferPointer<UInt8>,
        _ sink: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        guard !self.finished, !input.isEmpty else { return }
        let needed = input.count / 4 * 3 + 3
        if self.scratch.count < needed {
            self.scratch = [UInt8](repeating: 0, count: needed)
        }
        var accumulator = self.accumulator
        var quadPosition = self.quadPosition
        var padding = self.padding
        var finished = false
        let written: Int = self.scratch.withUnsafeMutableBufferPointer { output in
            Base64Alphabet.decodingTable.withUnsafeBufferPointer { tableBuffer in
                let table = tableBuffer.baseAddress!
                let bytes = input.baseAddress!
                let count = input.count
                let outputBase = output.baseAddress!
                var out = 0
                var index = 0
                while index < count {
                    // Fast path: four alphabet characters at a group boundary.
                    if quadPosition == 0, index &+ 4 <= count {
                        let a = table[Int(bytes[index])]
                        let b = table[Int(bytes[index &+ 1])]
                        let c = table[Int(bytes[index &+ 2])]
                        let d = table[Int(bytes[index &+ 3])]
                        if a | b | c | d < 64 {
                            let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                            outputBase[out] = UInt8(truncatingIfNeeded: group >> 16)
                            outputBase[out &+ 1] = UInt8(truncatingIfNeeded: group >> 8)
                            outputBase[out &+ 2] = UInt8(truncatingIfNeeded: group)
                            out &+= 3
                            index &+= 4
                            padding = 0
                            continue
                        }
                    }
                    let byte = bytes[index]
                    index &+= 1
                    let value = table[Int(byte)]
                    if value < 64 {
                        accumulator = accumulator << 6 | UInt32(value)
                        padding = 0
                        quadPosition += 1
                        if quadPosition == 4 {
                            output[out] = UInt8(truncatingIfNeeded: accumulator >> 16)
                            output[out + 1] = UInt8(truncatingIfNeeded: accumulator >> 8)
                            output[out + 2] = UInt8(truncatingIfNeeded: accumulator)
                            out += 3
                            quadPosition = 0
                            accumulator = 0
                        }
                    } else if byte == UInt8(ascii: "=") {
                        padding += 1
                        if quadPosition >= 2, quadPosition + padding >= 4 {
                            finished = true
                            break
                        }
                    }
                }
                return out
            }
        }
        self.accumulator = accumulator
        self.quadPosition = quadPosition
        self.padding = padding
        if written > 0 {
            self.scratch.withUnsafeBufferPointer { sink(UnsafeBufferPointer(rebasing: $0[..<written])) }
        }
        if finished {
            self.finish(sink)
        }
    }
}

enum Base64Alphabet {
    static let encodingTable: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0–63 for an alphabet character, 255 for anything else.
    static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (value, character) in encodingTable.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()
}
