//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto

extension TrueTypeFont {
    /// The tables a PDF's embedded TrueType program needs (ISO 32000-1 §9.9): glyph programs and
    /// metrics, hinting, and the descriptive tables; `cmap` is not needed with `/CIDToGIDMap /Identity`.
    static let subsetTables: Set<String> = [
        "head", "hhea", "hmtx", "maxp", "loca", "glyf", "cvt ", "fpgm", "prep", "OS/2", "post"
    ]

    /// The font with only the outlines of `glyphs` (and glyph 0, and the components of composite
    /// glyphs): every other glyph keeps its id but has no outline, so the PDF's glyph ids stay valid.
    /// A Latin document needs a few dozen of DejaVu's 6,000 glyphs; a Japanese one a few hundred of
    /// Droid Sans Fallback's 30,000.
    public func subset(keeping glyphs: Set<UInt16>) throws(Unusable) -> [UInt8] {
        let data = self.data
        var tables: [String: (offset: Int, length: Int)] = [:]
        for index in 0..<Int(Self.u16(data, 4)) {
            let record = 12 + index * 16
            let tag = String(decoding: data[record..<(record + 4)], as: UTF8.self)
            let offset = Int(Self.u32(data, record + 8))
            let length = Int(Self.u32(data, record + 12))
            guard offset + length <= data.count else { throw Unusable(description: "table \(tag) past the end") }
            tables[tag] = (offset, length)
        }
        guard let head = tables["head"], let maxp = tables["maxp"], let loca = tables["loca"], let glyf = tables["glyf"]
        else { throw Unusable(description: "no head, maxp, loca or glyf table") }
        let glyphCount = Int(Self.u16(data, maxp.offset + 4))
        let longOffsets = Self.u16(data, head.offset + 50) == 1
        func glyphRange(_ glyph: Int) -> Range<Int> {
            let start =
                longOffsets
                ? Int(Self.u32(data, loca.offset + glyph * 4)) : Int(Self.u16(data, loca.offset + glyph * 2)) * 2
            let end =
                longOffsets
                ? Int(Self.u32(data, loca.offset + glyph * 4 + 4))
                : Int(Self.u16(data, loca.offset + glyph * 2 + 2)) * 2
            guard start <= end, glyf.offset + end <= glyf.offset + glyf.length else { return 0..<0 }
            return (glyf.offset + start)..<(glyf.offset + end)
        }

        // Glyph 0, the glyphs asked for, and every component of a composite glyph, transitively.
        var kept: Set<Int> = [0]
        var pending = glyphs.map(Int.init).filter { $0 < glyphCount }
        while let glyph = pending.popLast() {
            guard kept.insert(glyph).inserted || glyph == 0 else { continue }
            let range = glyphRange(glyph)
            guard range.count > 10, Int16(bitPattern: Self.u16(data, range.lowerBound)) < 0 else { continue }
            var position = range.lowerBound + 10
            while position + 4 <= range.upperBound {
                let flags = Self.u16(data, position)
                let component = Int(Self.u16(data, position + 2))
                if component < glyphCount, !kept.contains(component) { pending.append(component) }
                position += 4 + (flags & 0x0001 != 0 ? 4 : 2)  // ARG_1_AND_2_ARE_WORDS
                if flags & 0x0008 != 0 {
                    position += 2
                }  // WE_HAVE_A_SCALE
                else if flags & 0x0040 != 0 {
                    position += 4
                }  // WE_HAVE_AN_X_AND_Y_SCALE
                else if flags & 0x0080 != 0 {
                    position += 8
                }  // WE_HAVE_A_TWO_BY_TWO
                guard flags & 0x0020 != 0 else { break }  // MORE_COMPONENTS
            }
        }

        // The font ends after the highest glyph kept (ids stay valid; loca, hmtx and maxp shrink).
        let count = (kept.max() ?? 0) + 1

        // The new glyf (kept outlines, 4-byte aligned) and a long-format loca.
        var newGlyf: [UInt8] = []
        var newLoca: [UInt8] = []
        for glyph in 0...count {
            Self.append32(UInt32(newGlyf.count), to: &newLoca)
            guard glyph < count, kept.contains(glyph) else { continue }
            newGlyf += data[glyphRange(glyph)]
            while newGlyf.count % 4 != 0 { newGlyf.append(0) }
        }
        var newMaxp = Array(data[maxp.offset..<(maxp.offset + maxp.length)])
        newMaxp[4] = UInt8(count >> 8)
        newMaxp[5] = UInt8(count & 0xFF)
        // hmtx: the long metrics up to `count`, then the left side bearings of the glyphs after them.
        var newHhea: [UInt8]? = nil
        var newHmtx: [UInt8]? = nil
        if let hhea = tables["hhea"], let hmtx = tables["hmtx"], hhea.length >= 36 {
            let longMetrics = Int(Self.u16(data, hhea.offset + 34))
            let kept = min(longMetrics, count)
            var table = Array(data[hmtx.offset..<min(hmtx.offset + kept * 4, hmtx.offset + hmtx.length)])
            if count > longMetrics {
                let bearings = hmtx.offset + longMetrics * 4
                table += data[bearings..<min(bearings + (count - longMetrics) * 2, hmtx.offset + hmtx.length)]
            }
            var header = Array(data[hhea.offset..<(hhea.offset + hhea.length)])
            header[34] = UInt8(kept >> 8)
            header[35] = UInt8(kept & 0xFF)
            newHhea = header
            newHmtx = table
        }
        var newHead = Array(data[head.offset..<(head.offset + head.length)])
        newHead[8..<12] = [0, 0, 0, 0]  // checkSumAdjustment, set below
        newHead[50] = 0
        newHead[51] = 1  // indexToLocFormat: long

        var contents: [(tag: String, bytes: [UInt8])] = []
        for tag in tables.keys.sorted() where Self.subsetTables.contains(tag) {
            switch tag {
            case "glyf": contents.append((tag, newGlyf))
            case "loca": contents.append((tag, newLoca))
            case "head": contents.append((tag, newHead))
            case "maxp": contents.append((tag, newMaxp))
            case "hhea" where newHhea != nil: contents.append((tag, newHhea!))
            case "hmtx" where newHmtx != nil: contents.append((tag, newHmtx!))
            case "post":
                // Format 3: the header without glyph names (format 2's names are most of the table).
                let table = tables[tag]!
                guard table.length >= 32 else { continue }
                contents.append((tag, [0, 3, 0, 0] + Array(data[(table.offset + 4)..<(table.offset + 32)])))
            default:
                let table = tables[tag]!
                contents.append((tag, Array(data[table.offset..<(table.offset + table.length)])))
            }
        }
        return Self.sfnt(contents)
    }

