//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A MIME header value with parameters: `Content-Type` or `Content-Disposition`.
///
///     Content-Type: text/plain; charset="iso-8859-1"
///     Content-Disposition: attachment; filename*=UTF-8''caf%C3%A9.pdf
///
/// Parameter names are lowercased; RFC 2231 continuations (`name*0`, `name*1`) are joined and their
/// charsets decoded; RFC 2047 words inside a value (which real mailers write) are decoded too.
///
/// - SeeAlso: [RFC 2045 §5.1](https://www.rfc-editor.org/rfc/rfc2045#section-5.1),
///   [RFC 2183](https://www.rfc-editor.org/rfc/rfc2183), [RFC 2231](https://www.rfc-editor.org/rfc/rfc2231)
public struct MIMEHeaderValue: Hashable, Sendable {
    /// The lowercased main value: `text/plain`, `attachment`.
    public var value: String
    /// Decoded parameters by lowercased name.
    public var parameters: [String: String]

    public init(value: String, parameters: [String: String] = [:]) {
        self.value = value
        self.parameters = parameters
    }

    /// Parses a field's unfolded value leniently: it never fails, junk is skipped.
    public init(parsing bytes: [UInt8]) {
        var scanner = ParameterScanner(bytes: bytes)
        self.value = scanner.readToken(until: UInt8(ascii: ";")).lowercased()
        var simple: [String: String] = [:]
        var sections: [String: [(index: Int, extended: Bool, value: [UInt8])]] = [:]
        while let (name, rawValue) = scanner.readParameter() {
            guard let star = name.firstIndex(of: "*") else {
                if simple[name] == nil { simple[name] = EncodedWordDecoder.decode(rawValue) }
                continue
            }
            let baseName = String(name[..<star])
            let rest = name[name.index(after: star)...]
            if rest.isEmpty {
                sections[baseName, default: []].append((0, true, rawValue))
            } else {
                let extended = rest.hasSuffix("*")
                let number = Int(extended ? rest.dropLast() : rest) ?? 0
                sections[baseName, default: []].append((number, extended, rawValue))
            }
        }
        for (name, parts) in sections {
            simple[name] = Self.joinRFC2231(parts.sorted { $0.index < $1.index })
        }
        self.parameters = simple
    }

    // The first extended section may say `charset'language'`; every extended section is %-encoded.
    private static func joinRFC2231(_ sections: [(index: Int, extended: Bool, value: [UInt8])]) -> String {
        var charset = Charset("utf-8")
        var bytes: [UInt8] = []
        for (position, section) in sections.enumerated() {
            var value = section.value[...]
            if section.extended {
                if position == 0 {
                    let quotes = value.indices.filter { value[$0] == UInt8(ascii: "'") }
                    if quotes.count >= 2 {
                        let name = String(decoding: value[..<quotes[0]], as: UTF8.self)
                        if !name.isEmpty { charset = Charset(name) }
                        value = value[(quotes[1] + 1)...]
                    }
                }
                bytes += percentDecoded(value)
            } else {
                bytes += value
            }
        }
        return charset.decode(bytes) ?? lenientString(bytes)
    }

    private static func percentDecoded(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var index = value.startIndex
        while index < value.endIndex {
            if value[index] == UInt8(ascii: "%"), index + 2 < value.endIndex,
                let high = QuotedPrintable.hexValue(value[index + 1]),
                let low = QuotedPrintable.hexValue(value[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(value[index])
                index += 1
            }
        }
        return output
    }
}

/// Reads `token; name=value; name="quoted value"` leniently.
private struct ParameterScanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func skipWhitespaceAndComments() {
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if isWhitespace(byte) {
                self.index += 1
            } else if byte == UInt8(ascii: "(") {
                var depth = 0
                while self.index < self.bytes.count {
                    let current = self.bytes[self.index]
                    self.index += 1
                    if current == UInt8(ascii: "\\") {
                        self.index += 1
                        continue
                    }
                    if current == UInt8(ascii: "(") { depth += 1 }
                    if current == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 { break }
                    }
                }
            } else {
                return
            }
        }
    }

    mutating func readToken(until terminator: UInt8) -> String {
        self.skipWhitespaceAndComments()
        let start = self.index
        while self.index < self.bytes.count, self.bytes[self.index] != terminator,
            !isWhitespace(self.bytes[self.index]),
            self.bytes[self.index] != UInt8(ascii: "(")
        {
            self.index += 1
        }
        let token = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        while self.index < self.bytes.count, self.bytes[self.index] != terminator { self.index += 1 }
        return token
    }

    mutating func readParameter() -> (String, [UInt8])? {
        while true {
            self.skipWhitespaceAndComments()
            guard self.index < self.bytes.count else { return nil }
            if self.bytes[self.index] == UInt8(ascii: ";") {
                self.index += 1
                continue
            }
            break
        }
        let nameStart = self.index
        while self.index < self.bytes.count, self.bytes[self.index] != UInt8(ascii: "="),
            self.bytes[self.index] != UInt8(ascii: ";")
        {
            self.index += 1
        }
        let name = String(decoding: trimmingWhitespace(self.bytes[nameStart..<self.index]), as: UTF8.self).lowercased()
        guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "=") else {
            return name.isEmpty && self.index >= self.bytes.count ? nil : (name, [])
        }
        self.index += 1
        self.skipWhitespaceAndComments()
        var value: [UInt8] = []
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") {
            self.index += 1
            while self.index < self.bytes.count, self.bytes[self.index] != UInt8(ascii: "\"") {
                if self.bytes[self.index] == UInt8(ascii: "\\"), self.index + 1 < self.bytes.count {
                    self.index += 1
                }
                value.append(self.bytes[self.index])
                self.index += 1
            }
            self.index += 1
            while self.index < self.bytes.count, self.bytes[self.index] != UInt8(ascii: ";") { self.index += 1 }
        } else {
            let start = self.index
            while self.index < self.bytes.count, self.bytes[self.index] != UInt8(ascii: ";") { self.index += 1 }
            value = Array(trimmingWhitespace(self.bytes[start..<self.index]))
        }
        return (name, value)
    }
}
