//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
import SwiftASN1
public import X509

/// What a CA publishes so that signatures can be validated for the long term: an RFC 5280 CRL, and
/// the extension that tells where a certificate's CRL is.
public enum CertificateRevocationList {
    /// A DER CertificateList (RFC 5280 §5) signed by `issuer`'s P-256 key, listing `revoked` serial
    /// numbers (DER INTEGER contents), valid from `thisUpdate` to `nextUpdate`, with CRL number `number`.
    public static func make(
        issuer: Certificate,
        key: P256.Signing.PrivateKey,
        revoked: [[UInt8]] = [],
        thisUpdate: UTCDateTime,
        nextUpdate: UTCDateTime,
        number: Int
    ) throws -> [UInt8] {
        var name = DER.Serializer()
        try name.serialize(issuer.subject)
        var tbs =
            DERWriter.integer(1)  // v2
            + DERWriter.algorithm(OID.ecdsaWithSHA256)
            + name.serializedBytes
            + DERWriter.utcTime(thisUpdate)
            + DERWriter.utcTime(nextUpdate)
        if !revoked.isEmpty {
            tbs += DERWriter.sequence(
                revoked.flatMap { DERWriter.sequence(DERWriter.unsignedInteger($0), DERWriter.utcTime(thisUpdate)) }
            )
        }
        // crlExtensions [0] EXPLICIT: cRLNumber (2.5.29.20).
        tbs += DERWriter.explicit(
            0,
            DERWriter.sequence(
                DERWriter.sequence(
                    DERWriter.objectIdentifier("2.5.29.20"),
                    DERWriter.octetString(DERWriter.integer(number))
                )
            )
        )
        let tbsList = DERWriter.sequence(tbs)
        let signature = Array(try key.signature(for: tbsList).derRepresentation)
        return DERWriter.sequence(
            tbsList,
            DERWriter.algorithm(OID.ecdsaWithSHA256),
            DERWriter.tlv(0x03, [0] + signature)  // BIT STRING, no unused bits
        )
    }

    /// The CRL distribution points extension (2.5.29.31) naming one URL.
    public static func distributionPoint(url: String) throws -> Certificate.Extension {
        // CRLDistributionPoints ::= SEQUENCE OF DistributionPoint; DistributionPoint ::= SEQUENCE {
        // distributionPoint [0] { fullName [0] GeneralNames { uniformResourceIdentifier [6] IA5String } } }
        let uri = DERWriter.tlv(0x86, Array(url.utf8))
        let value = DERWriter.sequence(DERWriter.sequence(DERWriter.tlv(0xA0, DERWriter.tlv(0xA0, uri))))
        return Certificate.Extension(oid: [2, 5, 29, 31], critical: false, value: value[...])
    }
}
