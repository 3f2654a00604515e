//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
import Foundation

/// The log's Ed25519 checkpoint key in PEM (PKCS#8, as `openssl genpkey -algorithm ed25519` writes).
public enum LogKey {
    private static let prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
    ]

    public static func pem(_ key: Curve25519.Signing.PrivateKey) -> String {
        let der = Data(self.prefix + Array(key.rawRepresentation)).base64EncodedString()
        return "-----BEGIN PRIVATE KEY-----\n\(der)\n-----END PRIVATE KEY-----\n"
    }

    public static func privateKey(pem: String) throws(EvidenceProblem) -> Curve25519.Signing.PrivateKey {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: body), der.count == 48, Array(der.prefix(16)) == self.prefix,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
        else { throw EvidenceProblem("not an Ed25519 private key in PKCS#8 PEM") }
        return key
    }
}
