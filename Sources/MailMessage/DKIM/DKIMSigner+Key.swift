//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import _CryptoExtras

extension DKIMSigner.Key {
    /// Why a DKIM key file cannot be used.
    public struct UnusableKey: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a private key from PEM: RSA (PKCS#1 or PKCS#8, at least 2048 bits) or Ed25519 (PKCS#8, as
    /// `openssl genpkey -algorithm ed25519` writes it).
    public init(pem: String) throws(UnusableKey) {
        if pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN PRIVATE KEY"),
            let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem)
        {
            self = .rsa(key)
            return
        }
        // PKCS#8 Ed25519: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }
        let prefix: [UInt8] = [
            0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
        ]
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        if pem.contains("BEGIN PRIVATE KEY"), let der = Base64.decode(body.removingFWS()), der.count == 48,
            Array(der.prefix(16)) == prefix,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
        {
            self = .ed25519(key)
            return
        }
        throw UnusableKey(description: "not an RSA (2048 bits or more) or Ed25519 private key in PEM")
    }
}
