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

/// A one-pass, streaming RFC 5322 / MIME parser.
///
/// Feed it the message in chunks of any size with ``parse(_:)``, then call ``finish()``. Memory stays
/// bounded by the largest header block: bodies are decoded and hashed (SHA-256) line by line and never
/// kept, except for the first ``Options/capturedTextLimit`` bytes of text parts.
///
/// It reads mail as it is written, not only as the RFCs say: LF or CRLF line ends, boundaries with
/// similar prefixes, a missing final boundary, a multipart whose boundary never appears (kept as one
/// part), a header block without its blank line, nested `message/rfc822`. What it worked around is
/// listed in ``ParsedMessage/defects``.
///
/// - SeeAlso: [RFC 5322](https://www.rfc-editor.org/rfc/rfc5322), [RFC 2045](https://www.rfc-editor.org/rfc/rfc2045),
///   [RFC 2046 §5.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.1)
public struct MessageParser {
    /// Limits and what to keep.
    public struct Options: Hashable, Sendable {
        /// A header block larger than this is cut (the rest of its fields are skipped).
        public var maximumHeaderBlockSize = MailMessageDefaults.maximumHeaderBlockSize
        /// A container this deep holds no parts of its own: it is read as one opaque leaf, so that a
        /// hostile message cannot make the parser track 100,000 open multiparts.
        public var maximumNestingDepth = MailMessageDefaults.maximumNestingDepth
        /// How many decoded bytes of each text part to keep in ``MessagePart/capturedText``.
        public var capturedTextLimit = 0

        public init() {}
    }

    enum Mode {
        case headers(part: Int)
        case body(part: Int)
        case epilogue(part: Int)
    }

    let options: Options
    var parts: [MessagePart] = []
    var defects: [MessageDefect] = []
    var mode: Mode = .headers(part: 0)
    var openParts: [Int] = [0]
    /// Open multiparts and their delimiter (`--boundary`), innermost last.
    var boundaries: [(part: Int, delimiter: [UInt8])] = []
    var multipartsWithBoundarySeen: Set<Int> = []
    var decoder: BodyDecoderState? = nil
    var pendingTerminator: LineTerminator = .none
    var headerBytes: [UInt8] = []
    var fieldStarts: [Int] = []
    var carry: [UInt8] = []
    var carryStart = 0
    var position = 0
    var midLine = false
    var sawBareLineFeed = false
    /// Whether the header block being read already went over the limit (its defect is recorded).
    var headerBlockOverLimit = false

    public init(options: Options = Options()) {
        self.options = options
        self.parts.append(Self.newPart(index: 0, parent: nil, depth: 0, headerStart: 0))
    }

    /// Parses a whole message held in memory.
    public static func parse(_ bytes: some Collection<UInt8>, options: Options = Options()) -> ParsedMessage {
        var parser = MessageParser(options: options)
        parser.parse(bytes)
        return parser.finish()
    }

