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

    /// Appends `range` of the original.
    public mutating func copy(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if case .copy(let previous) = self.steps.last, previous.upperBound == range.lowerBound {
            self.steps[self.steps.count - 1] = .copy(previous.lowerBound..<range.upperBound)
        } else {
            self.steps.append(.copy(range))
        }
    }

    /// Appends new bytes.
    public mutating func insert(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if case .insert(let previous) = self.steps.last {
            self.steps[self.steps.count - 1] = .insert(previous + bytes)
        } else {
            self.steps.append(.insert(bytes))
        }
    }

    /// How many octets the plan produces.
    public var size: Int {
        self.steps.reduce(0) { total, step in
            switch step {
            case .copy(let range): return total + range.count
            case .insert(let bytes): return total + bytes.count
            }
        }
    }

    /// The octets of the output in `range`; copied octets come from `source`, given a range of the
    /// original. Only the steps that overlap `range` are read, so a message on disk is streamed a
    /// piece at a time.
    public func bytes(in range: Range<Int>, source: (Range<Int>) throws -> [UInt8]) rethrows -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(range.count)
        try self.forEachStep(overlapping: range) { step in
            switch step {
            case .copy(let copied): output += try source(copied)
            case .insert(let bytes): output += bytes
            }
        }
        return output
    }

    /// Hands the whole output to `body` in pieces of at most `pieceSize` octets.
    public func forEachPiece(
        of pieceSize: Int,
        source: (Range<Int>) throws -> [UInt8],
        _ body: ([UInt8]) throws -> Void
    ) rethrows {
        let size = self.size
        var position = 0
        while position < size {
            let end = min(size, position + pieceSize)
            try body(try self.bytes(in: position..<end, source: source))
            position = end
        }
    }

    /// This plan, whose copied ranges are ranges of `inner`'s output, as a plan over `inner`'s own
    /// original: a rewrite of a rewrite, still streamed from the first original.
    public func composed(over inner: RewritePlan) -> RewritePlan {
        var composed = RewritePlan()
        composed.pixelsInserted = self.pixelsInserted + inner.pixelsInserted
        for step in self.steps {
            switch step {
            case .insert(let bytes):
                composed.insert(bytes)
            case .copy(let range):
                inner.forEachStep(overlapping: range) { innerStep in
                    switch innerStep {
                    case .copy(let copied): composed.copy(copied)
                    case .insert(let bytes): composed.insert(bytes)
                    }
                }
            }
        }
        return composed
    }

    /// The parts of the steps that produce `range` of the output, in order, cut to it.
    private func forEachStep(overlapping range: Range<Int>, _ body: (Step) throws -> Void) rethrows {
        var start = 0
        for step in self.steps {
            guard start < range.upperBound else { return }
            let length: Int
            switch step {
            case .copy(let copied): length = copied.count
            case .insert(let bytes): length = bytes.count
            }
            let lower = max(start, range.lowerBound)
            let upper = min(start + length, range.upperBound)
            if lower < upper {
                let within = (lower - start)..<(upper - start)
                switch step {
                case .copy(let copied):
                    try body(.copy((copied.lowerBound + within.lowerBound)..<(copied.lowerBound + within.upperBound)))
                case .insert(let bytes):
                    try body(.insert(Array(bytes[within])))
                }
            }
            start += length
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
