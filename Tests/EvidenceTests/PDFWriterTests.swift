//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

@testable import Evidence

@Suite("PDF writer")
struct PDFWriterTests {
    static let fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    /// A CMS larger than the space first reserved for it: the document is written again with room
    /// for it, and the result verifies.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: PDFWriterTests.fontPath)))
    func aSignatureThatDoesNotFitGetsRoom() async throws {
        let pki = try TestPKI()
        let font = try TrueTypeFont(
            data: Array(try Data(contentsOf: URL(fileURLWithPath: Self.fontPath))),
            name: "DejaVuSans"
        )
        let writer = PDFWriter(fonts: [font], signer: pki.signer, stamper: pki.tsa, chainCertificates: [pki.ca])
        let document = EvidenceDocument(
            title: "Fefaent evidence",
            blocks: [.heading("Events"), .field("SubmissionAcceptance", "2026-11-30T10:00:00Z"), .text("Hello")],
            attachments: []
        )
        let pdf = try await writer.write(document, at: .now(), reserving: 64)
        let report = EvidencePDFVerifier.verify(pdf: pdf, trustedRoots: [pki.ca], logKey: nil)
        let signature = report.checks.filter { $0.subject.lowercased().contains("signature") }
        #expect(!signature.isEmpty && signature.allSatisfy(\.passed), "\(report.checks.map(\.text))")
        // The font program holds only what the text needs (a few kB, not DejaVu's 700).
        #expect(pdf.count < 60_000)
    }
}