    /// Feeds the next bytes of the message.
    public mutating func parse(_ bytes: some Collection<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { self.parse(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            Array(bytes).withUnsafeBytes { self.parse($0) }
        }
    }

    /// Feeds the next bytes of the message.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer) {
        let bytes = buffer.bindMemory(to: UInt8.self)
        guard let base = bytes.baseAddress else { return }
        var index = 0
        while index < bytes.count {
            guard let found = memchr(base + index, 0x0A, bytes.count - index) else {
                self.carry.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index...]))
                index = bytes.count
                self.flushLongLineIfNeeded()
                break
            }
            let lineEnd = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            if self.carry.isEmpty {
                self.processLine(UnsafeBufferPointer(rebasing: bytes[index..<lineEnd]), start: self.position + index)
            } else {
                self.carry.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<lineEnd]))
                let line = self.carry
                let start = self.carryStart
                self.carry.removeAll(keepingCapacity: true)
                line.withUnsafeBufferPointer { self.processLine($0, start: start) }
            }
            index = lineEnd
            self.carryStart = self.position + index
        }
        self.position += bytes.count
    }

    /// Ends the message and returns what was found.
    public mutating func finish() -> ParsedMessage {
        if !self.carry.isEmpty || self.midLine {
            let line = self.carry
            self.carry.removeAll()
            line.withUnsafeBufferPointer { self.processLine($0, start: self.carryStart) }
        }
        if case .headers(let part) = self.mode {
            self.endHeaders(of: part, bodyStart: self.position)
        }
        if var decoder = self.decoder, self.openParts.count == 1 {
            // A single-part message keeps its last line ending. Inside a multipart that lost its closing
            // boundary, the last line ending is taken as the one before that boundary, as mail readers do.
            decoder.feedTerminator(self.pendingTerminator)
            self.decoder = decoder
            self.pendingTerminator = .none
        }
        let end = self.position - self.pendingTerminator.count
        while let part = self.openParts.popLast() {
            self.close(part, at: end)
        }
        if self.sawBareLineFeed {
            self.defects.append(MessageDefect(partIndex: 0, kind: .bareLineFeed))
        }
        return ParsedMessage(parts: self.parts, defects: self.defects, size: self.position)
    }

    // MARK: - Lines

    private mutating func processLine(_ line: UnsafeBufferPointer<UInt8>, start: Int) {
        var contentCount = line.count
        var terminator = LineTerminator.none
        if contentCount > 0, line[contentCount - 1] == 0x0A {
            contentCount -= 1
            terminator = .lineFeed
            if contentCount > 0, line[contentCount - 1] == 0x0D {
                contentCount -= 1
                terminator = .carriageReturnLineFeed
            } else {
                self.sawBareLineFeed = true
            }
        }
        let content = UnsafeBufferPointer(rebasing: line[..<contentCount])
        if self.midLine {
            self.midLine = false
            self.consumeBodyContent(content, terminator: terminator, continuing: true)
            return
        }
        if !self.boundaries.isEmpty, contentCount >= 2, content[0] == UInt8(ascii: "-"),
            content[1] == UInt8(ascii: "-"),
            let (match, isClose) = self.matchBoundary(content)
        {
            self.handleBoundary(match, isClose: isClose, lineStart: start, lineEnd: start + line.count)
            return
        }
        switch self.mode {
        case .headers(let part):
            self.processHeaderLine(line, content: content, part: part, start: start, terminator: terminator)
        case .body, .epilogue:
            self.consumeBodyContent(content, terminator: terminator, continuing: false)
        }
    }

    mutating func consumeBodyContent(
        _ content: UnsafeBufferPointer<UInt8>,
        terminator: LineTerminator,
        continuing: Bool
    ) {
        guard case .body = self.mode, self.decoder != nil else { return }
        // Mutated in place through the optional: no copy of the decoder per line.
        if !continuing {
            self.decoder?.feedTerminator(self.pendingTerminator)
        }
        self.decoder?.feedContent(content)
        self.pendingTerminator = terminator
    }

    /// A line longer than any boundary can be is body content: hand it on instead of buffering it.
    private mutating func flushLongLineIfNeeded() {
        let holdBack = 2
        guard self.carry.count > MailMessageDefaults.longestBoundaryLine + holdBack else { return }
        switch self.mode {
        case .headers(let part):
            guard self.headerBytes.count + self.carry.count > self.options.maximumHeaderBlockSize else { return }
            self.defects.append(MessageDefect(partIndex: part, kind: .headerBlockTooLarge))
            self.endHeaders(of: part, bodyStart: self.carryStart)
            self.flushLongLineIfNeeded()
        case .body, .epilogue:
            let pieceCount = self.carry.count - holdBack
            let piece = Array(self.carry[..<pieceCount])
            let continuing = self.midLine
            piece.withUnsafeBufferPointer { self.consumeBodyContent($0, terminator: .none, continuing: continuing) }
            self.carry.removeFirst(pieceCount)
            self.carryStart += pieceCount
            self.midLine = true
        }
    }

    // MARK: - Boundaries

    // dash-boundary = "--" boundary; close-delimiter = dash-boundary "--"; then transport padding (LWSP).
    private func matchBoundary(_ content: UnsafeBufferPointer<UInt8>) -> (Int, Bool)? {
        for candidate in self.boundaries.indices.reversed() {
            let delimiter = self.boundaries[candidate].delimiter
            guard content.count >= delimiter.count,
                delimiter.withUnsafeBufferPointer({
                    memcmp(content.baseAddress!, $0.baseAddress!, delimiter.count) == 0
                })
            else { continue }
            var index = delimiter.count
            var isClose = false
            if index + 1 < content.count, content[index] == UInt8(ascii: "-"), content[index + 1] == UInt8(ascii: "-") {
                isClose = true
                index += 2
            }
            if content[index...].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                return (candidate, isClose)
            }
        }
        return nil
    }

    private mutating func handleBoundary(_ match: Int, isClose: Bool, lineStart: Int, lineEnd: Int) {
        let multipart = self.boundaries[match].part
        if case .headers(let part) = self.mode {
            self.endHeaders(of: part, bodyStart: lineStart)
        }
        let contentEnd = lineStart - self.pendingTerminator.count
        self.pendingTerminator = .none
        while let innermost = self.openParts.last, innermost != multipart {
            self.openParts.removeLast()
            self.close(innermost, at: contentEnd)
        }
        self.boundaries.removeSubrange((match + 1)...)
        if !self.multipartsWithBoundarySeen.contains(multipart) {
            // The preamble is not content once the boundary shows up.
            self.multipartsWithBoundarySeen.insert(multipart)
            self.decoder = nil
        }
        if isClose {
            self.boundaries.remove(at: match)
            self.mode = .epilogue(part: multipart)
        } else {
            let child = self.parts.count
            self.parts.append(
                Self.newPart(
                    index: child,
                    parent: multipart,
                    depth: self.parts[multipart].depth + 1,
                    headerStart: lineEnd
                )
            )
            self.openParts.append(child)
            self.mode = .headers(part: child)
        }
    }

    private mutating func close(_ part: Int, at end: Int) {
        self.parts[part].bodyEnd = max(end, self.parts[part].bodyStart)
        let isMultipart = self.parts[part].contentType.value.hasPrefix("multipart/")
        if isMultipart, self.parts[part].isContainer {
            if !self.multipartsWithBoundarySeen.contains(part) {
                self.parts[part].isContainer = false
                self.defects.append(MessageDefect(partIndex: part, kind: .startBoundaryNotFound))
            }
            // Parts close innermost first and a child's index is above its parent's, so whatever
            // boundary this part or an inner one left open is at the top of the stack: constant time
            // per part, not a search of every open boundary (quadratic in the depth).
            while let top = self.boundaries.last, top.part >= part {
                if top.part == part, self.multipartsWithBoundarySeen.contains(part) {
                    self.defects.append(MessageDefect(partIndex: part, kind: .closeBoundaryNotFound))
                }
                self.boundaries.removeLast()
            }
        }
        if !self.parts[part].isContainer, var decoder = self.decoder {
            self.decoder = nil
            let result = decoder.finish()
            self.parts[part].decodedSize = result.size
            self.parts[part].sha256 = result.sha256
            self.parts[part].capturedText = result.captured
        } else if !self.parts[part].isContainer, self.parts[part].sha256.isEmpty {
            var empty = BodyDecoderState(encoding: .binary, captureLimit: 0)
            self.parts[part].sha256 = empty.finish().sha256
        }
    }

    static func newPart(index: Int, parent: Int?, depth: Int, headerStart: Int) -> MessagePart {
        MessagePart(
            index: index,
            parent: parent,
            depth: depth,
            headers: [],
            contentType: MIMEHeaderValue(value: "text/plain"),
            transferEncoding: .sevenBit,
            isContainer: false,
            headerStart: headerStart,
            bodyStart: headerStart,
            bodyEnd: headerStart,
            decodedSize: 0,
            sha256: [],
            capturedText: []
        )
    }
}
