//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// What a log leaf holds: the record's canonical JSON and its signature, so a checkpoint commits to
/// both (a record re-signed with another key changes its leaf, and every later root).
///
///     leaf = len(body) || body || len(signedAttributes) || signedAttributes || len(signature) || signature
///
/// with each length a 4-byte big-endian integer.
public enum LogLeaf {
    public static func encode(body: [UInt8], signature: CMSSignature) -> [UInt8] {
        var leaf: [UInt8] = []
        leaf.reserveCapacity(body.count + signature.signedAttributes.count + signature.signature.count + 12)
        for part in [body, signature.signedAttributes, signature.signature] {
            let count = UInt32(part.count)
            leaf += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
            leaf += part
        }
        return leaf
    }

    public static func hash(body: [UInt8], signature: CMSSignature) -> MerkleTree.Hash {
        MerkleTree.leafHash(self.encode(body: body, signature: signature))
    }
}
