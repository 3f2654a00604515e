//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
public import _CryptoExtras
import SwiftASN1
public import X509

/// Signs with a certificate and its P-256 key as CMS SignedData (RFC 5652), with the signed
/// attributes CAdES needs: content type, signing time, message digest and ESS signing-certificate-v2
/// (RFC 5035), and room for unsigned attributes (the RFC 3161 token of CAdES-T).
///
/// The signature is kept as its two parts (``CMSSignature``), so the same SignedData can be
/// re-assembled later with a time-stamp token that arrived after signing.
///
/// - SeeAlso: [RFC 5652 §5](https://www.rfc-editor.org/rfc/rfc5652#section-5),
///   [ETSI EN 319 122-1](https://www.etsi.org/deliver/etsi_en/319100_319199/31912201/) (CAdES)
public struct CMSSigner: Sendable {
    public let certificate: Certificate
    public let certificateDER: [UInt8]
    let privateKey: Key

    /// The signing key: P-256 (ECDSA, the evidence records) or RSA (PKCS#1 v1.5, the PDFs, which
    /// poppler's `pdfsig` verifies only with RSA signers).
    public enum Key: Sendable {
        case p256(P256.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)

        var algorithmIdentifier: [UInt8] {
            switch self {
            case .p256: return DERWriter.algorithm(OID.ecdsaWithSHA256)
            case .rsa: return DERWriter.sequence(DERWriter.objectIdentifier(OID.sha256WithRSAEncryption), [0x05, 0x00])
            }
        }

        func sign(_ data: [UInt8]) throws -> [UInt8] {
            switch self {
            case .p256(let key): return Array(try key.signature(for: data).derRepresentation)
            case .rsa(let key):
                return Array(
                    try key.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5).rawRepresentation
                )
            }
        }
    }

    public init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws {
        try self.init(certificate: certificate, key: .p256(privateKey))
    }

    public init(certificate: Certificate, key: Key) throws {
        self.certificate = certificate
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificateDER = serializer.serializedBytes
        self.privateKey = key
    }

    /// Reads a PEM certificate and its PEM key: P-256 (PKCS#8 or SEC1) or RSA (PKCS#1 or PKCS#8).
    public init(certificatePEM: String, keyPEM: String) throws {
        let key: Key
        if let p256 = try? P256.Signing.PrivateKey(pemRepresentation: keyPEM) {
            key = .p256(p256)
        } else {
            key = .rsa(try _RSA.Signing.PrivateKey(pemRepresentation: keyPEM))
        }
        try self.init(certificate: try Certificate(pemEncoded: certificatePEM), key: key)
    }

    /// Signs `content` (its SHA-256 goes into the signed attributes) as of `time`; without a time
    /// the signing-time attribute is left out, as PAdES baseline signatures require (their time is
    /// the PDF's `/M` and the signature time-stamp).
    public func sign(
        content: [UInt8],
        contentType: String = CMSSignature.dataContentType,
        time: UTCDateTime?
    ) throws -> CMSSignature {
        try self.sign(contentDigest: Array(SHA256.hash(data: content)), contentType: contentType, time: time)
    }

    /// Signs content whose SHA-256 is `digest` (hashed by the caller, as a PDF's byte ranges are,
    /// without putting them together).
    public func sign(
        contentDigest digest: [UInt8],
        contentType: String = CMSSignature.dataContentType,
        time: UTCDateTime?
    ) throws -> CMSSignature {
        let certificateHash = Array(SHA256.hash(data: self.certificateDER))
        var attributes = [
            Self.attribute(OID.contentType, DERWriter.objectIdentifier(contentType)),
            Self.attribute(OID.messageDigest, DERWriter.octetString(digest)),
            // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 with the
            // default hash (SHA-256) is SEQUENCE { certHash OCTET STRING }.
            Self.attribute(
                OID.signingCertificateV2,
                DERWriter.sequence(DERWriter.sequence(DERWriter.sequence(DERWriter.octetString(certificateHash))))
            )
        ]
        if let time {
            attributes.append(Self.attribute(OID.signingTime, DERWriter.utcTime(time)))
        }
        let set = DERWriter.set(attributes)  // DER sorts a SET OF
        return CMSSignature(signedAttributes: set, signature: try self.privateKey.sign(set))
    }

    /// The DER ContentInfo of a SignedData: detached (`encapsulated` nil) or carrying its content.
    public func assemble(
        _ signature: CMSSignature,
        contentType: String = CMSSignature.dataContentType,
        encapsulated: [UInt8]? = nil,
        unsignedAttributes: [[UInt8]] = []
    ) throws -> [UInt8] {
        // Issuer and serial number exactly as the certificate encodes them (NSS compares the bytes).
        var issuer = DER.Serializer()
        try issuer.serialize(self.certificate.issuer)
        let serial = try Self.serialNumberDER(of: self.certificateDER)
        var signerInfo =
            DERWriter.integer(1)
            + DERWriter.sequence(issuer.serializedBytes, serial)
            + DERWriter.algorithm(OID.sha256)
            + DERWriter.implicitConstructed(0, signature.signedAttributes)
            + self.privateKey.algorithmIdentifier
            + DERWriter.octetString(signature.signature)
        if !unsignedAttributes.isEmpty {
            signerInfo += DERWriter.implicitConstructed(1, DERWriter.set(unsignedAttributes))
        }
        var encapsulatedInfo = DERWriter.objectIdentifier(contentType)
        if let encapsulated {
            encapsulatedInfo += DERWriter.explicit(0, DERWriter.octetString(encapsulated))
        }
        let signedData = DERWriter.sequence(
            DERWriter.integer(contentType == CMSSignature.dataContentType ? 1 : 3),
            DERWriter.set([DERWriter.algorithm(OID.sha256)]),
            DERWriter.sequence(encapsulatedInfo),
            DERWriter.implicitConstructed(0, DERWriter.set([self.certificateDER])),
            DERWriter.set([DERWriter.sequence(signerInfo)])
        )
        return DERWriter.sequence(DERWriter.objectIdentifier(OID.signedData), DERWriter.explicit(0, signedData))
    }

    /// The serialNumber INTEGER of a DER certificate, byte for byte (TBSCertificate's first field after
    /// the optional [0] version).
    static func serialNumberDER(of certificate: [UInt8]) throws -> [UInt8] {
        let tbs = try SignedDataReader.children(try SignedDataReader.children(try DER.parse(certificate))[0])
        let serial = tbs[0].identifier.tagClass == .contextSpecific ? tbs[1] : tbs[0]
        return Array(serial.encodedBytes)
    }

    static func attribute(_ type: String, _ value: [UInt8]) -> [UInt8] {
        DERWriter.sequence(DERWriter.objectIdentifier(type), DERWriter.set([value]))
    }

    /// The unsigned attribute that carries a time-stamp token over the signature (CAdES-T).
    public static func signatureTimeStampAttribute(token: [UInt8]) -> [UInt8] {
        self.attribute(OID.signatureTimeStampToken, token)
    }
}

/// A CMS signature as stored: the DER signed attributes (as a SET) and the ECDSA signature over them.
public struct CMSSignature: Hashable, Sendable {
    public static let dataContentType = OID.data

    public var signedAttributes: [UInt8]
    public var signature: [UInt8]

    public init(signedAttributes: [UInt8], signature: [UInt8]) {
        self.signedAttributes = signedAttributes
        self.signature = signature
    }
}
