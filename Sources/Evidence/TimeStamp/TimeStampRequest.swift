//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import SwiftASN1

/// An RFC 3161 `TimeStampReq` for a SHA-256 digest, and its reading on the TSA side.
///
///     TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
///         reqPolicy TSAPolicyId OPTIONAL, nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE, ... }
///
/// - SeeAlso: [RFC 3161 §2.4.1](https://www.rfc-editor.org/rfc/rfc3161#section-2.4.1)
public struct TimeStampRequest: Hashable, Sendable {
    public var digest: [UInt8]
    public var nonce: [UInt8]?
    public var certificateRequested: Bool

    public init(digest: [UInt8], nonce: [UInt8]? = nil, certificateRequested: Bool = true) {
        self.digest = digest
        self.nonce = nonce
        self.certificateRequested = certificateRequested
    }

    /// The DER to POST as `application/timestamp-query`.
    public var der: [UInt8] {
        var body = DERWriter.integer(1) + Self.messageImprint(self.digest)
        if let nonce { body += DERWriter.unsignedInteger(nonce) }
        if self.certificateRequested { body += DERWriter.boolean(true) }
        return DERWriter.tlv(0x30, body)
    }

    static func messageImprint(_ digest: [UInt8]) -> [UInt8] {
        DERWriter.sequence(DERWriter.algorithm(OID.sha256), DERWriter.octetString(digest))
    }

    /// Reads a request (SHA-256 imprints only).
    public init(der: [UInt8]) throws(EvidenceProblem) {
        do {
            let fields = try SignedDataReader.children(try DER.parse(der))
            guard fields.count >= 2 else { throw EvidenceProblem("TimeStampReq is too short") }
            let imprint = try SignedDataReader.children(fields[1])
            let algorithm = try SignedDataReader.children(imprint[0])
            guard try SignedDataReader.oid(algorithm[0]) == OID.sha256 else {
                throw EvidenceProblem("only SHA-256 message imprints are accepted")
            }
            self.digest = Array(try SignedDataReader.primitive(imprint[1]))
            guard self.digest.count == 32 else { throw EvidenceProblem("the imprint is not a SHA-256 digest") }
            self.nonce = nil
            self.certificateRequested = false
            for field in fields.dropFirst(2) where field.identifier.tagClass == .universal {
                if field.identifier.tagNumber == 2 { self.nonce = Array(try SignedDataReader.primitive(field)) }
                if field.identifier.tagNumber == 1 {
                    self.certificateRequested = try SignedDataReader.primitive(field).first != 0
                }
            }
        } catch let problem as EvidenceProblem {
            throw problem
        } catch {
            throw EvidenceProblem("not a TimeStampReq: \(error)")
        }
    }
}
