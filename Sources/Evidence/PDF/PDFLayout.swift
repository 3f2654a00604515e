//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import MailMessage

/// Lays text out on A4 pages as PDF content streams, choosing for each character the first font
/// that has a glyph for it, and remembering which glyphs were used (for widths and ToUnicode).
struct PDFLayout {
    let fonts: [TrueTypeFont]
    private(set) var pages: [String] = []
    private(set) var usedGlyphs: [Int: [UInt16: Unicode.Scalar]] = [:]
    private var content = ""
    private var y = PDFWriter.pageHeight - PDFWriter.margin

    init(fonts: [TrueTypeFont]) {
        self.fonts = fonts
    }

    mutating func add(_ document: EvidenceDocument) {
        self.write(
            document.title,
            size: 15,
            x: PDFWriter.margin,
            width: PDFWriter.pageWidth - 2 * PDFWriter.margin,
            leading: 20
        )
        self.y -= 6
        let labelWidth = 120.0
        for block in document.blocks {
            switch block {
            case .heading(let text):
                self.y -= 8
                self.write(
                    text,
                    size: 12,
                    x: PDFWriter.margin,
                    width: PDFWriter.pageWidth - 2 * PDFWriter.margin,
                    leading: 16
                )
            case .field(let label, let value):
                let top = self.y
                let page = self.pages.count
                self.write(label, size: 9, x: PDFWriter.margin, width: labelWidth - 6, leading: 12)
                let labelBottom = self.y
                if self.pages.count == page { self.y = top }  // the value starts beside its label
                self.write(
                    value,
                    size: 9,
                    x: PDFWriter.margin + labelWidth,
                    width: PDFWriter.pageWidth - 2 * PDFWriter.margin - labelWidth,
                    leading: 12
                )
                if self.pages.count == page { self.y = min(self.y, labelBottom) }
            case .text(let text):
                self.write(
                    text,
                    size: 8.5,
                    x: PDFWriter.margin,
                    width: PDFWriter.pageWidth - 2 * PDFWriter.margin,
                    leading: 11
                )
            case .space:
                self.y -= 8
            }
        }
        self.finishPage()
    }

    /// Writes `text` wrapped to `width`, each line `leading` below the previous.
    ///
    /// Works on Unicode scalars with each one's font, glyph and advance looked up once (laying out
    /// Characters cost a tenth of a notice's CPU in the certified-mail benchmark).
    private mutating func write(_ text: String, size: Double, x: Double, width: Double, leading: Double) {
        var line: [Placed] = []
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n":
                self.writeLine(line, size: size, x: x, width: width, leading: leading)
                line.removeAll(keepingCapacity: true)
            case "\t":
                line.append(self.place(" ", size: size))
            case _ where scalar.value < 0x20 || scalar == "\r":
                continue
            default:
                line.append(self.place(scalar, size: size))
            }
        }
        self.writeLine(line, size: size, x: x, width: width, leading: leading)
    }

    /// A scalar with its font, glyph and advance at one size.
    struct Placed {
        var scalar: Unicode.Scalar
        var font: Int
        var glyph: UInt16
        var advance: Double
    }

    private func place(_ scalar: Unicode.Scalar, size: Double) -> Placed {
        let (font, glyph) = self.fontIndex(for: scalar)
        return Placed(
            scalar: scalar,
            font: font,
            glyph: glyph,
            advance: Double(self.fonts[font].width(of: glyph)) * size / 1000
        )
    }

    private mutating func writeLine(_ line: [Placed], size: Double, x: Double, width: Double, leading: Double) {
        for range in Self.wrap(line, width: width) {
            if self.y - leading < PDFWriter.margin {
                self.finishPage()
            }
            self.y -= leading
            self.draw(line[range], size: size, x: x)
        }
    }

    private mutating func finishPage() {
        if !self.content.isEmpty || self.pages.isEmpty {
            self.pages.append(self.content)
        }
        self.content = ""
        self.y = PDFWriter.pageHeight - PDFWriter.margin
    }

    private func fontIndex(for scalar: Unicode.Scalar) -> (Int, UInt16) {
        for (index, font) in self.fonts.enumerated() {
            if let glyph = font.glyph(for: scalar) { return (index, glyph) }
        }
        return (0, 0)
    }

    /// Breaks at spaces where it can, anywhere when a word is wider than the line (CJK has no spaces).
    static func wrap(_ line: [Placed], width: Double) -> [Range<Int>] {
        if line.isEmpty { return [0..<0] }
        var ranges: [Range<Int>] = []
        var start = 0
        while start < line.count {
            var end = start
            var lastSpace: Int? = nil
            var used = 0.0
            while end < line.count {
                if used + line[end].advance > width, end > start { break }
                if line[end].scalar == " " { lastSpace = end }
                used += line[end].advance
                end += 1
            }
            if end < line.count, let lastSpace, lastSpace > start {
                end = lastSpace
            }
            ranges.append(start..<end)
            start = end
            while start < line.count, line[start].scalar == " " { start += 1 }
        }
        return ranges
    }

    private mutating func draw(_ line: ArraySlice<Placed>, size: Double, x: Double) {
        guard !line.isEmpty else { return }
        var runs: [(font: Int, glyphs: [UInt8], advance: Double)] = []
        for placed in line {
            if placed.glyph != 0 { self.usedGlyphs[placed.font, default: [:]][placed.glyph] = placed.scalar }
            let bytes = [UInt8(truncatingIfNeeded: placed.glyph >> 8), UInt8(truncatingIfNeeded: placed.glyph)]
            if let last = runs.last, last.font == placed.font {
                runs[runs.count - 1].glyphs += bytes
                runs[runs.count - 1].advance += placed.advance
            } else {
                runs.append((placed.font, bytes, placed.advance))
            }
        }
        var position = x
        for run in runs {
            // By hand, not String(format:): this runs for every line of every PDF (a profile of the
            // certified-mail benchmark had String(format:) and its casts at a fifth of the notices' CPU).
            self.content +=
                "BT /F\(run.font) \(PDFNumber.fixed2(size)) Tf \(PDFNumber.fixed2(position)) "
                + "\(PDFNumber.fixed2(self.y)) Td <\(Hex.encode(run.glyphs))> Tj ET\n"
            position += run.advance
        }
    }
}

/// Numbers as PDF content streams write them.
enum PDFNumber {
    /// `12.35`, `-0.50`: two decimals, rounded half away from zero, as `%.2f` writes them.
    static func fixed2(_ value: Double) -> String {
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        return (value < 0 && hundredths != 0 ? "-" : "") + "\(hundredths / 100)." + (fraction < 10 ? "0" : "")
            + "\(fraction)"
    }
}
