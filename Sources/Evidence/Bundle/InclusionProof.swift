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
        guard let index = json["leafIndex"]?.integerValue, let size = json["treeSize"]?.integerValue,
            let hashes = json["hashes"]?.arrayValue
        else { throw EvidenceProblem("the inclusion proof is incomplete") }
        var decoded: [MerkleTree.Hash] = []
        for hash in hashes {
            guard let text = hash.stringValue, let bytes = Data(base64Encoded: text), bytes.count == 32 else {
                throw EvidenceProblem("the inclusion proof holds a malformed hash")
            }
            decoded.append(Array(bytes))
        }
        self.init(leafIndex: Int(index), treeSize: Int(size), hashes: decoded)
    }
}
