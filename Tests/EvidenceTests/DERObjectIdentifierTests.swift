//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Evidence

@Suite("DER object identifiers")
struct DERObjectIdentifierTests {
    @Test(
        arguments: [
            ("1.2.840.113549.1.7.2", [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]),
            ("2.16.840.1.101.3.4.2.1", [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]),
            ("1.3.6.1.5.5.7.3.8", [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08]),
            ("1.2.840.10045.4.3.2", [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]),
            ("2.5.4.3", [0x06, 0x03, 0x55, 0x04, 0x03]),
            // Arcs of 0, and at the edges of one, two and three base-128 digits.
            (
                "1.3.6.1.4.1.0.127.128.16383.16384",
                [
                    0x06, 0x0E, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x00, 0x7F, 0x81, 0x00, 0xFF, 0x7F, 0x81, 0x80, 0x00
                ]
            )
        ] as [(String, [UInt8])]
    )
    func encodesAsX690Says(_ dotted: String, _ expected: [UInt8]) {
        #expect(DERWriter.objectIdentifier(dotted) == expected)
    }
}