    /// A tag for the subset's PostScript name (`ABCDEF+Name`, ISO 32000-1 §9.6.4), from its glyphs.
    public static func subsetTag(_ glyphs: Set<UInt16>) -> String {
        let digest = SHA256.hash(data: glyphs.sorted().flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        return String(decoding: digest.prefix(6).map { UInt8(ascii: "A") + $0 % 26 }, as: UTF8.self)
    }

    /// Writes an sfnt file: the offset table, the table records (with checksums) and the tables.
    static func sfnt(_ tables: [(tag: String, bytes: [UInt8])]) -> [UInt8] {
        var power = 1
        var exponent = 0
        while power * 2 <= tables.count {
            power *= 2
            exponent += 1
        }
        var file: [UInt8] = [0, 1, 0, 0]
        for value in [tables.count, power * 16, exponent, tables.count * 16 - power * 16] {
            file += [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        var offset = 12 + tables.count * 16
        var body: [UInt8] = []
        var headOffset = 0
        for (tag, bytes) in tables {
            var padded = bytes
            while padded.count % 4 != 0 { padded.append(0) }
            file += Array(tag.utf8)
            Self.append32(Self.checksum(padded), to: &file)
            Self.append32(UInt32(offset), to: &file)
            Self.append32(UInt32(bytes.count), to: &file)
            if tag == "head" { headOffset = offset }
            body += padded
            offset += padded.count
        }
        file += body
        // head.checkSumAdjustment: 0xB1B0AFBA minus the checksum of the whole file.
        let adjustment = 0xB1B0_AFBA &- Self.checksum(file)
        var encoded: [UInt8] = []
        Self.append32(adjustment, to: &encoded)
        file[(headOffset + 8)..<(headOffset + 12)] = encoded[...]
        return file
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        var index = 0
        while index < bytes.count {
            var word: UInt32 = 0
            for byte in 0..<4 { word = word << 8 | UInt32(index + byte < bytes.count ? bytes[index + byte] : 0) }
            sum = sum &+ word
            index += 4
        }
        return sum
    }

    static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
