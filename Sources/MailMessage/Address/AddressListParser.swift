//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Parses RFC 5322 address lists leniently: display names, quoted local parts, groups, comments,
/// and the obsolete forms found in real mail (`addr (Name)`, routes, missing commas or brackets).
///
///     To: A Group:Ed Jones <c@a.test>,joe@where.test;, "Mary" <mary@x.test>
///
/// - SeeAlso: [RFC 5322 §3.4 and §4.4](https://www.rfc-editor.org/rfc/rfc5322#section-3.4)
public enum AddressListParser {
    /// The mailboxes in `value` (an unfolded header value), in order. Never fails: junk yields nothing.
    public static func parse(_ value: some Collection<UInt8>) -> [Address] {
        let bytes = Array(value)
        var addresses: [Address] = []
        var group: String? = nil
        var segmentStart = 0
        var index = 0
        var angleDepth = 0
        while index <= bytes.count {
            let byte: UInt8 = index < bytes.count ? bytes[index] : UInt8(ascii: ",")
            switch byte {
            case UInt8(ascii: "\""):
                index = skipQuoted(bytes, from: index)
                continue
            case UInt8(ascii: "("):
                index = skipComment(bytes, from: index)
                continue
            case UInt8(ascii: "<"):
                angleDepth += 1
            case UInt8(ascii: ">"):
                angleDepth = max(0, angleDepth - 1)
            case UInt8(ascii: ":") where angleDepth == 0 && group == nil:
                let name = bytes[segmentStart..<index]
                if !name.contains(UInt8(ascii: "@")) {
                    group = phrase(name)
                    segmentStart = index + 1
                }
            case UInt8(ascii: ","), UInt8(ascii: ";"):
                if angleDepth == 0 || index == bytes.count {
                    if let address = mailbox(bytes[segmentStart..<min(index, bytes.count)], group: group) {
                        addresses.append(address)
                    }
                    if byte == UInt8(ascii: ";") { group = nil }
                    segmentStart = index + 1
                    angleDepth = 0
                }
            default:
                break
            }
            index += 1
        }
        return addresses
    }

    // mailbox = name-addr / addr-spec; name-addr = [display-name] angle-addr
    private static func mailbox(_ segment: ArraySlice<UInt8>, group: String?) -> Address? {
        var index = segment.startIndex
        var open: Int? = nil
        while index < segment.endIndex {
            switch segment[index] {
            case UInt8(ascii: "\""):
                index = skipQuoted(Array(segment), from: index - segment.startIndex) + segment.startIndex
                continue
            case UInt8(ascii: "("):
                index = skipComment(Array(segment), from: index - segment.startIndex) + segment.startIndex
                continue
            case UInt8(ascii: "<"): open = index
            default: break
            }
            if open != nil { break }
            index += 1
        }
        if let open {
            let close = segment[open...].firstIndex(of: UInt8(ascii: ">")) ?? segment.endIndex
            var spec = segment[(open + 1)..<close]
            // obs-route: "@a.test,@b.test:" before the address.
            if let colon = spec.lastIndex(of: UInt8(ascii: ":")), spec.first == UInt8(ascii: "@") {
                spec = spec[(colon + 1)...]
            }
            guard let address = normalise(spec) else { return nil }
            let name = phrase(segment[segment.startIndex..<open])
            return Address(displayName: name.isEmpty ? nil : name, address: address, group: group)
        }
        guard let address = normalise(segment) else { return nil }
        let comment = commentText(segment)
        return Address(displayName: comment.isEmpty ? nil : comment, address: address, group: group)
    }

    /// An addr-spec without comments and whitespace; local part unquoted when it can be, domain lowercased.
    private static func normalise(_ spec: ArraySlice<UInt8>) -> String? {
        let bytes = Array(spec)
        var cleaned: [UInt8] = []
        var position = 0
        var quotedLocal = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "(") {
                position = skipComment(bytes, from: position)
                continue
            }
            if byte == UInt8(ascii: "\"") {
                let end = skipQuoted(bytes, from: position)
                var inner = bytes[(position + 1)..<max(position + 1, end - 1)].makeIterator()
                while let next = inner.next() {
                    cleaned.append(next == UInt8(ascii: "\\") ? (inner.next() ?? next) : next)
                }
                quotedLocal = true
                position = end
                continue
            }
            if !isWhitespace(byte) && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") {
                cleaned.append(byte)
            }
            position += 1
        }
        guard !cleaned.isEmpty else { return nil }
        guard let at = cleaned.lastIndex(of: UInt8(ascii: "@")) else {
            return lenientString(cleaned)
        }
        let local = Array(cleaned[..<at])
        var domain = Array(cleaned[(at + 1)...]).map(asciiLowercase)
        while domain.last == UInt8(ascii: ".") { domain.removeLast() }
        var localText = lenientString(local)
        if quotedLocal, !local.allSatisfy(isDotAtomText) || local.isEmpty {
            localText = "\"" + localText.replacingBackslashAndQuote() + "\""
        }
        return localText + "@" + lenientString(domain)
    }

    /// A display name: quoted strings unquoted, comments dropped, encoded words decoded, spaces collapsed.
    private static func phrase(_ bytes: ArraySlice<UInt8>) -> String {
        let bytes = Array(bytes)
        var raw: [UInt8] = []
        var position = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let end = skipQuoted(bytes, from: position)
                var inner = bytes[(position + 1)..<max(position + 1, end - 1)].makeIterator()
                while let next = inner.next() {
                    raw.append(next == UInt8(ascii: "\\") ? (inner.next() ?? next) : next)
                }
                position = end
                continue
            }
            if byte == UInt8(ascii: "(") {
                position = skipComment(bytes, from: position)
                raw.append(UInt8(ascii: " "))
                continue
            }
            raw.append(byte)
            position += 1
        }
        let text = EncodedWordDecoder.decode(raw)
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    private static func commentText(_ segment: ArraySlice<UInt8>) -> String {
        guard let open = segment.firstIndex(of: UInt8(ascii: "(")) else { return "" }
        let bytes = Array(segment[open...])
        let end = skipComment(bytes, from: 0)
        return EncodedWordDecoder.decode(bytes[1..<max(1, end - 1)]).trimmingSpaces()
    }

    private static func skipQuoted(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") { return index + 1 }
            index += 1
        }
        return bytes.count
    }

    private static func skipComment(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
            index += 1
        }
        return bytes.count
    }

    private static func isDotAtomText(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-/=?^_`{|}~.".utf8).contains(byte) || byte >= 0x80
        }
    }
}

extension String {
    fileprivate func replacingBackslashAndQuote() -> String {
        var output = ""
        for character in self {
            if character == "\\" || character == "\"" { output.append("\\") }
            output.append(character)
        }
        return output
    }

    fileprivate func trimmingSpaces() -> String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
