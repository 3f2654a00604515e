//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Every complete subtree hash of an append-only log, level by level, so that a root, an inclusion
/// proof or a consistency proof for any size costs O(log² n) hashes instead of hashing every leaf
/// again (RFC 9162 §2.1: a complete subtree never changes once its last leaf is in).
///
/// Level `k` holds, 32 bytes each, the hashes of the subtrees of 2^k leaves starting at multiples of
/// 2^k: 64 bytes per leaf in all. The functions give exactly what ``MerkleTree``'s give over the
/// same leaves (`MerkleNodeCacheTests` checks every size up to 70).
struct MerkleNodeCache: Sendable {
    private var levels: [[UInt8]] = []

    /// How many leaves it holds.
    var size: Int { (self.levels.first?.count ?? 0) / 32 }

    mutating func append(leafHash: MerkleTree.Hash) {
        precondition(leafHash.count == 32)
        if self.levels.isEmpty { self.levels.append([]) }
        self.levels[0] += leafHash
        var level = 0
        var index = self.size - 1
        // A right child completes its parent.
        while index & 1 == 1 {
            let parent = MerkleTree.nodeHash(
                self.hash(level: level, index: index - 1),
                self.hash(level: level, index: index)
            )
            if self.levels.count == level + 1 { self.levels.append([]) }
            self.levels[level + 1] += parent
            level += 1
            index >>= 1
        }
    }

    private func hash(level: Int, index: Int) -> MerkleTree.Hash {
        Array(self.levels[level][index * 32..<(index + 1) * 32])
    }

    /// MTH over the leaves `start..<start + count`.
    private func subtree(_ start: Int, _ count: Int) -> MerkleTree.Hash {
        if count == 0 { return MerkleTree.emptyRoot }
        if count & (count - 1) == 0, start % count == 0 {
            let level = count.trailingZeroBitCount
            return self.hash(level: level, index: start >> level)
        }
        let split = MerkleTree.largestPowerOfTwo(below: count)
        return MerkleTree.nodeHash(self.subtree(start, split), self.subtree(start + split, count - split))
    }

    /// The root of the tree of the first `size` leaves.
    func root(size: Int) -> MerkleTree.Hash {
        precondition(size <= self.size)
        return self.subtree(0, size)
    }

    /// PATH(index, D[size]).
    func inclusionProof(index: Int, size: Int) -> [MerkleTree.Hash] {
        precondition(index < size && size <= self.size)
        return self.path(index, start: 0, count: size)
    }

    private func path(_ index: Int, start: Int, count: Int) -> [MerkleTree.Hash] {
        guard count > 1 else { return [] }
        let split = MerkleTree.largestPowerOfTwo(below: count)
        if index < split {
            return self.path(index, start: start, count: split) + [self.subtree(start + split, count - split)]
        }
        return self.path(index - split, start: start + split, count: count - split) + [self.subtree(start, split)]
    }

    /// PROOF(oldSize, D[size]).
    func consistencyProof(oldSize: Int, size: Int) -> [MerkleTree.Hash] {
        precondition(size <= self.size)
        guard oldSize > 0, oldSize < size else { return [] }
        return self.subproof(oldSize, start: 0, count: size, complete: true)
    }

    private func subproof(_ m: Int, start: Int, count: Int, complete: Bool) -> [MerkleTree.Hash] {
        if m == count {
            return complete ? [] : [self.subtree(start, count)]
        }
        let split = MerkleTree.largestPowerOfTwo(below: count)
        if m <= split {
            return self.subproof(m, start: start, count: split, complete: complete)
                + [self.subtree(start + split, count - split)]
        }
        return self.subproof(m - split, start: start + split, count: count - split, complete: false)
            + [self.subtree(start, split)]
    }
}
