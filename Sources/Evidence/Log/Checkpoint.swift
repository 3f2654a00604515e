//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
import Foundation
import MailMessage

/// A log checkpoint as a C2SP signed note: origin, tree size and root hash, signed with Ed25519.
///
///     fefaent.example/evidence
///     1024
///     47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
///
///     — fefaent.example/evidence Az3grlbCZnMLs... (base64 of key id || signature)
///
/// - SeeAlso: [C2SP signed-note](https://c2sp.org/signed-note), [tlog-checkpoint](https://c2sp.org/tlog-checkpoint)
public struct Checkpoint: Hashable, Sendable {
    public var origin: String
    public var size: Int
    public var root: MerkleTree.Hash
    /// The whole signed note.
    public var note: String

    /// The body that is signed: three lines, each ending in a newline.
    public static func body(origin: String, size: Int, root: MerkleTree.Hash) -> String {
        "\(origin)\n\(size)\n\(Data(root).base64EncodedString())\n"
    }

    /// Signs a checkpoint with the log key.
    public init(origin: String, size: Int, root: MerkleTree.Hash, key: Curve25519.Signing.PrivateKey) throws {
        let body = Self.body(origin: origin, size: size, root: root)
        let signature = try key.signature(for: Array(body.utf8))
        let keyID = Self.keyID(name: origin, publicKey: key.publicKey)
        self.origin = origin
        self.size = size
        self.root = root
        self.note = body + "\n— \(origin) \(Data(keyID + Array(signature)).base64EncodedString())\n"
    }

    /// Reads and verifies a signed note against the log's public key.
    public init(verifying note: String, publicKey: Curve25519.Signing.PublicKey) throws(EvidenceProblem) {
        guard let separator = note.range(of: "\n\n") else {
            throw EvidenceProblem("the checkpoint is not a signed note")
        }
        let body = String(note[..<separator.lowerBound]) + "\n"
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count >= 3, let size = Int(lines[1]), let root = Data(base64Encoded: String(lines[2])),
            root.count == 32
        else {
            throw EvidenceProblem("the checkpoint body is not origin, size and root hash")
        }
        let origin = String(lines[0])
        let keyID = Self.keyID(name: origin, publicKey: publicKey)
        var verified = false
        for line in note[separator.upperBound...].split(separator: "\n") where line.hasPrefix("— \(origin) ") {
            guard let blob = Data(base64Encoded: String(line.dropFirst("— \(origin) ".count))), blob.count == 68 else {
                continue
            }
            if Array(blob.prefix(4)) == keyID, publicKey.isValidSignature(blob.dropFirst(4), for: Array(body.utf8)) {
                verified = true
            }
        }
        guard verified else { throw EvidenceProblem("the checkpoint's signature does not verify with the log key") }
        self.origin = origin
        self.size = size
        self.root = Array(root)
        self.note = note
    }

    /// The 4-byte key id: SHA-256(name || "\n" || 0x01 || public key)[0..<4] (0x01: Ed25519).
    public static func keyID(name: String, publicKey: Curve25519.Signing.PublicKey) -> [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x01] + Array(publicKey.rawRepresentation)).prefix(4))
    }

    /// The verifier key in the note format: `name+keyid(hex)+base64(0x01 || key)`.
    public static func verifierKey(name: String, publicKey: Curve25519.Signing.PublicKey) -> String {
        let id = Hex.encode(self.keyID(name: name, publicKey: publicKey))
        return "\(name)+\(id)+\(Data([0x01] + Array(publicKey.rawRepresentation)).base64EncodedString())"
    }

    /// Reads a verifier key written by ``verifierKey(name:publicKey:)``.
    public static func publicKey(
        fromVerifierKey text: String
    ) throws(EvidenceProblem) -> (name: String, key: Curve25519.Signing.PublicKey) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2)
        guard parts.count == 3, let blob = Data(base64Encoded: String(parts[2])), blob.count == 33, blob.first == 0x01,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: blob.dropFirst())
        else { throw EvidenceProblem("not an Ed25519 note verifier key") }
        return (String(parts[0]), key)
    }
}
