//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto

/// RFC 9162 Merkle tree hashing, inclusion and consistency proofs.
///
///     leaf hash  = SHA-256(0x00 || leaf)
///     node hash  = SHA-256(0x01 || left || right)
///     MTH(D[n])  = split at the largest power of two smaller than n
///
/// - SeeAlso: [RFC 9162 §2.1](https://www.rfc-editor.org/rfc/rfc9162#section-2.1)
public enum MerkleTree {
    public typealias Hash = [UInt8]

    public static func leafHash(_ leaf: [UInt8]) -> Hash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: leaf)
        return Array(hasher.finalize())
    }

    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// The hash of the empty tree.
    public static let emptyRoot: Hash = Array(SHA256.hash(data: [UInt8]()))

    /// MTH over leaf hashes `leaves[range]`.
    public static func root(_ leaves: ArraySlice<Hash>) -> Hash {
        switch leaves.count {
        case 0: return self.emptyRoot
        case 1: return leaves.first!
        default:
            let split = self.largestPowerOfTwo(below: leaves.count)
            let middle = leaves.startIndex + split
            return self.nodeHash(self.root(leaves[..<middle]), self.root(leaves[middle...]))
        }
    }

    static func largestPowerOfTwo(below count: Int) -> Int {
        var power = 1
        while power << 1 < count { power <<= 1 }
        return power
    }

    // MARK: - Inclusion

    /// PATH(m, D[n]) of §2.1.3.1: the audit path of leaf `index` in the tree of `leaves`.
    public static func inclusionProof(index: Int, leaves: ArraySlice<Hash>) -> [Hash] {
        guard leaves.count > 1 else { return [] }
        let split = self.largestPowerOfTwo(below: leaves.count)
        let middle = leaves.startIndex + split
        if index < split {
            return self.inclusionProof(index: index, leaves: leaves[..<middle]) + [self.root(leaves[middle...])]
        }
        return self.inclusionProof(index: index - split, leaves: leaves[middle...]) + [self.root(leaves[..<middle])]
    }

    /// §2.1.3.2: whether `proof` shows `leafHash` at `index` in a tree of `size` with root `root`.
    public static func verifyInclusion(leafHash: Hash, index: Int, size: Int, proof: [Hash], root: Hash) -> Bool {
        guard index < size else { return false }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = self.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = self.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    // MARK: - Consistency

    /// PROOF(m, D[n]) of §2.1.4.1: that the tree of the first `oldSize` leaves is a prefix of `leaves`.
    public static func consistencyProof(oldSize: Int, leaves: ArraySlice<Hash>) -> [Hash] {
        guard oldSize > 0, oldSize < leaves.count else { return [] }
        return self.subproof(oldSize, leaves, complete: true)
    }

    private static func subproof(_ m: Int, _ leaves: ArraySlice<Hash>, complete: Bool) -> [Hash] {
        let n = leaves.count
        if m == n {
            return complete ? [] : [self.root(leaves)]
        }
        let k = self.largestPowerOfTwo(below: n)
        let middle = leaves.startIndex + k
        if m <= k {
            return self.subproof(m, leaves[..<middle], complete: complete) + [self.root(leaves[middle...])]
        }
        return self.subproof(m - k, leaves[middle...], complete: false) + [self.root(leaves[..<middle])]
    }

    /// §2.1.4.2: whether `proof` shows the tree (`oldSize`, `oldRoot`) is a prefix of (`newSize`, `newRoot`).
    public static func verifyConsistency(
        oldSize: Int,
        newSize: Int,
        oldRoot: Hash,
        newRoot: Hash,
        proof: [Hash]
    ) -> Bool {
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        guard oldSize > 0, oldSize < newSize else { return oldSize == 0 }
        var path = proof
        if oldSize & (oldSize - 1) == 0 {  // a power of two: the old root is the first node
            path.insert(oldRoot, at: 0)
        }
        guard !path.isEmpty else { return false }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = self.nodeHash(c, fr)
                sr = self.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = self.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}

/// The right edge of a growing tree: perfect subtrees from the left, so appending and the root are
/// O(log n) (what a log writer and an auditor replaying the log need).
public struct CompactRange: Sendable {
    private var subtrees: [(size: Int, hash: MerkleTree.Hash)] = []
    public private(set) var size = 0

    public init() {}

    public mutating func append(leafHash: MerkleTree.Hash) {
        var node = (size: 1, hash: leafHash)
        while let last = self.subtrees.last, last.size == node.size {
            self.subtrees.removeLast()
            node = (last.size * 2, MerkleTree.nodeHash(last.hash, node.hash))
        }
        self.subtrees.append(node)
        self.size += 1
    }

    public var root: MerkleTree.Hash {
        guard var hash = self.subtrees.last?.hash else { return MerkleTree.emptyRoot }
        for subtree in self.subtrees.dropLast().reversed() {
            hash = MerkleTree.nodeHash(subtree.hash, hash)
        }
        return hash
    }
}
