//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Evidence

@Suite("PDF signature contents: the DER value inside the zero padding")
struct PDFSignatureContentsTests {
    /// Found by the demo: a CMS whose signature ended in a zero octet was cut by trimming the padding,
    /// and the PDF's evidence failed to verify (one PDF in 256).
    @Test func aSignatureEndingInZeroIsKeptWhole() {
        let short: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x00]
        #expect(PDFSignatureVerifier.derValue(short + [0, 0, 0, 0]) == short)
        let long: [UInt8] = [0x30, 0x82, 0x01, 0x00] + [UInt8](repeating: 0x41, count: 255) + [0x00]
        #expect(PDFSignatureVerifier.derValue(long + [UInt8](repeating: 0, count: 100)) == long)
        #expect(
            PDFSignatureVerifier.derValue([0x30, 0x81, 0x05, 1, 2, 3, 4, 0] + [0, 0]) == [
                0x30, 0x81, 0x05, 1, 2, 3, 4, 0
            ]
        )
    }

    @Test func aLengthBeyondTheContentsIsLeftAsItIs() {
        let broken: [UInt8] = [0x30, 0x82, 0xFF, 0xFF, 1, 2]
        #expect(PDFSignatureVerifier.derValue(broken) == broken)
    }
}
