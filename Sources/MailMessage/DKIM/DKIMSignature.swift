//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A parsed `DKIM-Signature` header field.
///
///     DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel;
///       h=from:to:subject:date; bh=…; b=…
///
/// - SeeAlso: [RFC 6376 §3.5](https://www.rfc-editor.org/rfc/rfc6376#section-3.5)
public struct DKIMSignature: Hashable, Sendable {
    /// The signing algorithms Fefaent signs and verifies with.
    public enum Algorithm: String, Hashable, Sendable {
        case rsaSHA256 = "rsa-sha256"
        case ed25519SHA256 = "ed25519-sha256"
    }

    public var algorithm: Algorithm
    public var signature: [UInt8]
    public var bodyHash: [UInt8]
    public var headerCanonicalization: DKIMCanonicalization
    public var bodyCanonicalization: DKIMCanonicalization
    /// `d=`, lowercased.
    public var domain: String
    public var selector: String
    /// `h=`, lowercased, in order.
    public var signedHeaders: [String]
    /// `l=`, the body length signed, if the signer limited it.
    public var bodyLength: Int?
    /// `i=`, the agent or user identifier (defaults to `@d`).
    public var identity: String
    public var timestamp: Int?
    public var expiration: Int?

    /// Why a DKIM-Signature field cannot be used (a `permerror`).
    public struct Malformed: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses the value of a DKIM-Signature field.
    public init(parsing field: HeaderField) throws(Malformed) {
        let text = lenientString(field.unfoldedValue)
        guard let tags = DKIMTagList(parsing: text) else { throw Malformed(description: "malformed tag list") }
        guard tags["v"] == "1" else { throw Malformed(description: "v= is not 1") }
        guard let algorithmName = tags["a"], let algorithm = Algorithm(rawValue: algorithmName.lowercased()) else {
            throw Malformed(description: "unsupported algorithm a=\(tags["a"] ?? "")")
        }
        guard let signature = tags["b"].flatMap({ Base64.decode($0.removingFWS()) }), !signature.isEmpty else {
            throw Malformed(description: "missing or invalid b=")
        }
        guard let bodyHash = tags["bh"].flatMap({ Base64.decode($0.removingFWS()) }) else {
            throw Malformed(description: "missing or invalid bh=")
        }
        guard let domain = tags["d"]?.lowercased(), !domain.isEmpty else { throw Malformed(description: "missing d=") }
        guard let selector = tags["s"]?.lowercased(), !selector.isEmpty else {
            throw Malformed(description: "missing s=")
        }
        guard let headerList = tags["h"] else { throw Malformed(description: "missing h=") }
        let signedHeaders = headerList.split(separator: ":").map { $0.trimmingFWS().lowercased() }
        guard signedHeaders.contains("from") else { throw Malformed(description: "h= does not include From") }
        let canonicalization = (tags["c"] ?? "simple/simple").lowercased().split(
            separator: "/",
            omittingEmptySubsequences: false
        )
        guard let header = DKIMCanonicalization(rawValue: String(canonicalization[0])),
            let body = DKIMCanonicalization(
                rawValue: canonicalization.count > 1 ? String(canonicalization[1]) : "simple"
            )
        else { throw Malformed(description: "unknown canonicalization c=\(tags["c"] ?? "")") }
        self.algorithm = algorithm
        self.signature = signature
        self.bodyHash = bodyHash
        self.headerCanonicalization = header
        self.bodyCanonicalization = body
        self.domain = domain
        self.selector = selector
        self.signedHeaders = signedHeaders
        if let length = tags["l"] {
            guard let value = Int(length), value >= 0 else { throw Malformed(description: "invalid l=") }
            self.bodyLength = value
        }
        self.identity = tags["i"] ?? "@\(domain)"
        let identityDomain = self.identity.split(separator: "@").last.map { $0.lowercased() } ?? ""
        guard identityDomain == domain || identityDomain.hasSuffix("." + domain) else {
            throw Malformed(description: "i= is not in d=")
        }
        self.timestamp = tags["t"].flatMap { Int($0) }
        self.expiration = tags["x"].flatMap { Int($0) }
    }
}

/// Standard base64 of short values (keys, signatures), strict about its alphabet.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.allSatisfy({ Base64Alphabet.decodingTable[Int($0)] < 64 || $0 == UInt8(ascii: "=") }) else {
            return nil
        }
        var output: [UInt8] = []
        var decoder = Base64StreamDecoder()
        decoder.decode(bytes) { output += $0 }
        decoder.finish { output += $0 }
        return output
    }

    static func encode(_ bytes: [UInt8]) -> String {
        var encoded = BodyEncoder.base64(bytes, lineEnding: [])
        encoded.removeAll { $0 == 0x0A || $0 == 0x0D }
        return String(decoding: encoded, as: UTF8.self)
    }
}
