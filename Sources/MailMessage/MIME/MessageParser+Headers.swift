//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension MessageParser {
    // field = field-name ":" ...; a line starting with WSP continues the field before it.
    mutating func processHeaderLine(
        _ line: UnsafeBufferPointer<UInt8>,
        content: UnsafeBufferPointer<UInt8>,
        part: Int,
        start: Int,
        terminator: LineTerminator
    ) {
        if content.isEmpty {
            self.endHeaders(of: part, bodyStart: start + line.count)
            return
        }
        let first = content[0]
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            // A continuation with no field before it is dropped.
            if !self.fieldStarts.isEmpty {
                self.appendHeaderLine(line, part: part)
            }
            return
        }
        if Self.looksLikeField(content) {
            self.fieldStarts.append(self.headerBytes.count)
            self.appendHeaderLine(line, part: part)
            return
        }
        if self.fieldStarts.isEmpty, content.starts(with: "From ".utf8) {
            return  // an mbox separator line
        }
        self.defects.append(MessageDefect(partIndex: part, kind: .missingHeaderBodySeparator))
        self.endHeaders(of: part, bodyStart: start)
        switch self.mode {
        case .headers(let child):
            // A message/rfc822 part began: the line is its child's first header line, or its body.
            self.processHeaderLine(line, content: content, part: child, start: start, terminator: terminator)
        case .body, .epilogue:
            self.consumeBodyContent(content, terminator: terminator, continuing: false)
        }
    }

    private mutating func appendHeaderLine(_ line: UnsafeBufferPointer<UInt8>, part: Int) {
        if self.headerBytes.count + line.count > self.options.maximumHeaderBlockSize {
            if self.fieldStarts.last == self.headerBytes.count {
                self.fieldStarts.removeLast()
            }
            if !self.headerBlockOverLimit {
                self.headerBlockOverLimit = true
                self.defects.append(MessageDefect(partIndex: part, kind: .headerBlockTooLarge))
            }
            return
        }
        self.headerBytes.append(contentsOf: line)
    }

    // field-name = 1*ftext; obs-optional allows whitespace before the colon (RFC 5322 §4.5).
    static func looksLikeField(_ content: UnsafeBufferPointer<UInt8>) -> Bool {
        var sawName = false
        var sawSpace = false
        for byte in content {
            if byte == UInt8(ascii: ":") { return sawName || !sawSpace }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                sawSpace = true
                continue
            }
            if byte < 0x20 || byte >= 0x7F || sawSpace { return false }
            sawName = true
        }
        return false
    }

    /// The header block of `part` is complete: decide what its body is.
    mutating func endHeaders(of part: Int, bodyStart: Int) {
        var fields: [HeaderField] = []
        fields.reserveCapacity(self.fieldStarts.count)
        for (position, fieldStart) in self.fieldStarts.enumerated() {
            let fieldEnd =
                position + 1 < self.fieldStarts.count ? self.fieldStarts[position + 1] : self.headerBytes.count
            fields.append(HeaderField(raw: Array(self.headerBytes[fieldStart..<fieldEnd])))
        }
        self.headerBytes.removeAll(keepingCapacity: true)
        self.fieldStarts.removeAll(keepingCapacity: true)
        self.headerBlockOverLimit = false

        var entity = self.parts[part]
        entity.headers = fields
        entity.bodyStart = bodyStart
        entity.bodyEnd = bodyStart
        entity.contentType = self.effectiveContentType(fields, parent: entity.parent)
        entity.transferEncoding =
            entity.rawHeader("Content-Transfer-Encoding").map(TransferEncoding.init(headerValue:)) ?? .sevenBit
        self.pendingTerminator = .none
        let type = entity.contentType.value
        let isContainerType =
            type.hasPrefix("multipart/") || type == "message/rfc822" || type == "message/global"
        let tooDeep = isContainerType && entity.depth >= self.options.maximumNestingDepth
        if tooDeep {
            self.defects.append(MessageDefect(partIndex: part, kind: .nestingTooDeep))
            self.decoder = BodyDecoderState(encoding: entity.transferEncoding, captureLimit: 0)
            self.mode = .body(part: part)
        } else if type.hasPrefix("multipart/"), let boundary = entity.contentType.parameters["boundary"],
            !boundary.isEmpty
        {
            entity.isContainer = true
            self.boundaries.append((part, Array("--".utf8) + Array(boundary.utf8)))
            self.decoder = BodyDecoderState(encoding: entity.transferEncoding, captureLimit: 0)
            self.mode = .body(part: part)
        } else if type == "message/rfc822" || type == "message/global", entity.transferEncoding.isIdentity {
            entity.isContainer = true
            let child = self.parts.count
            self.parts.append(
                Self.newPart(index: child, parent: part, depth: entity.depth + 1, headerStart: bodyStart)
            )
            self.openParts.append(child)
            self.mode = .headers(part: child)
        } else {
            if type.hasPrefix("multipart/") {
                self.defects.append(MessageDefect(partIndex: part, kind: .multipartWithoutBoundary))
            }
            let capture = type.hasPrefix("text/") ? self.options.capturedTextLimit : 0
            self.decoder = BodyDecoderState(encoding: entity.transferEncoding, captureLimit: capture)
            self.mode = .body(part: part)
        }
        self.parts[part] = entity
    }

    /// RFC 2045 §5.2: no (or an unusable) Content-Type means text/plain; in a digest, message/rfc822.
    private func effectiveContentType(_ fields: [HeaderField], parent: Int?) -> MIMEHeaderValue {
        if let field = fields.first(where: { $0.hasName("Content-Type") }) {
            let parsed = MIMEHeaderValue(parsing: field.unfoldedValue)
            let pieces = parsed.value.split(separator: "/", omittingEmptySubsequences: false)
            if pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty {
                return parsed
            }
            return MIMEHeaderValue(value: "text/plain", parameters: parsed.parameters)
        }
        if let parent, self.parts[parent].contentType.value == "multipart/digest" {
            return MIMEHeaderValue(value: "message/rfc822")
        }
        return MIMEHeaderValue(value: "text/plain")
    }
}
