//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// How to produce a rewritten message from the original: ranges copied as they are, and new bytes.
///
/// A plan keeps the original on disk and in place: whoever applies it streams the copied ranges from
/// the source, so a rewrite never holds more than the parts it changes.
public struct RewritePlan: Hashable, Sendable {
    /// One step of a plan.
    public enum Step: Hashable, Sendable {
        /// Bytes of the original, by offset.
        case copy(Range<Int>)
        /// New bytes.
        case insert([UInt8])
    }

    public private(set) var steps: [Step] = []
    /// How many parts received the pixel (including a generated HTML part).
    public var pixelsInserted = 0

    public init() {}

    mutating func copy(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if case .copy(let previous) = self.steps.last, previous.upperBound == range.lowerBound {
            self.steps[self.steps.count - 1] = .copy(previous.lowerBound..<range.upperBound)
        } else {
            self.steps.append(.copy(range))
        }
    }

    mutating func insert(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if case .insert(let previous) = self.steps.last {
            self.steps[self.steps.count - 1] = .insert(previous + bytes)
        } else {
            self.steps.append(.insert(bytes))
        }
    }

    /// The rewritten message, for a source held in memory.
    public func apply(to source: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(source.count + 4096)
        for step in self.steps {
            switch step {
            case .copy(let range): output += source[range]
            case .insert(let bytes): output += bytes
            }
        }
        return output
    }
}
