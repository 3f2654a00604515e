//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Crypto
public import X509

/// Verifies the signature of an evidence PDF: the byte ranges cover the whole file but the signature
/// value, the CMS signature over them is valid and chains to a trusted CA, and its time-stamp too.
public enum PDFSignatureVerifier {
    /// One signature dictionary: its byte ranges and what it holds.
    struct SignatureField {
        var ranges: [Int]
        var isDocumentTimeStamp: Bool
        /// The DER in `/Contents`, without the zero padding.
        var contents: [UInt8]
        /// The end of the bytes the ranges cover.
        var end: Int { self.ranges[2] + self.ranges[3] }

        func covered(_ pdf: [UInt8]) -> [UInt8] {
            Array(pdf[0..<self.ranges[1]]) + Array(pdf[self.ranges[2]..<self.end])
        }
    }

    /// Every signature dictionary with well-formed byte ranges, in file order.
    static func signatureFields(_ pdf: [UInt8]) -> [SignatureField] {
        var fields: [SignatureField] = []
        var position = 0
        while let found = pdf[position...].firstRange(of: Array("/ByteRange [".utf8)) {
            position = found.upperBound
            guard let close = pdf[found.upperBound...].prefix(64).firstIndex(of: UInt8(ascii: "]")) else { continue }
            let numbers = String(decoding: pdf[found.upperBound..<close], as: UTF8.self).split(separator: " ")
                .compactMap { Int($0) }
            guard numbers.count == 4, numbers[0] == 0, numbers[1] < numbers[2], numbers[2] + numbers[3] <= pdf.count,
                numbers[1] + 1 < pdf.count, pdf[numbers[1]] == UInt8(ascii: "<"),
                pdf[numbers[2] - 1] == UInt8(ascii: ">")
            else { continue }
            // The dictionary that holds these ranges starts at the nearest "<<" before them.
            var start = found.lowerBound - 2
            while start > max(0, found.lowerBound - 256),
                !(pdf[start] == UInt8(ascii: "<") && pdf[start + 1] == UInt8(ascii: "<"))
            {
                start -= 1
            }
            let isTimeStamp =
                pdf[max(0, start)..<found.lowerBound].firstRange(of: Array("/SubFilter /ETSI.RFC3161".utf8)) != nil
            var contents: [UInt8] = []
            var index = numbers[1] + 1
            while index + 1 < numbers[2] - 1 {
                guard let high = hexDigit(pdf[index]), let low = hexDigit(pdf[index + 1]) else { break }
                contents.append(high << 4 | low)
                index += 2
            }
            fields.append(
                SignatureField(
                    ranges: numbers,
                    isDocumentTimeStamp: isTimeStamp,
                    contents: Self.derValue(contents)
                )
            )
        }
        return fields
    }

    /// The DER value at the start of a zero-padded `/Contents`: as long as its own length says. (Trimming
    /// the zeros instead would cut a signature whose last octet is zero, one in 256.)
    static func derValue(_ padded: [UInt8]) -> [UInt8] {
        guard padded.count >= 2 else { return padded }
        var length = Int(padded[1])
        var header = 2
        if length >= 0x80 {
            let octets = length & 0x7F
            guard octets >= 1, octets <= 4, padded.count >= 2 + octets else { return padded }
            length = padded[2..<(2 + octets)].reduce(0) { $0 << 8 | Int($1) }
            header += octets
        }
        guard header + length <= padded.count else { return padded }
        return Array(padded[..<(header + length)])
    }

