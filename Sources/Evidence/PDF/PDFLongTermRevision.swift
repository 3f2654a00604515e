//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
import SwiftASN1
import X509

/// The one change an evidence PDF may carry after its signature: a revision that adds the document
/// security store (PAdES B-LT). It must replace nothing but the catalog, and the catalog only by
/// adding `/DSS`; every other object must be new. The store's CRLs must be signed by a trusted CA,
/// current, and must not revoke the signer.
enum PDFLongTermRevision {
    struct Store {
        var certificates: Int
        var crls: Int
        var nextUpdate: UTCDateTime
    }

    static func check(
        signed: ArraySlice<UInt8>,
        update: ArraySlice<UInt8>,
        signer: Certificate,
        trustedRoots: [Certificate]
    ) throws(EvidenceProblem) -> Store {
        let signedText = self.text(signed)
        let updateText = self.text(update)
        guard let root = self.number(after: "/Root ", in: signedText),
            let size = self.number(after: "/Size ", in: signedText),
            let original = self.body(of: root, in: signedText)
        else { throw EvidenceProblem("the signed revision has no readable trailer or catalog") }
        let objects = self.objects(in: updateText)
        guard let catalog = objects[root], original.hasSuffix(">>") else {
            throw EvidenceProblem("a later revision changes the document, but not by adding a security store")
        }
        for number in objects.keys where number != root && number < size {
            throw EvidenceProblem("a later revision replaces object \(number): the document was changed after signing")
        }
        guard catalog.hasPrefix(String(original.dropLast(2)) + " /DSS "),
            let store = self.number(after: " /DSS ", in: catalog), let dss = objects[store], dss.contains("/Type /DSS")
        else { throw EvidenceProblem("a later revision changes the catalog beyond adding a security store") }

        let certificates = self.references(after: "/Certs [", in: dss)
        let crls = try self.references(after: "/CRLs [", in: dss).map { number throws(EvidenceProblem) -> [UInt8] in
            guard let data = self.stream(of: number, in: update) else {
                throw EvidenceProblem("the security store names CRL object \(number), which the revision lacks")
            }
            return data
        }
        guard !crls.isEmpty else { throw EvidenceProblem("the security store holds no CRL") }
        var nextUpdate = UTCDateTime(millisecondsSinceEpoch: Int64.max)
        for crl in crls {
            let (next, revoked) = try self.verifyCRL(crl, trustedRoots: trustedRoots)
            if revoked.contains(Array(signer.serialNumber.bytes.drop { $0 == 0 })) {
                throw EvidenceProblem("the security store's CRL revokes the signer's certificate")
            }
            nextUpdate = min(nextUpdate, next)
        }
        return Store(certificates: certificates.count, crls: crls.count, nextUpdate: nextUpdate)
    }

    /// The document time-stamp's revision may add its value and field, and replace the catalog and the
    /// page only to list the new field beside the signature's.
    static func checkTimeStampRevision(previous: ArraySlice<UInt8>, update: ArraySlice<UInt8>) throws(EvidenceProblem) {
        let previousText = self.text(previous)
        let objects = self.objects(in: self.text(update))
        guard let size = self.number(after: "/Size ", in: previousText),
            let root = self.number(after: "/Root ", in: previousText),
            let (valueNumber, _) = objects.first(where: { $0.value.contains("/Type /DocTimeStamp") }),
            let (fieldNumber, field) = objects.first(where: { $0.value.contains("/V \(valueNumber) 0 R") }),
            let page = self.number(after: "/P ", in: field)
        else { throw EvidenceProblem("the document time-stamp's revision is not one Fefaent writes") }
        for (number, body) in objects where number < size {
            guard number == root || number == page, let original = self.body(of: number, in: previousText),
                let first = self.references(after: number == root ? "/Fields [" : "/Annots [", in: original).first,
                body
                    == original.replacingOccurrences(
                        of: number == root ? "/Fields [\(first) 0 R]" : "/Annots [\(first) 0 R]",
                        with: number == root
                            ? "/Fields [\(first) 0 R \(fieldNumber) 0 R]" : "/Annots [\(first) 0 R \(fieldNumber) 0 R]"
                    )
            else {
                throw EvidenceProblem(
                    "the document time-stamp's revision changes object \(number): the document was changed after signing"
                )
            }
        }
    }

