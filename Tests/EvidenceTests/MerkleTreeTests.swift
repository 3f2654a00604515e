//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
import Testing
import X509

@testable import Evidence

@Suite struct MerkleTreeTests {
    static func leaves(_ count: Int) -> [MerkleTree.Hash] {
        (0..<count).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
    }

    @Test func emptyTreeAndDomainSeparation() {
        // RFC 9162 §2.1.1: the empty tree is SHA-256 of nothing; leaves and nodes are domain-separated.
        #expect(MerkleTree.root([]).map { String($0, radix: 16) }.joined().hasPrefix("e3b0c442"))
        #expect(MerkleTree.leafHash([]) != MerkleTree.root([]))
    }

    @Test func compactRangeMatchesTheRecursiveDefinition() {
        var range = CompactRange()
        let leaves = Self.leaves(70)
        for (index, leaf) in leaves.enumerated() {
            range.append(leafHash: leaf)
            #expect(range.root == MerkleTree.root(leaves[...index]), "size \(index + 1)")
        }
    }

    @Test func inclusionProofsVerifyAndTamperingFails() {
        for size in 1...33 {
            let leaves = Self.leaves(size)
            let root = MerkleTree.root(leaves[...])
            for index in 0..<size {
                let proof = MerkleTree.inclusionProof(index: index, leaves: leaves[...])
                #expect(
                    MerkleTree.verifyInclusion(
                        leafHash: leaves[index],
                        index: index,
                        size: size,
                        proof: proof,
                        root: root
                    )
                )
                #expect(
                    !MerkleTree.verifyInclusion(
                        leafHash: MerkleTree.leafHash([1]),
                        index: index,
                        size: size,
                        proof: proof,
                        root: root
                    )
                )
                if size > 1 {
                    #expect(
                        !MerkleTree.verifyInclusion(
                            leafHash: leaves[index],
                            index: (index + 1) % size,
                            size: size,
                            proof: proof,
                            root: root
                        )
                    )
                }
            }
        }
    }

    @Test func consistencyProofsVerifyAndARewriteFails() {
        for newSize in 1...30 {
            let leaves = Self.leaves(newSize)
            let newRoot = MerkleTree.root(leaves[...])
            for oldSize in 1...newSize {
                let oldRoot = MerkleTree.root(leaves[..<oldSize])
                let proof = MerkleTree.consistencyProof(oldSize: oldSize, leaves: leaves[...])
                #expect(
                    MerkleTree.verifyConsistency(
                        oldSize: oldSize,
                        newSize: newSize,
                        oldRoot: oldRoot,
                        newRoot: newRoot,
                        proof: proof
                    ),
                    "\(oldSize) -> \(newSize)"
                )
                // The same log with one early leaf rewritten is not an extension of the old tree.
                var rewritten = leaves
                rewritten[0] = MerkleTree.leafHash(Array("forged".utf8))
                let forgedProof = MerkleTree.consistencyProof(oldSize: oldSize, leaves: rewritten[...])
                #expect(
                    !MerkleTree.verifyConsistency(
                        oldSize: oldSize,
                        newSize: newSize,
                        oldRoot: oldRoot,
                        newRoot: MerkleTree.root(rewritten[...]),
                        proof: forgedProof
                    )
                )
            }
        }
    }

    @Test func checkpointsAreSignedNotes() throws {
        let pki = try TestPKI()
        let root = MerkleTree.root(Self.leaves(5)[...])
        let checkpoint = try Checkpoint(origin: "example.test/log", size: 5, root: root, key: pki.logKey)
        #expect(checkpoint.note.hasPrefix("example.test/log\n5\n"))
        #expect(checkpoint.note.contains("\n\n— example.test/log "))
        let verified = try Checkpoint(verifying: checkpoint.note, publicKey: pki.logKey.publicKey)
        #expect(verified.root == root && verified.size == 5)
        let forged = checkpoint.note.replacingOccurrences(of: "\n5\n", with: "\n6\n")
        #expect(throws: EvidenceProblem.self) { try Checkpoint(verifying: forged, publicKey: pki.logKey.publicKey) }
        let vkey = Checkpoint.verifierKey(name: "example.test/log", publicKey: pki.logKey.publicKey)
        #expect(
            try Checkpoint.publicKey(fromVerifierKey: vkey).key.rawRepresentation
                == pki.logKey.publicKey.rawRepresentation
        )
    }
}
