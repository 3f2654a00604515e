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
    private mutating func write(_ text: String, size: Double, x: Double, width: Double, leading: Double) {
        // Split on scalars: "\r\n" is one Character, so splitting the String would not see it.
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 {
            for line in lines {
                self.write(String(String.UnicodeScalarView(line)), size: size, x: x, width: width, leading: leading)
            }
            return
        }
        let cleaned = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0 == "\t" ? " " : $0 }.filter { $0.value >= 0x20 && $0 != "\r" }
            )
        )
        for line in self.wrap(cleaned, size: size, width: width) {
            if self.y - leading < PDFWriter.margin {
                self.finishPage()
            }
            self.y -= leading
            self.draw(line, size: size, x: x)
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

    private func width(of text: Substring, size: Double) -> Double {
        text.unicodeScalars.reduce(0.0) { total, scalar in
            let (index, glyph) = self.fontIndex(for: scalar)
            return total + Double(self.fonts[index].width(of: glyph)) * size / 1000
        }
    }

    /// Breaks at spaces where it can, anywhere when a word is wider than the line (CJK has no spaces).
    private func wrap(_ text: String, size: Double, width: Double) -> [Substring] {
        if text.isEmpty { return [""] }
        var lines: [Substring] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            var end = rest.startIndex
            var lastSpace: Substring.Index? = nil
            var used = 0.0
            while end < rest.endIndex {
                let character = rest[end]
                let advance = self.width(of: rest[end..<rest.index(after: end)], size: size)
                if used + advance > width, end > rest.startIndex { break }
                if character == " " { lastSpace = end }
                used += advance
                end = rest.index(after: end)
            }
            if end < rest.endIndex, let lastSpace, lastSpace > rest.startIndex {
                end = lastSpace
            }
            lines.append(rest[rest.startIndex..<end])
            rest = rest[end...]
            while rest.first == " " { rest = rest.dropFirst() }
        }
        return lines
    }

    private mutating func draw(_ line: Substring, size: Double, x: Double) {
        guard !line.isEmpty else { return }
        var runs: [(font: Int, glyphs: [UInt16])] = []
        for scalar in line.unicodeScalars {
            let (index, glyph) = self.fontIndex(for: scalar)
            if glyph != 0 { self.usedGlyphs[index, default: [:]][glyph] = scalar }
            if let last = runs.last, last.font == index {
                runs[runs.count - 1].glyphs.append(glyph)
            } else {
                runs.append((index, [glyph]))
            }
        }
        var position = x
        for run in runs {
            // By hand, not String(format:): this runs for every line of every PDF (a profile of the
            // certified-mail benchmark had String(format:) and its casts at a fifth of the notices' CPU).
            let hex = Hex.encode(
                run.glyphs.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] }
            )
            self.content +=
                "BT /F\(run.font) \(PDFNumber.fixed2(size)) Tf \(PDFNumber.fixed2(position)) "
                + "\(PDFNumber.fixed2(self.y)) Td <\(hex)> Tj ET\n"
            position += run.glyphs.reduce(0.0) { $0 + Double(self.fonts[run.font].width(of: $1)) * size / 1000 }
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
