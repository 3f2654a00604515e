//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import MailMessage
public import Foundation
public import GRDB

/// An account's API key as stored: its public id and the SHA-256 of its secret, never the secret.
///
/// A key reads `fk_<id>_<secret>`: 8 random octets of id in hex, 32 random octets of secret in
/// base64url. The secret has 256 bits: a plain SHA-256 stores it safely (a slow hash such as bcrypt
/// protects guessable passwords, not random keys), and checking it costs microseconds per call.
public struct APIKey: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "api_key"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var account: String
    public var secretSha256: Data
    public var label: String
    public var createdAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    /// Whether `secret` is this key's, compared in constant time.
    public func matches(secret: String) -> Bool {
        let digest = Array(SHA256.hash(data: Array(secret.utf8)))
        let stored = Array(self.secretSha256)
        guard stored.count == digest.count else { return false }
        var difference: UInt8 = 0
        for index in digest.indices { difference |= digest[index] ^ stored[index] }
        return difference == 0
    }

    /// A key's text split into its id and its secret; `nil` when it is not shaped as one.
    public static func parse(_ token: String) -> (id: String, secret: String)? {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "fk", parts[1].count == 16, parts[2].count == 43,
            parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        return (String(parts[1]), String(parts[2]))
    }
}

/// A new key: the stored row and the text shown once to the operator.
public struct IssuedAPIKey: Sendable {
    public var key: APIKey
    /// `fk_<id>_<secret>`: shown once, stored nowhere.
    public var token: String

    /// Draws a new key for `account` from the system's random generator.
    public static func make(account: String, label: String, now: Date = Date()) -> IssuedAPIKey {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let idText = Hex.encode(id)
        let secretText = Data(secret).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return IssuedAPIKey(
            key: APIKey(
                id: idText,
                account: account,
                secretSha256: Data(SHA256.hash(data: Array(secretText.utf8))),
                label: label,
                createdAt: now,
                revokedAt: nil,
                lastUsedAt: nil
            ),
            token: "fk_\(idText)_\(secretText)"
        )
    }
}

/// What makes a retried API call the same call: the account's key and the digest of the request.
public struct IdempotencyClaim: Hashable, Sendable {
    public var account: String
    public var key: String
    /// SHA-256 (hex) of the request body, so the same key with another body is told apart.
    public var requestSHA256: String

    public init(account: String, key: String, requestSHA256: String) {
        self.account = account
        self.key = key
        self.requestSHA256 = requestSHA256
    }
}

/// The idempotency key was already used: the message it named, and whether the request was the same.
public struct IdempotencyKeyUsed: Error, Hashable, Sendable {
    public var messageID: String
    public var requestSHA256: String
}
