//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
public import _CryptoExtras

/// Signs messages with DKIM: rsa-sha256 by default, ed25519-sha256 optionally; relaxed/relaxed.
///
/// - SeeAlso: [RFC 6376 §5](https://www.rfc-editor.org/rfc/rfc6376#section-5)
public struct DKIMSigner: Sendable {
    /// A signing key.
    public enum Key: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)

        var algorithm: DKIMSignature.Algorithm {
            switch self {
            case .rsa: return .rsaSHA256
            case .ed25519: return .ed25519SHA256
            }
        }

        /// The `p=` value of the DNS key record.
        public var publicKeyRecord: String {
            switch self {
            case .rsa(let key):
                return "v=DKIM1; k=rsa; p=\(Base64.encode(Array(key.publicKey.derRepresentation)))"
            case .ed25519(let key):
                return "v=DKIM1; k=ed25519; p=\(Base64.encode(Array(key.publicKey.rawRepresentation)))"
            }
        }
    }

    /// Fields signed when present; From is signed once more than it appears, so none can be added.
    public static let defaultSignedHeaders = [
        "from", "to", "cc", "subject", "date", "message-id", "reply-to", "in-reply-to", "references",
        "mime-version", "content-type", "content-transfer-encoding"
    ]

    public var domain: String
    public var selector: String
    public var key: Key
    public var signedHeaders: [String]

    public init(domain: String, selector: String, key: Key, signedHeaders: [String] = DKIMSigner.defaultSignedHeaders) {
        self.domain = domain.lowercased()
        self.selector = selector
        self.key = key
        self.signedHeaders = signedHeaders
    }

    /// The `DKIM-Signature` field for a message with `headers` and a body whose relaxed hash is `bodyHash`
    /// (from a ``DKIMBodyHasher`` with `.relaxed`). Put it first in the header.
    public func signatureField(headers: [HeaderField], bodyHash: [UInt8], timestamp: Int) throws -> HeaderField {
        var names: [String] = []
        for name in self.signedHeaders {
            let count = headers.filter { $0.hasName(name) }.count
            names += Array(repeating: name, count: count)
            if name == "from" { names.append("from") }
        }
        let value =
            "v=1; a=\(self.key.algorithm.rawValue); c=relaxed/relaxed; d=\(self.domain); s=\(self.selector); "
            + "t=\(timestamp); h=\(names.joined(separator: ":")); bh=\(Base64.encode(bodyHash)); b="
        let unsigned = HeaderField(name: "DKIM-Signature", encodedValue: value)
        let data = Self.signedData(
            headers: headers,
            signedNames: names,
            signatureField: unsigned,
            canonicalization: .relaxed
        )
        let digest = SHA256.hash(data: data)
        let signature: [UInt8]
        switch self.key {
        case .rsa(let key):
            signature = Array(try key.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
        case .ed25519(let key):
            signature = Array(try key.signature(for: Array(digest)))
        }
        return HeaderField(name: "DKIM-Signature", encodedValue: value + Self.folded(Base64.encode(signature)))
    }

    /// Signs a whole message held in memory and returns it with the signature on top.
    public func sign(message bytes: [UInt8], timestamp: Int) throws -> [UInt8] {
        let parsed = MessageParser.parse(bytes)
        var hasher = DKIMBodyHasher(canonicalization: .relaxed)
        hasher.update(bytes[min(parsed.parts[0].bodyStart, bytes.count)...])
        let field = try self.signatureField(headers: parsed.headers, bodyHash: hasher.finalize(), timestamp: timestamp)
        return field.raw + bytes
    }

    /// Breaks a long base64 value into space-separated pieces so the folder can wrap it (b= ignores FWS).
    private static func folded(_ text: String) -> String {
        var pieces: [Substring] = []
        var rest = text[...]
        while !rest.isEmpty {
            pieces.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        return pieces.joined(separator: " ")
    }

    /// §3.7: the selected header fields (each from the bottom up), then the signature field with an
    /// empty b= and no final CRLF.
    static func signedData(
        headers: [HeaderField],
        signedNames: [String],
        signatureField: HeaderField,
        canonicalization: DKIMCanonicalization
    ) -> [UInt8] {
        var data: [UInt8] = []
        var used: [String: Int] = [:]
        for name in signedNames {
            let instances = headers.filter { $0.hasName(name) && $0 != signatureField }
            let usedCount = used[name, default: 0]
            used[name] = usedCount + 1
            guard usedCount < instances.count else { continue }
            data += canonicalization.canonicalize(instances[instances.count - 1 - usedCount])
        }
        var signature = canonicalization.canonicalize(Self.withEmptySignatureValue(signatureField))
        if signature.suffix(2) == [0x0D, 0x0A] { signature.removeLast(2) }
        return data + signature
    }

    /// The field with the value of its `b=` tag removed (everything else byte for byte).
    static func withEmptySignatureValue(_ field: HeaderField) -> HeaderField {
        var raw = field.raw
        var segmentStart = (raw.firstIndex(of: UInt8(ascii: ":")) ?? 0) + 1
        while segmentStart < raw.count {
            let segmentEnd = raw[segmentStart...].firstIndex(of: UInt8(ascii: ";")) ?? raw.count
            if let equals = raw[segmentStart..<segmentEnd].firstIndex(of: UInt8(ascii: "=")),
                raw[segmentStart..<equals].filter({ !isWhitespace($0) }) == [UInt8(ascii: "b")]
            {
                var valueEnd = segmentEnd
                if segmentEnd == raw.count {
                    // The field's final line ending is not part of the value.
                    while valueEnd > equals + 1, raw[valueEnd - 1] == 0x0A || raw[valueEnd - 1] == 0x0D {
                        valueEnd -= 1
                    }
                }
                raw.removeSubrange((equals + 1)..<valueEnd)
                return HeaderField(raw: raw)
            }
            segmentStart = segmentEnd + 1
        }
        return HeaderField(raw: raw)
    }
}
