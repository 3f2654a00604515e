//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import SwiftASN1
public import X509

/// A CMS SignedData read back: its certificates, encapsulated content and first signer.
///
/// - SeeAlso: [RFC 5652 §5.1 and §5.3](https://www.rfc-editor.org/rfc/rfc5652#section-5.1)
public struct SignedDataReader: Sendable {
    public var contentType: String
    public var encapsulatedContent: [UInt8]?
    public var certificates: [Certificate]
    /// The signed attributes as DER with their SET tag (what the signature covers).
    public var signedAttributes: [UInt8]
    public var signature: [UInt8]
    /// The signature algorithm's object identifier.
    public var signatureAlgorithm: String
    public var signerSerialNumber: [UInt8]
    /// Unsigned attributes: type and the DER of each value.
    public var unsignedAttributes: [(type: String, values: [[UInt8]])]
    /// Signed attributes: type and the DER of each value.
    public var signedAttributeValues: [(type: String, values: [[UInt8]])]

    /// Something about a CMS structure that is not as it must be.
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    public init(der: [UInt8]) throws {
        do {
            let root = try DER.parse(der)
            let info = try Self.children(root)
            guard info.count == 2, try Self.oid(info[0]) == OID.signedData else {
                throw Malformed(description: "not a CMS SignedData")
            }
            let signedData = try Self.children(try Self.single(info[1]))
            guard signedData.count >= 4 else { throw Malformed(description: "SignedData is too short") }
            let encapsulated = try Self.children(signedData[2])
            self.contentType = try Self.oid(encapsulated[0])
            self.encapsulatedContent =
                try encapsulated.count > 1 ? Array(Self.primitive(try Self.single(encapsulated[1]))) : nil
            var certificates: [Certificate] = []
            var index = 3
            while index < signedData.count - 1 {
                let node = signedData[index]
                if node.identifier.tagClass == .contextSpecific, node.identifier.tagNumber == 0 {
                    for certificate in try Self.children(node) {
                        certificates.append(try Certificate(derEncoded: Array(certificate.encodedBytes)))
                    }
                }
                index += 1
            }
            self.certificates = certificates
            guard let signer = try Self.children(signedData[signedData.count - 1]).first else {
                throw Malformed(description: "no SignerInfo")
            }
            let fields = try Self.children(signer)
            guard fields.count >= 6 else { throw Malformed(description: "SignerInfo is too short") }
            let sid = try Self.children(fields[1])
            self.signerSerialNumber = Array(try Self.primitive(sid[1]))
            guard fields[3].identifier.tagClass == .contextSpecific, fields[3].identifier.tagNumber == 0 else {
                throw Malformed(description: "no signed attributes")
            }
            var attributes = Array(fields[3].encodedBytes)
            attributes[0] = 0x31  // §5.4: the signature is over the attributes as a SET OF
            self.signedAttributes = attributes
            self.signedAttributeValues = try Self.attributes(fields[3])
            self.signature = Array(try Self.primitive(fields[5]))
            self.signatureAlgorithm = try Self.oid(try Self.children(fields[4])[0])
            self.unsignedAttributes = fields.count > 6 ? try Self.attributes(fields[6]) : []
        } catch let error as Malformed {
            throw error
        } catch {
            throw Malformed(description: "not DER: \(error)")
        }
    }

    /// The signer's certificate (matched by serial number).
    public var signerCertificate: Certificate? {
        // Compare integer values: an encoding may carry a leading zero byte the other lacks.
        let wanted = Array(self.signerSerialNumber.drop { $0 == 0 })
        return self.certificates.first { Array($0.serialNumber.bytes.drop { $0 == 0 }) == wanted }
    }

    public func signedAttribute(_ type: String) -> [UInt8]? {
        self.signedAttributeValues.first { $0.type == type }?.values.first
    }

    /// The signing time in a DER SET of signed attributes (as stored beside each record).
    public static func signingTime(inSignedAttributes attributes: [UInt8]) -> UTCDateTime? {
        guard let node = try? DER.parse(attributes), let values = try? self.attributes(node) else { return nil }
        return values.first { $0.type == OID.signingTime }?.values.first.flatMap(ASN1Time.parse)
    }

    // MARK: - Nodes

    static func children(_ node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else {
            throw Malformed(description: "expected a constructed node")
        }
        return Array(nodes)
    }

    static func single(_ node: ASN1Node) throws -> ASN1Node {
        guard let first = try self.children(node).first else { throw Malformed(description: "empty explicit tag") }
        return first
    }

    static func primitive(_ node: ASN1Node) throws -> ArraySlice<UInt8> {
        guard case .primitive(let bytes) = node.content else {
            throw Malformed(description: "expected a primitive node")
        }
        return bytes
    }

    static func oid(_ node: ASN1Node) throws -> String {
        try ASN1ObjectIdentifier(derEncoded: node).description
    }

    static func attributes(_ node: ASN1Node) throws -> [(type: String, values: [[UInt8]])] {
        try self.children(node).map { attribute in
            let parts = try self.children(attribute)
            return (try self.oid(parts[0]), try self.children(parts[1]).map { Array($0.encodedBytes) })
        }
    }
}
