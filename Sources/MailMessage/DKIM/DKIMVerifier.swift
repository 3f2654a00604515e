//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import _CryptoExtras

/// The result of checking one DKIM signature.
///
/// - SeeAlso: [RFC 8601 §2.7.1](https://www.rfc-editor.org/rfc/rfc8601#section-2.7.1) for the names.
public enum DKIMResult: Hashable, Sendable, CustomStringConvertible {
    /// The signature verifies; `coversWholeBody` is false when `l=` left part of the body unsigned,
    /// which Fefaent's policy does not count as authentication.
    case pass(domain: String, selector: String, coversWholeBody: Bool)
    case fail(domain: String, reason: String)
    case permerror(String)
    case temperror(String)

    public var description: String {
        switch self {
        case .pass(let domain, let selector, let whole):
            return "pass (d=\(domain) s=\(selector)\(whole ? "" : ", l= leaves part of the body unsigned"))"
        case .fail(let domain, let reason): return "fail (d=\(domain)): \(reason)"
        case .permerror(let reason): return "permerror: \(reason)"
        case .temperror(let reason): return "temperror: \(reason)"
        }
    }

    /// A pass that signs the whole body, for domain `domain`.
    public var passedDomain: String? {
        if case .pass(let domain, _, true) = self { return domain }
        return nil
    }
}

/// Verifies every DKIM-Signature of a message.
///
/// - SeeAlso: [RFC 6376 §6](https://www.rfc-editor.org/rfc/rfc6376#section-6),
///   [RFC 8463](https://www.rfc-editor.org/rfc/rfc8463) (Ed25519)
public struct DKIMVerifier: Sendable {
    public let resolver: any MailDNSResolver
    /// Seconds since 1970, for `x=`.
    public var now: Int

    public init(resolver: any MailDNSResolver, now: Int) {
        self.resolver = resolver
        self.now = now
    }

    /// Checks each signature of a whole message held in memory; an unsigned message gives `[]`.
    public func verify(message bytes: [UInt8]) async -> [DKIMResult] {
        let parsed = MessageParser.parse(bytes)
        let body = bytes[min(parsed.parts[0].bodyStart, bytes.count)...]
        return await self.verify(headers: parsed.headers) { hasher in hasher.update(body) }
    }

    /// Checks each signature in `headers`; `feedBody` streams the body into a hasher (once per signature).
    public func verify(
        headers: [HeaderField],
        feedBody: (inout DKIMBodyHasher) -> Void
    ) async -> [DKIMResult] {
        var results: [DKIMResult] = []
        for field in headers where field.hasName("DKIM-Signature") {
            let signature: DKIMSignature
            do {
                signature = try DKIMSignature(parsing: field)
            } catch {
                results.append(.permerror(error.description))
                continue
            }
            if let expiration = signature.expiration, expiration < self.now {
                results.append(.fail(domain: signature.domain, reason: "signature expired (x=)"))
                continue
            }
            var hasher = DKIMBodyHasher(canonicalization: signature.bodyCanonicalization, limit: signature.bodyLength)
            feedBody(&hasher)
            let bodyHash = hasher.finalize()
            guard bodyHash == signature.bodyHash else {
                results.append(
                    .fail(domain: signature.domain, reason: "body hash does not match (the body was changed)")
                )
                continue
            }
            let coversWholeBody = signature.bodyLength.map { $0 >= hasher.canonicalLength } ?? true
            results.append(
                await self.checkSignature(signature, field: field, headers: headers, coversWholeBody: coversWholeBody)
            )
        }
        return results
    }

    private func checkSignature(
        _ signature: DKIMSignature,
        field: HeaderField,
        headers: [HeaderField],
        coversWholeBody: Bool
    ) async -> DKIMResult {
        let name = "\(signature.selector)._domainkey.\(signature.domain)"
        let records: [String]
        do {
            records = try await self.resolver.txtRecords(for: name)
        } catch {
            return .temperror("key lookup \(name): \(error)")
        }
        guard let record = records.first(where: { DKIMTagList(parsing: $0) != nil }),
            let key = DKIMTagList(parsing: record)
        else {
            return .permerror("no key record at \(name)")
        }
        if let version = key["v"], version != "DKIM1" { return .permerror("key record v=\(version)") }
        guard let publicKey = key["p"].map({ $0.removingFWS() }), !publicKey.isEmpty,
            let keyBytes = Base64.decode(publicKey)
        else {
            return .permerror("key at \(name) is revoked or missing (p=)")
        }
        let keyType = key["k"] ?? "rsa"
        if let hashes = key["h"], !hashes.split(separator: ":").map({ $0.trimmingFWS() }).contains("sha256") {
            return .permerror("key does not allow sha256")
        }
        let data = DKIMSigner.signedData(
            headers: headers,
            signedNames: signature.signedHeaders,
            signatureField: field,
            canonicalization: signature.headerCanonicalization
        )
        let digest = SHA256.hash(data: data)
        let valid: Bool
        switch (signature.algorithm, keyType) {
        case (.rsaSHA256, "rsa"):
            guard let rsa = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: keyBytes) else {
                return .permerror("key at \(name) is not an RSA public key")
            }
            guard rsa.keySizeInBits >= 1024 else { return .permerror("RSA key under 1024 bits") }
            valid = rsa.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature.signature),
                for: digest,
                padding: .insecurePKCS1v1_5
            )
        case (.ed25519SHA256, "ed25519"):
            guard let ed = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes) else {
                return .permerror("key at \(name) is not an Ed25519 public key")
            }
            valid = ed.isValidSignature(signature.signature, for: Array(digest))
        default:
            return .permerror("key type k=\(keyType) does not match a=\(signature.algorithm.rawValue)")
        }
        guard valid else {
            return .fail(domain: signature.domain, reason: "signature does not verify (a signed header was changed)")
        }
        return .pass(domain: signature.domain, selector: signature.selector, coversWholeBody: coversWholeBody)
    }
}
