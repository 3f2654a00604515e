//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
public import X509

/// Archive time-stamps: how a record's evidence outlives the certificates that made it.
///
/// A record's first token (CAdES-T) stamps its signature. Before the TSA's certificate expires, a
/// renewal adds an archive time-stamp over the record, its signature and every token so far (each
/// part prefixed by its 4-byte big-endian length, then SHA-256); the next renewal stamps that too.
/// A chain holds when every token verifies over what it claims to cover and each archive time-stamp
/// was made while the previous token's TSA certificate was still valid: then the oldest token says
/// when the record existed even after its own certificate has expired (the idea of CAdES-A and
/// RFC 4998's evidence records, kept to one hash per renewal).
public enum ArchiveTimeStamps {
    /// What the next archive time-stamp covers, given the tokens so far (the CAdES-T token first).
    public static func imprint(body: [UInt8], signature: CMSSignature, tokens: [[UInt8]]) -> [UInt8] {
        var hash = SHA256()
        for part in [body, signature.signedAttributes, signature.signature] + tokens {
            let count = UInt32(part.count)
            hash.update(data: [
                UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)
            ])
            hash.update(data: part)
        }
        return Array(hash.finalize())
    }

    /// Verifies a record's chain of tokens (the CAdES-T token, then the archive time-stamps in order);
    /// returns them, or throws naming the first broken link.
    public static func verifyChain(
        body: [UInt8],
        signature: CMSSignature,
        tokens: [[UInt8]],
        trustedRoots: [Certificate]
    ) throws(EvidenceProblem) -> [TimeStampToken] {
        guard let first = tokens.first else { throw EvidenceProblem("has no time-stamp") }
        var verified = [
            try TimeStampToken(
                verifying: first,
                for: Array(SHA256.hash(data: signature.signature)),
                trustedRoots: trustedRoots
            )
        ]
        for position in 1..<max(1, tokens.count) {
            let previous = verified[position - 1]
            let token: TimeStampToken
            do {
                token = try TimeStampToken(
                    verifying: tokens[position],
                    for: self.imprint(body: body, signature: signature, tokens: Array(tokens[..<position])),
                    trustedRoots: trustedRoots
                )
            } catch {
                throw EvidenceProblem("archive time-stamp \(position): \(error)")
            }
            guard token.genTime.date <= previous.authority.notValidAfter, token.genTime >= previous.genTime else {
                throw EvidenceProblem(
                    "archive time-stamp \(position) was made at \(token.genTime), after the certificate of the "
                        + "time-stamp before it had expired (\(previous.authority.notValidAfter)): the chain is broken"
                )
            }
            verified.append(token)
        }
        return verified
    }
}
