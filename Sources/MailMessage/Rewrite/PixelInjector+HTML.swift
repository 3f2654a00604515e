//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension PixelInjector {
    func injectIntoHTML(
        _ part: MessagePart,
        plan: inout RewritePlan,
        lineEnding: [UInt8],
        readBody: (Range<Int>) throws -> [UInt8]
    ) rethrows {
        let raw = try readBody(part.bodyStart..<part.bodyEnd)
        let pixel = Array(self.pixelHTML.utf8)
        plan.pixelsInserted += 1
        // An empty body shares its line ending with the header's blank line: the next delimiter
        // follows at once, so what is inserted must end a line of its own (the fuzzer found a pixel
        // glued to the boundary, which then no longer ended the part).
        let closingBreak = raw.isEmpty && part.parent != nil ? lineEnding : []
        switch part.transferEncoding {
        case .base64:
            var decoded: [UInt8] = []
            var decoder = Base64StreamDecoder()
            decoder.decode(raw) { decoded += $0 }
            decoder.finish { decoded += $0 }
            let at = Self.insertionPoint(in: decoded)
            decoded.insert(contentsOf: pixel, at: at)
            var encoded = BodyEncoder.base64(decoded, lineEnding: lineEnding)
            encoded.removeLast(lineEnding.count)  // the line ending before the boundary is the original's
            plan.insert(encoded + closingBreak)
        case .quotedPrintable:
            let at = Self.insertionPoint(in: raw)
            plan.copy(part.bodyStart..<(part.bodyStart + at))
            // "=" CRLF, the encoded pixel, "=" CRLF: two soft breaks, so the decoded HTML gains the pixel only.
            plan.insert([UInt8(ascii: "=")] + lineEnding)
            plan.insert(BodyEncoder.quotedPrintable(pixel, lineEnding: lineEnding, fragment: true) + closingBreak)
            plan.copy((part.bodyStart + at)..<part.bodyEnd)
        case .sevenBit, .eightBit, .binary, .other, .uuencode:
            let at = Self.insertionPoint(in: raw)
            plan.copy(part.bodyStart..<(part.bodyStart + at))
            let lineStart = raw[..<at].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let lineEnd = raw[at...].firstIndex(of: 0x0A) ?? raw.count
            if lineEnd - lineStart + pixel.count > MailMessageDefaults.maximumLineLength {
                plan.insert(lineEnding + pixel + lineEnding)
            } else {
                plan.insert(pixel + closingBreak)
            }
            plan.copy((part.bodyStart + at)..<part.bodyEnd)
        }
    }

    /// Just before the last `</body` (any case), else the end.
    static func insertionPoint(in html: [UInt8]) -> Int {
        let needle = Array("</body".utf8)
        guard html.count >= needle.count else { return html.count }
        var index = html.count - needle.count
        while index >= 0 {
            if html[index] == UInt8(ascii: "<"),
                zip(html[index..<(index + needle.count)], needle).allSatisfy({ asciiLowercase($0) == $1 })
            {
                return index
            }
            index -= 1
        }
        return html.count
    }

    /// The HTML alternative of a plain-text part: its text, escaped, in a pre-wrapped block, then the pixel.
    func generatedHTML(for plain: MessagePart, readBody: (Range<Int>) throws -> [UInt8]) rethrows -> [UInt8] {
        let raw = try readBody(plain.bodyStart..<plain.bodyEnd)
        let decoded = BodyDecoding.decode(raw, encoding: plain.transferEncoding)
        let text = Charset(plain.charset ?? "us-ascii").decode(decoded) ?? lenientString(decoded)
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
        html += "<div style=\"white-space:pre-wrap;font-family:monospace\">"
        html += text.replacingHTMLSpecials()
        html += "</div>\n" + self.pixelHTML + "\n</body></html>\n"
        return Array(html.utf8)
    }
}

/// Whole-body decoding, for the parts a rewrite has to read.
enum BodyDecoding {
    static func decode(_ raw: [UInt8], encoding: TransferEncoding) -> [UInt8] {
        var output: [UInt8] = []
        switch encoding {
        case .base64:
            var decoder = Base64StreamDecoder()
            decoder.decode(raw) { output += $0 }
            decoder.finish { output += $0 }
        case .quotedPrintable:
            var start = 0
            while start <= raw.count {
                var end = raw[start...].firstIndex(of: 0x0A) ?? raw.count
                let hasLineFeed = end < raw.count
                var contentEnd = end
                if contentEnd > start, raw[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                let soft = raw[start..<contentEnd].withUnsafeBufferPointer {
                    QuotedPrintable.decodeLine($0, into: &output)
                }
                if hasLineFeed, !soft { output += raw[contentEnd...end] }
                end += 1
                start = end
                if !hasLineFeed { break }
            }
        case .sevenBit, .eightBit, .binary, .other, .uuencode:
            output = raw
        }
        return output
    }
}

extension String {
    /// The text with `&`, `<`, `>` and `"` written as character references (for HTML text and attributes).
    public func replacingHTMLSpecials() -> String {
        // Byte by byte: the four specials are ASCII, and UTF-8 never uses ASCII bytes inside a
        // multi-byte character (iterating Characters cost a twentieth of a certified copy).
        var output: [UInt8] = []
        output.reserveCapacity(self.utf8.count + self.utf8.count / 16)
        for byte in self.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output += "&amp;".utf8
            case UInt8(ascii: "<"): output += "&lt;".utf8
            case UInt8(ascii: ">"): output += "&gt;".utf8
            case UInt8(ascii: "\""): output += "&quot;".utf8
            default: output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
