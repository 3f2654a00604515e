//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// What a PDF needs from a TrueType font file: glyph ids by character, advance widths, and the
/// metrics of its font descriptor. The whole file is embedded (`/FontFile2`).
///
/// - SeeAlso: [OpenType spec](https://learn.microsoft.com/typography/opentype/spec/): cmap, hmtx, hhea, head, OS/2
public struct TrueTypeFont: Sendable {
    public let data: [UInt8]
    public let postScriptName: String
    public let unitsPerEm: Int
    public let ascent: Int
    public let descent: Int
    public let capHeight: Int
    public let boundingBox: (Int, Int, Int, Int)
    private let advances: [UInt16]
    private let characterToGlyph: [UInt32: UInt16]

    /// Why a font file cannot be used.
    public struct Unusable: Error, CustomStringConvertible {
        public var description: String
    }

    public init(data: [UInt8], name: String) throws(Unusable) {
        self.data = data
        self.postScriptName = name
        var tables: [String: (offset: Int, length: Int)] = [:]
        guard data.count > 12 else { throw Unusable(description: "too short for a TrueType font") }
        let count = Int(Self.u16(data, 4))
        for index in 0..<count {
            let record = 12 + index * 16
            guard record + 16 <= data.count else { throw Unusable(description: "table directory past the end") }
            let tag = String(decoding: data[record..<(record + 4)], as: UTF8.self)
            tables[tag] = (Int(Self.u32(data, record + 8)), Int(Self.u32(data, record + 12)))
        }
        guard let head = tables["head"], let hhea = tables["hhea"], let hmtx = tables["hmtx"],
            let cmap = tables["cmap"],
            tables["glyf"] != nil
        else { throw Unusable(description: "not a TrueType (glyf) font with head, hhea, hmtx and cmap") }
        self.unitsPerEm = Int(Self.u16(data, head.offset + 18))
        self.boundingBox = (
            Int(Int16(bitPattern: Self.u16(data, head.offset + 36))),
            Int(Int16(bitPattern: Self.u16(data, head.offset + 38))),
            Int(Int16(bitPattern: Self.u16(data, head.offset + 40))),
            Int(Int16(bitPattern: Self.u16(data, head.offset + 42)))
        )
        self.ascent = Int(Int16(bitPattern: Self.u16(data, hhea.offset + 4)))
        self.descent = Int(Int16(bitPattern: Self.u16(data, hhea.offset + 6)))
        if let os2 = tables["OS/2"], os2.length > 90 {
            self.capHeight = Int(Int16(bitPattern: Self.u16(data, os2.offset + 88)))
        } else {
            self.capHeight = self.ascent
        }
        let metrics = Int(Self.u16(data, hhea.offset + 34))
        var advances: [UInt16] = []
        advances.reserveCapacity(metrics)
        for index in 0..<metrics where hmtx.offset + index * 4 + 2 <= data.count {
            advances.append(Self.u16(data, hmtx.offset + index * 4))
        }
        self.advances = advances
        self.characterToGlyph = try Self.readCmap(data, at: cmap.offset)
    }

    /// The glyph for a character, if the font has one.
    public func glyph(for scalar: Unicode.Scalar) -> UInt16? {
        self.characterToGlyph[scalar.value]
    }

    /// The advance width in PDF text space units (1/1000 em).
    public func width(of glyph: UInt16) -> Int {
        guard !self.advances.isEmpty else { return 500 }
        let advance =
            Int(glyph) < self.advances.count ? self.advances[Int(glyph)] : self.advances[self.advances.count - 1]
        return Int(advance) * 1000 / max(self.unitsPerEm, 1)
    }

    /// Scales a font unit value to 1/1000 em.
    public func scaled(_ value: Int) -> Int { value * 1000 / max(self.unitsPerEm, 1) }

    // cmap: prefer a (3,10) or (0,4+) format 12 subtable, else (3,1) format 4.
    private static func readCmap(_ data: [UInt8], at offset: Int) throws(Unusable) -> [UInt32: UInt16] {
        let count = Int(self.u16(data, offset + 2))
        var format4: Int? = nil
        var format12: Int? = nil
        for index in 0..<count {
            let record = offset + 4 + index * 8
            let platform = self.u16(data, record)
            let encoding = self.u16(data, record + 2)
            let subtable = offset + Int(self.u32(data, record + 4))
            guard subtable + 2 <= data.count else { continue }
            let format = self.u16(data, subtable)
            if format == 12, platform == 3 && encoding == 10 || platform == 0 { format12 = subtable }
            if format == 4, platform == 3 && encoding == 1 || platform == 0 { format4 = format4 ?? subtable }
        }
        var map: [UInt32: UInt16] = [:]
        if let table = format12 {
            let groups = Int(self.u32(data, table + 12))
            for group in 0..<groups {
                let record = table + 16 + group * 12
                guard record + 12 <= data.count else { break }
                let start = self.u32(data, record)
                let end = self.u32(data, record + 4)
                let glyph = self.u32(data, record + 8)
                guard end >= start, end - start < 0x110000 else { continue }
                for code in start...end { map[code] = UInt16(truncatingIfNeeded: glyph + code - start) }
            }
            return map
        }
        guard let table = format4 else { throw Unusable(description: "no Unicode cmap") }
        let segments = Int(self.u16(data, table + 6)) / 2
        let ends = table + 14
        let starts = ends + segments * 2 + 2
        let deltas = starts + segments * 2
        let rangeOffsets = deltas + segments * 2
        for segment in 0..<segments {
            let end = UInt32(self.u16(data, ends + segment * 2))
            let start = UInt32(self.u16(data, starts + segment * 2))
            let delta = self.u16(data, deltas + segment * 2)
            let rangeOffset = Int(self.u16(data, rangeOffsets + segment * 2))
            guard start <= end, start != 0xFFFF else { continue }
            for code in start...end {
                var glyph: UInt16
                if rangeOffset == 0 {
                    glyph = UInt16(truncatingIfNeeded: code) &+ delta
                } else {
                    let address = rangeOffsets + segment * 2 + rangeOffset + Int(code - start) * 2
                    guard address + 2 <= data.count else { continue }
                    glyph = self.u16(data, address)
                    if glyph != 0 { glyph = glyph &+ delta }
                }
                if glyph != 0 { map[code] = glyph }
            }
        }
        return map
    }

    static func u16(_ data: [UInt8], _ offset: Int) -> UInt16 {
        guard offset + 2 <= data.count else { return 0 }
        return UInt16(data[offset]) << 8 | UInt16(data[offset + 1])
    }

    static func u32(_ data: [UInt8], _ offset: Int) -> UInt32 {
        guard offset + 4 <= data.count else { return 0 }
        return UInt32(data[offset]) << 24 | UInt32(data[offset + 1]) << 16 | UInt32(data[offset + 2]) << 8
            | UInt32(data[offset + 3])
    }
}
