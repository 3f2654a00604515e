//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import SwiftASN1
public import X509

/// A verified RFC 3161 time-stamp token: when the TSA saw a digest.
public struct TimeStampToken: Sendable {
    public var der: [UInt8]
    public var genTime: UTCDateTime
    public var digest: [UInt8]
    public var serialNumber: [UInt8]
    public var policy: String
    public var authority: Certificate

    /// Verifies `der` as a token over `digest` by a TSA that a trusted root issued, with EKU timeStamping
    /// and a matching ESS signing-certificate attribute.
    ///
    /// - SeeAlso: [RFC 3161 §2.4.2](https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2), RFC 5035
    public init(verifying der: [UInt8], for digest: [UInt8], trustedRoots: [Certificate]) throws(EvidenceProblem) {
        let verified = try CMSVerifier.verify(
            der,
            detachedContent: nil,
            trustedRoots: trustedRoots,
            requiredUsage: .timeStamping
        )
        guard verified.reader.contentType == OID.tstInfo else {
            throw EvidenceProblem("the token does not hold a TSTInfo")
        }
        var signerDER = DER.Serializer()
        do { try signerDER.serialize(verified.signer) } catch {
            throw EvidenceProblem("cannot encode the TSA certificate")
        }
        let certificateHash = Array(SHA256.hash(data: signerDER.serializedBytes))
        guard let essAttribute = verified.reader.signedAttribute(OID.signingCertificateV2),
            essAttribute.windows(ofCount: 32).contains(where: { Array($0) == certificateHash })
        else {
            throw EvidenceProblem("the token's signing-certificate attribute does not name the TSA certificate")
        }
        do {
            let fields = try SignedDataReader.children(try DER.parse(verified.content))
            guard fields.count >= 5 else { throw EvidenceProblem("TSTInfo is too short") }
            self.policy = try SignedDataReader.oid(fields[1])
            let imprint = try SignedDataReader.children(fields[2])
            self.digest = Array(try SignedDataReader.primitive(imprint[1]))
            self.serialNumber = Array(try SignedDataReader.primitive(fields[3]))
            guard let time = ASN1Time.parse(Array(fields[4].encodedBytes)) else {
                throw EvidenceProblem("the token's genTime is unreadable")
            }
            self.genTime = time
        } catch let problem as EvidenceProblem {
            throw problem
        } catch {
            throw EvidenceProblem("the token's TSTInfo is not DER: \(error)")
        }
        guard self.digest == digest else {
            throw EvidenceProblem("the token stamps another digest: the stamped data was changed")
        }
        self.der = der
        self.authority = verified.signer
    }

    /// The token inside a DER `TimeStampResp`, or why the TSA refused.
    public static func token(fromResponse der: [UInt8]) throws(EvidenceProblem) -> [UInt8] {
        do {
            let fields = try SignedDataReader.children(try DER.parse(der))
            let status = try SignedDataReader.children(fields[0])
            let code = try SignedDataReader.primitive(status[0]).last ?? 255
            guard code == 0 || code == 1, fields.count > 1 else {
                throw EvidenceProblem("the TSA refused the request (PKIStatus \(code))")
            }
            return Array(fields[1].encodedBytes)
        } catch let problem as EvidenceProblem {
            throw problem
        } catch {
            throw EvidenceProblem("not a TimeStampResp: \(error)")
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func windows(ofCount count: Int) -> [ArraySlice<UInt8>] {
        guard self.count >= count else { return [] }
        return (0...(self.count - count)).map { self[$0..<($0 + count)] }
    }
}
