//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Evidence

@Suite("Merkle node cache")
struct MerkleNodeCacheTests {
    /// Roots and proofs from the cache equal RFC 9162's definitions over the leaves, for every size,
    /// leaf and old size up to 70 leaves.
    @Test func everyRootAndProofEqualsTheDefinition() {
        let leaves = (0..<70).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
        var cache = MerkleNodeCache()
        for leaf in leaves { cache.append(leafHash: leaf) }
        #expect(cache.size == 70)
        for size in 1...70 {
            let prefix = leaves[..<size]
            #expect(cache.root(size: size) == MerkleTree.root(prefix))
            for index in 0..<size {
                #expect(
                    cache.inclusionProof(index: index, size: size)
                        == MerkleTree.inclusionProof(index: index, leaves: prefix)
                )
            }
            for old in 0...size {
                #expect(
                    cache.consistencyProof(oldSize: old, size: size)
                        == MerkleTree.consistencyProof(oldSize: old, leaves: prefix)
                )
            }
        }
        #expect(cache.root(size: 0) == MerkleTree.emptyRoot)
    }
}
