//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Writes DER (ITU-T X.690): the few constructions CMS and RFC 3161 need, byte for byte.
///
/// Parsing goes through swift-asn1 (`DER.parse`); writing by hand keeps every tag and length under
/// our control, which a CMS signer with custom attributes needs.
enum DERWriter {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + self.length(content.count) + content
    }

    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var value = count
        while value > 0 {
            bytes.insert(UInt8(value & 0xFF), at: 0)
            value >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func sequence(_ elements: [UInt8]...) -> [UInt8] { self.tlv(0x30, elements.flatMap { $0 }) }

    /// A SET OF, its elements sorted by their encodings as DER requires (X.690 §11.6).
    static func set(_ elements: [[UInt8]]) -> [UInt8] {
        self.tlv(0x31, elements.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
    }

    /// `[n]` EXPLICIT (constructed context tag around a whole element).
    static func explicit(_ number: UInt8, _ content: [UInt8]) -> [UInt8] { self.tlv(0xA0 | number, content) }

    /// `[n]` IMPLICIT for a constructed type: the same content under a context tag.
    static func implicitConstructed(_ number: UInt8, _ encodedElement: [UInt8]) -> [UInt8] {
        var element = encodedElement
        element[0] = 0xA0 | number
        return element
    }

    static func octetString(_ bytes: [UInt8]) -> [UInt8] { self.tlv(0x04, bytes) }

    static func boolean(_ value: Bool) -> [UInt8] { self.tlv(0x01, [value ? 0xFF : 0x00]) }

    static func integer(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var remaining = value
        repeat {
            bytes.insert(UInt8(remaining & 0xFF), at: 0)
            remaining >>= 8
        } while remaining > 0
        return self.unsignedInteger(bytes)
    }

    /// An INTEGER from big-endian magnitude bytes (a leading zero is added when the top bit is set).
    static func unsignedInteger(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return self.tlv(0x02, bytes)
    }

    static func objectIdentifier(_ dotted: String) -> [UInt8] {
        // Read arc by arc from the UTF-8 (every signature names several OIDs: no splitting, no
        // intermediate arrays).
        var content: [UInt8] = []
        content.reserveCapacity(dotted.utf8.count)
        var arc: UInt64 = 0
        var first: UInt64? = nil
        var index = 0
        for byte in dotted.utf8 + [UInt8(ascii: ".")] {
            guard byte == UInt8(ascii: ".") else {
                arc = arc * 10 + UInt64(byte &- UInt8(ascii: "0"))
                continue
            }
            switch index {
            case 0: first = arc
            case 1: self.appendBase128(first! * 40 + arc, to: &content)
            default: self.appendBase128(arc, to: &content)
            }
            index += 1
            arc = 0
        }
        return self.tlv(0x06, content)
    }

    private static func appendBase128(_ value: UInt64, to bytes: inout [UInt8]) {
        var shift = 63 - value.leadingZeroBitCount
        shift -= shift % 7
        while shift > 0 {
            bytes.append(UInt8((value >> UInt64(shift)) & 0x7F) | 0x80)
            shift -= 7
        }
        bytes.append(UInt8(value & 0x7F))
    }

    /// UTCTime `YYMMDDHHMMSSZ` (years 1950–2049), as CMS signingTime uses until 2050.
    static func utcTime(_ time: UTCDateTime) -> [UInt8] {
        self.tlv(0x17, Array(String(format2(time.year % 100) + time.compactTime + "Z").utf8))
    }

    /// GeneralizedTime `YYYYMMDDHHMMSS[.fff]Z`.
    static func generalizedTime(_ time: UTCDateTime) -> [UInt8] {
        var text = String(time.year) + time.compactTime
        if time.milliseconds > 0 {
            var fraction = String(time.milliseconds + 1000).dropFirst()
            while fraction.hasSuffix("0") { fraction = fraction.dropLast() }
            text += "." + fraction
        }
        return self.tlv(0x18, Array((text + "Z").utf8))
    }

    /// AlgorithmIdentifier with absent parameters.
    static func algorithm(_ oid: String) -> [UInt8] { self.sequence(self.objectIdentifier(oid)) }
}

func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
