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
    public static func verify(pdf: [UInt8], trustedRoots: [Certificate]) -> VerificationReport {
        var report = VerificationReport()
        let subject = "PDF signature"
        guard let rangeStart = pdf.lastRange(of: Array("/ByteRange [".utf8))?.upperBound,
            let rangeEnd = pdf[rangeStart...].firstIndex(of: UInt8(ascii: "]"))
        else {
            report.fail(subject, "the PDF is not signed (no /ByteRange)")
            return report
        }
        let numbers = String(decoding: pdf[rangeStart..<rangeEnd], as: UTF8.self).split(separator: " ").compactMap {
            Int($0)
        }
        guard numbers.count == 4, numbers[0] == 0, numbers[1] < numbers[2], numbers[2] + numbers[3] <= pdf.count,
            numbers[1] + 1 < pdf.count, pdf[numbers[1]] == UInt8(ascii: "<"), pdf[numbers[2] - 1] == UInt8(ascii: ">")
        else {
            report.fail(
                subject,
                "the signed byte ranges do not cover the whole file: bytes were added or changed outside them"
            )
            return report
        }
        let hex = pdf[(numbers[1] + 1)..<(numbers[2] - 1)]
        var cms: [UInt8] = []
        var index = hex.startIndex
        while index + 1 < hex.endIndex {
            guard let high = hexDigit(hex[index]), let low = hexDigit(hex[index + 1]) else { break }
            cms.append(high << 4 | low)
            index += 2
        }
        let signedEnd = numbers[2] + numbers[3]
        let signed = Array(pdf[0..<numbers[1]]) + Array(pdf[numbers[2]..<signedEnd])
        do {
            let verified = try CMSVerifier.verify(
                Array(cms.reversed().drop { $0 == 0 }.reversed()),
                detachedContent: signed,
                trustedRoots: trustedRoots,
                requiredUsage: .emailProtection
            )
            if signedEnd == pdf.count {
                report.pass(subject, "valid, by \(verified.signer.subject), covering the whole document")
            } else {
                report.pass(subject, "valid, by \(verified.signer.subject), covering the signed revision")
                let store = try PDFLongTermRevision.check(
                    signed: pdf[..<signedEnd],
                    update: pdf[signedEnd...],
                    signer: verified.signer,
                    trustedRoots: trustedRoots
                )
                report.pass(
                    subject,
                    "PAdES B-LT: a later revision adds only the document security store (\(store.certificates) "
                        + "certificate(s), \(store.crls) CRL(s) signed by the CA, current until \(store.nextUpdate); "
                        + "the signer is not revoked)"
                )
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
