//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Reads back the files an evidence PDF embeds, as ``PDFWriter`` writes them: a `/Filespec` with a
/// literal `/F (name)` and `/EF << /F N 0 R >>`, and object N an uncompressed stream with its
/// `/Length` first. Only for Fefaent's own PDFs, whose signature covers every byte; anything else
/// yields what can be read of it, never a crash.
public enum PDFEmbeddedFiles {
    public static func extract(_ pdf: [UInt8]) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        let marker = Array("/Type /Filespec /F (".utf8)
        var position = 0
        while let found = pdf[position...].firstRange(of: marker) {
            position = found.upperBound
            guard let (name, afterName) = self.literalString(pdf, from: found.upperBound),
                let ef = pdf[afterName...].prefix(4096).firstRange(of: Array("/EF << /F ".utf8)),
                let number = self.integer(pdf, from: ef.upperBound),
                let data = self.stream(pdf, object: number.value)
            else { continue }
            files[name] = data
        }
        return files
    }

    /// A literal string's text (its opening parenthesis already read) and the index after it.
    static func literalString(_ pdf: [UInt8], from start: Int) -> (String, Int)? {
        var bytes: [UInt8] = []
        var index = start
        while index < pdf.count, bytes.count < 1_024 {
            let byte = pdf[index]
            if byte == UInt8(ascii: "\\"), index + 1 < pdf.count {
                bytes.append(pdf[index + 1])
                index += 2
                continue
            }
            if byte == UInt8(ascii: ")") { return (String(decoding: bytes, as: UTF8.self), index + 1) }
            bytes.append(byte)
            index += 1
        }
        return nil
    }

    static func integer(_ pdf: [UInt8], from start: Int) -> (value: Int, end: Int)? {
        var value = 0
        var index = start
        while index < pdf.count, index - start < 12, pdf[index] >= UInt8(ascii: "0"), pdf[index] <= UInt8(ascii: "9") {
            value = value * 10 + Int(pdf[index] - UInt8(ascii: "0"))
            index += 1
        }
        return index > start ? (value, index) : nil
    }

    /// The content of stream object `number`.
    static func stream(_ pdf: [UInt8], object number: Int) -> [UInt8]? {
        let header = Array("\n\(number) 0 obj\n<< /Length ".utf8)
        guard let found = pdf.firstRange(of: header), let length = self.integer(pdf, from: found.upperBound),
            let start = pdf[length.end...].prefix(4096).firstRange(of: Array(">>\nstream\n".utf8))?.upperBound,
            length.value >= 0, start + length.value <= pdf.count
        else { return nil }
        return Array(pdf[start..<(start + length.value)])
    }
}