    /// Verifies a CRL's signature against a trusted root; returns its next update and revoked serials.
    static func verifyCRL(
        _ der: [UInt8],
        trustedRoots: [Certificate]
    ) throws(EvidenceProblem) -> (UTCDateTime, [[UInt8]]) {
        do {
            let list = try SignedDataReader.children(try DER.parse(der))
            guard list.count == 3 else { throw EvidenceProblem("a CRL is not a CertificateList") }
            let tbs = Array(list[0].encodedBytes)
            let signatureBits = try SignedDataReader.primitive(list[2])
            let signature = Array(signatureBits.dropFirst())
            var fields = try SignedDataReader.children(list[0])
            if fields.first?.identifier == .integer { fields.removeFirst() }  // version
            let issuer = Array(fields[1].encodedBytes)
            guard let next = fields.count > 3 ? ASN1Time.parse(Array(fields[3].encodedBytes)) : nil else {
                throw EvidenceProblem("a CRL has no next update")
            }
            let verified = trustedRoots.contains { root in
                var name = DER.Serializer()
                guard (try? name.serialize(root.subject)) != nil, name.serializedBytes == issuer,
                    let key = P256.Signing.PublicKey(root.publicKey),
                    let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature)
                else { return false }
                return key.isValidSignature(parsed, for: tbs)
            }
            guard verified else { throw EvidenceProblem("a CRL is not signed by a trusted CA") }
            guard next.date > .now else { throw EvidenceProblem("a CRL expired at \(next)") }
            var revoked: [[UInt8]] = []
            if fields.count > 4, fields[4].identifier == .sequence {
                for entry in try SignedDataReader.children(fields[4]) {
                    let serial = try SignedDataReader.primitive(try SignedDataReader.children(entry)[0])
                    revoked.append(Array(serial.drop { $0 == 0 }))
                }
            }
            return (next, revoked)
        } catch let problem as EvidenceProblem {
            throw problem
        } catch {
            throw EvidenceProblem("a CRL is not DER: \(error)")
        }
    }

    // MARK: - Reading the objects of a revision

    /// The bytes as ASCII text, every other byte a `?`: PDF syntax is ASCII, and binary streams then
    /// cannot turn into multi-byte characters that swallow the syntax around them.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    static func objects(in text: String) -> [Int: String] {
        var objects: [Int: String] = [:]
        var rest = text[...]
        while let start = rest.range(of: " 0 obj\n") {
            let prefix = rest[..<start.lowerBound]
            let digits = prefix.reversed().prefix { $0.isNumber }
            guard let number = Int(String(digits.reversed())), let end = rest[start.upperBound...].range(of: "\nendobj")
            else { break }
            objects[number] = String(rest[start.upperBound..<end.lowerBound])
            rest = rest[end.upperBound...]
        }
        return objects
    }

    /// The newest definition of object `number` (a later revision's replaces an earlier one's).
    static func body(of number: Int, in text: String) -> String? {
        guard let start = text.range(of: "\n\(number) 0 obj\n", options: .backwards),
            let end = text[start.upperBound...].range(of: "\nendobj")
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }

    static func number(after marker: String, in text: String) -> Int? {
        guard let start = text.range(of: marker, options: .backwards) else { return nil }
        return Int(String(text[start.upperBound...].prefix { $0.isNumber }))
    }

    static func references(after marker: String, in text: String) -> [Int] {
        guard let start = text.range(of: marker), let end = text[start.upperBound...].firstIndex(of: "]") else {
            return []
        }
        return text[start.upperBound..<end].split(separator: " ").enumerated().compactMap { index, word in
            index % 3 == 0 ? Int(word) : nil
        }
    }

    /// A stream object's content, by its `/Length`.
    static func stream(of number: Int, in bytes: ArraySlice<UInt8>) -> [UInt8]? {
        let header = Array("\(number) 0 obj\n<< /Length ".utf8)
        guard let found = bytes.firstRange(of: header) else { return nil }
        var length = 0
        var index = found.upperBound
        while index < bytes.endIndex, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard let start = bytes[index...].prefix(64).firstRange(of: Array(">>\nstream\n".utf8))?.upperBound,
            start + length <= bytes.endIndex
        else { return nil }
        return Array(bytes[start..<(start + length)])
    }
}
