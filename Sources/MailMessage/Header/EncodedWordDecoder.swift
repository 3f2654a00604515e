//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Decodes RFC 2047 encoded words in header text.
///
///     =?ISO-8859-1?Q?Andr=E9?= Pirard   ->   André Pirard
///
/// Whitespace between two adjacent encoded words is dropped, and the bytes of adjacent words in the
/// same charset are joined before conversion (mailers split multi-byte characters across words).
/// A word in an unknown charset, or one that does not decode, is kept as written.
///
/// - SeeAlso: [RFC 2047 §2–§6](https://www.rfc-editor.org/rfc/rfc2047)
public enum EncodedWordDecoder {
    /// Decodes `bytes`: encoded words to text, everything else as UTF-8 (RFC 6532) or, failing that, Latin-1.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var output = ""
        var literalStart = 0
        var index = 0
        var pending: (charset: Charset, bytes: [UInt8], raw: ArraySlice<UInt8>)? = nil

        func flushPending() {
            guard let word = pending else { return }
            output += word.charset.decode(word.bytes) ?? lenientString(word.raw)
            pending = nil
        }

        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "?"),
                let word = parseWord(bytes, at: index)
            else {
                index += 1
                continue
            }
            let between = bytes[literalStart..<index]
            let onlyWhitespace = between.allSatisfy(isWhitespace)
            if pending != nil, onlyWhitespace {
                // Adjacent encoded words: the whitespace between them is not part of the text.
            } else {
                flushPending()
                output += lenientString(between)
            }
            if var current = pending, current.charset == word.charset {
                current.bytes += word.decoded
                current.raw = bytes[current.raw.startIndex..<word.end]
                pending = current
            } else {
                flushPending()
                pending = (word.charset, word.decoded, bytes[index..<word.end])
            }
            index = word.end
            literalStart = index
        }
        flushPending()
        output += lenientString(bytes[literalStart...])
        return output
    }

    private struct Word {
        var charset: Charset
        var decoded: [UInt8]
        var end: Int
    }

    // encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?="
    private static func parseWord(_ bytes: [UInt8], at start: Int) -> Word? {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "?") {
            if isWhitespace(bytes[index]) || index - charsetStart > 64 { return nil }
            index += 1
        }
        guard index + 3 < bytes.count, index > charsetStart else { return nil }
        var charsetName = String(decoding: bytes[charsetStart..<index], as: UTF8.self)
        if let star = charsetName.firstIndex(of: "*") {
            charsetName = String(charsetName[..<star])
        }
        let encoding = asciiLowercase(bytes[index + 1])
        guard bytes[index + 2] == UInt8(ascii: "?"), encoding == UInt8(ascii: "q") || encoding == UInt8(ascii: "b")
        else {
            return nil
        }
        index += 3
        let textStart = index
        while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "?") && bytes[index + 1] == UInt8(ascii: "=")) {
            if isWhitespace(bytes[index]) { return nil }
            index += 1
        }
        guard index + 1 < bytes.count else { return nil }
        let text = bytes[textStart..<index]
        let decoded: [UInt8]
        if encoding == UInt8(ascii: "b") {
            var decoder = Base64StreamDecoder()
            var out: [UInt8] = []
            decoder.decode(text) { out.append(contentsOf: $0) }
            decoded = out
        } else {
            decoded = QuotedPrintable.decodeQ(text)
        }
        return Word(charset: Charset(charsetName), decoded: decoded, end: index + 2)
    }
}
