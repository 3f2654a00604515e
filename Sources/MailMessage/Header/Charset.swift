//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A MIME charset name and the conversion of text in it to UTF-8.
///
/// Conversion goes through the C library's `iconv`, which knows the charsets real mail uses
/// (ISO-8859-*, Windows-125x, KOI8-R, Shift_JIS, ISO-2022-JP, GB18030, Big5, EUC-KR…). Names that
/// mail writes but iconv spells differently are mapped first (`ks_c_5601-1987` is Windows' CP949).
///
/// - SeeAlso: [RFC 2046 §4.1.2](https://www.rfc-editor.org/rfc/rfc2046#section-4.1.2)
public struct Charset: Hashable, Sendable {
    /// The name as the message wrote it, lowercased.
    public let name: String

    public init(_ name: String) {
        self.name = name.lowercased()
    }

    /// Converts `bytes` to a `String`; `nil` when the charset is unknown or the bytes are not valid in it.
    public func decode(_ bytes: some Collection<UInt8>) -> String? {
        switch self.name {
        case "utf-8", "utf8", "us-ascii", "ascii", "":
            return String(validating: Array(bytes), as: UTF8.self)
        case "iso-8859-1", "latin1", "iso_8859-1", "l1", "windows-1252", "cp1252":
            // Mail labelled Latin-1 is written on Windows: read it as Windows-1252, as browsers do
            // (WHATWG Encoding), and fall back to Latin-1 for the five bytes 1252 leaves undefined.
            let bytes = Array(bytes)
            return Self.convertWithIconv(bytes, from: "CP1252")
                ?? String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default:
            return Self.convertWithIconv(Array(bytes), from: self.iconvName)
        }
    }

    private var iconvName: String {
        switch self.name {
        case "ks_c_5601-1987", "ks_c_5601", "ksc5601", "euc-kr": return "CP949"
        case "gb2312", "gbk", "x-gbk", "gb_2312-80": return "GB18030"
        case "shift_jis", "sjis", "x-sjis", "shift-jis": return "CP932"
        case "iso-8859-8-i": return "ISO-8859-8"
        case "windows-874": return "CP874"
        default: return self.name.uppercased()
        }
    }

    private static func convertWithIconv(_ input: [UInt8], from charset: String) -> String? {
        let converter = iconv_open("UTF-8", charset)
        if converter == iconv_t(bitPattern: -1) {
            return nil
        }
        defer { iconv_close(converter) }
        if input.isEmpty {
            return ""
        }
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var input = input
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                inBuffer.withMemoryRebound(to: CChar.self) { inChars in
                    outBuffer.withMemoryRebound(to: CChar.self) { outChars in
                        var inPointer: UnsafeMutablePointer<CChar>? = inChars.baseAddress
                        var inLeft = inChars.count
                        var outPointer: UnsafeMutablePointer<CChar>? = outChars.baseAddress
                        var outLeft = outChars.count
                        if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 {
                            return nil
                        }
                        // Flush a stateful encoding (ISO-2022-JP) back to its initial state.
                        if iconv(converter, nil, nil, &outPointer, &outLeft) == -1 {
                            return nil
                        }
                        return outChars.count - outLeft
                    }
                }
            }
        }
        guard let produced else {
            return nil
        }
        return String(validating: output[..<produced], as: UTF8.self)
    }
}
