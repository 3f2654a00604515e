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

/// Checks a CMS SignedData the way an auditor's `openssl cms -verify` would: content digest, signature
/// over the signed attributes, signer certificate issued by a trusted CA and valid at signing time,
/// and the extended key usage the signer must have.
public enum CMSVerifier {
    /// What a valid signature tells.
    public struct Verified: Sendable {
        public var signer: Certificate
        public var signingTime: UTCDateTime?
        public var content: [UInt8]
        public var reader: SignedDataReader

        /// The CAdES-T time-stamp over the signature value, verified; `nil` if the signature has none.
        public func signatureTimeStamp(trustedRoots: [Certificate]) throws(EvidenceProblem) -> TimeStampToken? {
            let tokens = self.reader.unsignedAttributes.filter { $0.type == OID.signatureTimeStampToken }.flatMap(
                \.values
            )
            guard let token = tokens.first else { return nil }
            return try TimeStampToken(
                verifying: token,
                for: Array(SHA256.hash(data: self.reader.signature)),
                trustedRoots: trustedRoots
            )
        }
    }

    /// Verifies `der`; `detachedContent` for a detached signature, `nil` to use the encapsulated content.
    public static func verify(
        _ der: [UInt8],
        detachedContent: [UInt8]?,
        trustedRoots: [Certificate],
        requiredUsage: ExtendedKeyUsage.Usage? = nil
    ) throws(EvidenceProblem) -> Verified {
        let reader: SignedDataReader
        do {
            reader = try SignedDataReader(der: der)
        } catch {
            throw EvidenceProblem("the signature is not a CMS SignedData (\(error))")
        }
        guard let content = detachedContent ?? reader.encapsulatedContent else {
            throw EvidenceProblem("the signature is detached and no content was given")
        }
        guard let signer = reader.signerCertificate else {
            throw EvidenceProblem("the signer's certificate is not in the signature")
        }
        guard let digest = reader.signedAttribute(OID.messageDigest),
            Array(digest.dropFirst(2)) == Array(SHA256.hash(data: content))
        else {
            throw EvidenceProblem("the content does not match the signed digest: the signed data was changed")
        }
        if let contentType = reader.signedAttribute(OID.contentType),
            contentType != DERWriter.objectIdentifier(reader.contentType)
        {
            throw EvidenceProblem("the signed content type differs from the encapsulated one")
        }
        let algorithm: Certificate.SignatureAlgorithm
        switch reader.signatureAlgorithm {
        case OID.ecdsaWithSHA256: algorithm = .ecdsaWithSHA256
        case OID.sha256WithRSAEncryption: algorithm = .sha256WithRSAEncryption
        default: throw EvidenceProblem("unsupported signature algorithm \(reader.signatureAlgorithm)")
        }
        guard
            signer.publicKey.isValidSignature(
                reader.signature,
                for: reader.signedAttributes,
                signatureAlgorithm: algorithm
            )
        else {
            throw EvidenceProblem(
                "the signature does not verify with the signer's key: the signed attributes were changed"
            )
        }
        let signingTime = reader.signedAttribute(OID.signingTime).flatMap(ASN1Time.parse)
        try self.checkCertificate(signer, at: signingTime, trustedRoots: trustedRoots, requiredUsage: requiredUsage)
        return Verified(signer: signer, signingTime: signingTime, content: content, reader: reader)
    }

    static func checkCertificate(
        _ certificate: Certificate,
        at time: UTCDateTime?,
        trustedRoots: [Certificate],
        requiredUsage: ExtendedKeyUsage.Usage?
    ) throws(EvidenceProblem) {
        guard
            let issuer = trustedRoots.first(where: {
                $0.subject == certificate.issuer
                    && $0.publicKey.isValidSignature(certificate.signature, for: certificate)
            })
        else {
            throw EvidenceProblem("the signer \"\(certificate.subject)\" is not issued by a trusted CA")
        }
        if let time {
            let date = time.date
            guard date >= certificate.notValidBefore, date <= certificate.notValidAfter,
                date >= issuer.notValidBefore, date <= issuer.notValidAfter
            else {
                throw EvidenceProblem("the signer's certificate was not valid at \(time)")
            }
        }
        if let requiredUsage {
            let usages = (try? certificate.extensions.extendedKeyUsage)??.map { $0 } ?? []
            guard usages.contains(requiredUsage) else {
                throw EvidenceProblem("the signer's certificate lacks the extended key usage \(requiredUsage)")
            }
        }
    }
}

/// What is wrong with a piece of evidence, said so an auditor understands it.
public struct EvidenceProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Reads UTCTime and GeneralizedTime values (DER, with their tag).
enum ASN1Time {
    static func parse(_ der: [UInt8]) -> UTCDateTime? {
        guard der.count > 2 else { return nil }
        let text = String(decoding: der.dropFirst(2), as: UTF8.self)
        let digits = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= digits.count else { return nil }
            return Int(String(decoding: digits[start..<(start + count)], as: UTF8.self))
        }
        let isUTC = der[0] == 0x17
        var offset = 0
        let year: Int
        if isUTC {
            guard let short = number(0, 2) else { return nil }
            year = short < 50 ? 2000 + short : 1900 + short
            offset = 2
        } else {
            guard let long = number(0, 4) else { return nil }
            year = long
            offset = 4
        }
        guard let month = number(offset, 2), let day = number(offset + 2, 2), let hour = number(offset + 4, 2),
            let minute = number(offset + 6, 2), let second = number(offset + 8, 2)
        else { return nil }
        var milliseconds = 0
        if offset + 10 < digits.count, digits[offset + 10] == UInt8(ascii: ".") {
            var fraction = String(decoding: digits[(offset + 11)...].prefix { $0 != UInt8(ascii: "Z") }, as: UTF8.self)
            fraction = String((fraction + "000").prefix(3))
            milliseconds = Int(fraction) ?? 0
        }
        return UTCDateTime(
            year: year,
            month: month,
            day: day,
            hour: hour,
            minute: minute,
            second: second,
            millisecond: milliseconds
        )
    }
}

extension UTCDateTime {
    /// From civil UTC fields (days-from-civil, H. Hinnant).
    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.init(millisecondsSinceEpoch: seconds * 1000 + Int64(millisecond))
    }
}
