//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

/// A record's place in the log: its leaf index, the checkpoint's tree size, and the audit path.
public struct InclusionProof: Hashable, Sendable {
    public var leafIndex: Int
    public var treeSize: Int
    public var hashes: [MerkleTree.Hash]

    public init(leafIndex: Int, treeSize: Int, hashes: [MerkleTree.Hash]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.hashes = hashes
    }

    public var json: CanonicalJSON {
        .object([
            "leafIndex": .integer(Int64(self.leafIndex)),
            "treeSize": .integer(Int64(self.treeSize)),
            "hashes": .array(self.hashes.map { .string(Data($0).base64EncodedString()) })
        ])
    }

    public init(json: CanonicalJSON) throws(EvidenceProblem) {
        guard let index = json["leafIndex"]?.integerValue, let size = json["treeSize"]?.integerValue else {
            throw EvidenceProblem("the inclusion proof is incomplete")
        }
        self.init(leafIndex: Int(index), treeSize: Int(size), hashes: try Self.hashes(json["hashes"], "inclusion"))
    }

    /// A proof's list of base64 hashes.
    static func hashes(_ json: CanonicalJSON?, _ proof: String) throws(EvidenceProblem) -> [MerkleTree.Hash] {
        guard let items = json?.arrayValue else { throw EvidenceProblem("the \(proof) proof is incomplete") }
        var decoded: [MerkleTree.Hash] = []
        for item in items {
            guard let text = item.stringValue, let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw EvidenceProblem("the \(proof) proof holds a malformed hash")
            }
            decoded.append(Array(bytes))
        }
        return decoded
    }
}

/// An RFC 9162 consistency proof: the log of `newSize` records extends the log of `oldSize`.
public struct ConsistencyProof: Hashable, Sendable {
    public var oldSize: Int
    public var newSize: Int
    public var hashes: [MerkleTree.Hash]

    public init(oldSize: Int, newSize: Int, hashes: [MerkleTree.Hash]) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.hashes = hashes
    }

    public var json: CanonicalJSON {
        .object([
            "oldSize": .integer(Int64(self.oldSize)),
            "newSize": .integer(Int64(self.newSize)),
            "hashes": .array(self.hashes.map { .string(Data($0).base64EncodedString()) })
        ])
    }

    public init(json: CanonicalJSON) throws(EvidenceProblem) {
        guard let old = json["oldSize"]?.integerValue, let new = json["newSize"]?.integerValue else {
            throw EvidenceProblem("the consistency proof is incomplete")
        }
        self.init(
            oldSize: Int(old),
            newSize: Int(new),
            hashes: try InclusionProof.hashes(json["hashes"], "consistency")
        )
    }

    /// Whether it links the two checkpoints.
    public func verify(old: Checkpoint, new: Checkpoint) -> Bool {
        old.size == self.oldSize && new.size == self.newSize
            && MerkleTree.verifyConsistency(
                oldSize: old.size,
                newSize: new.size,
                oldRoot: old.root,
                newRoot: new.root,
                proof: self.hashes
            )
    }
}