    public static func verify(pdf: [UInt8], trustedRoots: [Certificate]) -> VerificationReport {
        var report = VerificationReport()
        let subject = "PDF signature"
        let fields = self.signatureFields(pdf)
        guard let signature = fields.first(where: { !$0.isDocumentTimeStamp }) else {
            report.fail(subject, "the PDF is not signed (no signature with byte ranges inside the file)")
            return report
        }
        let timeStamps = fields.filter(\.isDocumentTimeStamp)
        guard timeStamps.count <= 1, timeStamps.allSatisfy({ $0.end == pdf.count }) else {
            report.fail(subject, "the document time-stamp does not cover the whole file: bytes were added after it")
            return report
        }
        if timeStamps.isEmpty, signature.end != pdf.count,
            pdf[signature.end...].firstRange(of: Array("/Type /DSS".utf8)) == nil
        {
            report.fail(
                subject,
                "the signed byte ranges do not cover the whole file: bytes were added or changed outside them"
            )
            return report
        }
        do {
            let verified = try CMSVerifier.verify(
                signature.contents,
                detachedContent: signature.covered(pdf),
                trustedRoots: trustedRoots,
                requiredUsage: .emailProtection
            )
            if signature.end == pdf.count {
                report.pass(subject, "valid, by \(verified.signer.subject), covering the whole document")
            } else {
                report.pass(subject, "valid, by \(verified.signer.subject), covering the signed revision")
                // The security store's revision, then (B-LTA) the document time-stamp's revision.
                let storeEnd =
                    pdf[signature.end...].firstRange(of: Array("%%EOF\n".utf8))?.upperBound ?? pdf.count
                let store = try PDFLongTermRevision.check(
                    signed: pdf[..<signature.end],
                    update: pdf[signature.end..<storeEnd],
                    signer: verified.signer,
                    trustedRoots: trustedRoots
                )
                report.pass(
                    subject,
                    "PAdES B-LT: a later revision adds only the document security store (\(store.certificates) "
                        + "certificate(s), \(store.crls) CRL(s) signed by the CA, current until \(store.nextUpdate); "
                        + "the signer is not revoked)"
                )
                if let timeStamp = timeStamps.first {
                    try PDFLongTermRevision.checkTimeStampRevision(previous: pdf[..<storeEnd], update: pdf[storeEnd...])
                    let token = try TimeStampToken(
                        verifying: timeStamp.contents,
                        for: Array(SHA256.hash(data: timeStamp.covered(pdf))),
                        trustedRoots: trustedRoots
                    )
                    report.pass(
                        subject,
                        "PAdES B-LTA: a document time-stamp of \(token.genTime) by \(token.authority.subject) covers "
                            + "every revision, the security store included"
                    )
                } else if storeEnd != pdf.count {
                    throw EvidenceProblem("bytes were added after the security store's revision")
                }
            }
            if let stamp = try verified.signatureTimeStamp(trustedRoots: trustedRoots) {
                report.pass(subject, "time-stamped \(stamp.genTime) by \(stamp.authority.subject)")
                // The signer's certificate must have been valid at the time the TSA vouches for.
                try CMSVerifier.checkCertificate(
                    verified.signer,
                    at: stamp.genTime,
                    trustedRoots: trustedRoots,
                    requiredUsage: .emailProtection
                )
                if pdf.firstRange(of: Array("/SubFilter /ETSI.CAdES.detached".utf8)) != nil,
                    verified.reader.signedAttribute(OID.signingCertificateV2) != nil, verified.signingTime == nil
                {
                    report.pass(subject, "PAdES baseline B-T (ETSI.CAdES.detached, signing certificate and time-stamp)")
                }
            } else {
                report.fail(subject, "has no time-stamp")
            }
        } catch {
            report.fail(subject, "\(error)")
        }
        return report
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Array where Element == UInt8 {
    func lastRange(of needle: [UInt8]) -> Range<Int>? {
        guard needle.count <= self.count else { return nil }
        var start = self.count - needle.count
        while start >= 0 {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return start..<(start + needle.count) }
            start -= 1
        }
        return nil
    }
}

/// An evidence PDF checked through and through: its signature and time-stamp, then every file it
/// embeds as an ``EvidenceBundle`` (manifest, records, signatures, tokens, proofs, checkpoint,
/// message digest).
public enum EvidencePDFVerifier {
    public static func verify(
        pdf: [UInt8],
        trustedRoots: [Certificate],
        logKey: (name: String, key: Curve25519.Signing.PublicKey)?
    ) -> VerificationReport {
        var report = PDFSignatureVerifier.verify(pdf: pdf, trustedRoots: trustedRoots)
        var files: [String: [UInt8]] = [:]
        for (name, data) in PDFEmbeddedFiles.extract(pdf) {
            files[EvidenceBundle.topLevelNames.contains(name) ? name : "records/" + name] = data
        }
        let (bundle, _) = EvidenceBundleVerifier.verify(files: files, trustedRoots: trustedRoots, logKey: logKey)
        report.checks += bundle.checks
        return report
    }
}
