//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

/// Cuts the octet stream of one SMTP session into command lines and message content.
///
/// Framing is strict: only CR LF ends a command line, and DATA ends only at CR LF "." CR LF, so the
/// smuggling sequences (`<LF>.<LF>`, `<LF>.<CR><LF>`, `<CR>.<CR>`) are content, flagged as defects,
/// never an end of data. Memory is bounded: an over-long command line is dropped as it arrives, and
/// message content is handed on as soon as it is seen.
///
/// The owner switches modes: ``enterData()`` after `354`, ``enterChunk(size:)`` after each `BDAT`
/// command (even a refused one: RFC 3030 says the chunk is read and dropped).
public struct InboundFramer: Sendable {
    enum Mode: Hashable, Sendable {
        case commands
        /// Dropping a command line that grew past the limit, until its LF.
        case discardingLine
        case data(DataPosition)
        case chunk(remaining: Int)
    }

    enum DataPosition: Hashable, Sendable {
        /// In the body; the checker says whether at a line start.
        case body
        /// A "." at a line start was read (and removed).
        case afterDot
        /// "." CR at a line start was read.
        case afterDotCarriageReturn
    }

    private var buffer = ByteBuffer()
    private var mode: Mode = .commands
    private var checker = LineChecker()
    /// Octets of the current command line already searched for LF.
    private var scannedOffset = 0

    /// The longest command line accepted, CRLF included; raised for AUTH exchanges (RFC 4954).
    public var lineLimit: Int

    public init(lineLimit: Int = SMTPDefaults.commandLineLimit) {
        self.lineLimit = lineLimit
    }

    /// Whether octets are buffered that no frame has taken yet.
    public var hasBufferedInput: Bool { self.buffer.readableBytes > 0 }

    public var isReadingMessage: Bool {
        switch self.mode {
        case .commands, .discardingLine: false
        case .data, .chunk: true
        }
    }

    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        if self.buffer.readableBytes == 0 {
            self.buffer.clear()
        } else if self.buffer.readerIndex > 64 * 1024 {
            self.buffer.discardReadBytes()
        }
        self.buffer.writeBuffer(&bytes)
    }

    /// Starts reading DATA content: the state machine answered `354`.
    public mutating func enterData() {
        precondition(self.mode == .commands, "Invalid mode: \(self.mode)")
        self.checker = LineChecker()
        self.mode = .data(.body)
    }

    /// Starts a new BDAT message: its line checks begin afresh.
    public mutating func beginChunkedMessage() {
        self.checker = LineChecker()
    }

    /// Reads the next `size` octets as a BDAT chunk.
    public mutating func enterChunk(size: Int) {
        precondition(self.mode == .commands, "Invalid mode: \(self.mode)")
        self.mode = .chunk(remaining: size)
    }

    /// Drops everything buffered (plaintext pipelined after STARTTLS) and returns how many octets that was.
    @discardableResult
    public mutating func discardBufferedInput() -> Int {
        let dropped = self.buffer.readableBytes
        self.buffer.clear()
        self.scannedOffset = 0
        return dropped
    }

    /// The next frame, or `nil` when more octets are needed.
    public mutating func nextFrame() -> InboundFrame? {
        switch self.mode {
        case .commands:
            return self.nextLine()
        case .discardingLine:
            return self.discardLine()
        case .data:
            return self.nextDataFrame()
        case .chunk(let remaining):
            return self.nextChunkFrame(remaining: remaining)
        }
    }

    // MARK: - Command lines

    private mutating func nextLine() -> InboundFrame? {
        let view = self.buffer.readableBytesView
        let searchStart = view.startIndex + self.scannedOffset
        guard let lineFeed = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            self.scannedOffset = view.count
            if view.count >= self.lineLimit {
                self.mode = .discardingLine
                return self.discardLine()
            }
            return nil
        }
        self.scannedOffset = 0
        let length = lineFeed - view.startIndex + 1
        let line = self.buffer.readSlice(length: length)!
        if length > self.lineLimit {
            return .badLine(.tooLong)
        }
        let content = line.readableBytesView.dropLast()
        guard content.last == UInt8(ascii: "\r") else {
            return .badLine(.bareLineFeed)
        }
        if content.dropLast().contains(UInt8(ascii: "\r")) {
            return .badLine(.bareCarriageReturn)
        }
        return .line(line.getSlice(at: line.readerIndex, length: length - 2)!)
    }

    private mutating func discardLine() -> InboundFrame? {
        let view = self.buffer.readableBytesView
        guard let lineFeed = view.firstIndex(of: UInt8(ascii: "\n")) else {
            self.buffer.clear()
            self.scannedOffset = 0
            return nil
        }
        self.buffer.moveReaderIndex(forwardBy: lineFeed - view.startIndex + 1)
        self.buffer.discardReadBytes()
        self.scannedOffset = 0
        self.mode = .commands
        return .badLine(.tooLong)
    }

    // MARK: - DATA

    private mutating func nextDataFrame() -> InboundFrame? {
        var contentLength = 0
        scan: while true {
            guard case .data(let position) = self.mode else { preconditionFailure("Invalid mode: \(self.mode)") }
            switch position {
            case .body:
                // The body runs to a "." at a line start or to the end of what arrived: scanned over the
                // raw octets, the checker a local copy (no buffer view or retain per octet).
                var checker = self.checker
                let (scanned, atDot) = self.buffer.withUnsafeReadableBytes { bytes -> (Int, Bool) in
                    var index = contentLength
                    while index < bytes.count {
                        let byte = bytes[index]
                        if byte == UInt8(ascii: "."), checker.isAtLineStart { return (index, true) }
                        checker.feed(byte)
                        index += 1
                    }
                    return (index, false)
                }
                self.checker = checker
                contentLength = scanned
                guard atDot, contentLength == 0 else { break scan }
                self.buffer.moveReaderIndex(forwardBy: 1)
                self.mode = .data(.afterDot)
            case .afterDot:
                guard let byte = self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt8.self) else { break scan }
                if byte == UInt8(ascii: "\r") {
                    self.buffer.moveReaderIndex(forwardBy: 1)
                    self.mode = .data(.afterDotCarriageReturn)
                    continue scan
                }
                // A stuffed dot: removed, the line goes on.
                self.checker.countRemovedDot()
                self.mode = .data(.body)
            case .afterDotCarriageReturn:
                guard let byte = self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt8.self) else { break scan }
                if byte == UInt8(ascii: "\n") {
                    self.buffer.moveReaderIndex(forwardBy: 1)
                    self.buffer.discardReadBytes()
                    self.mode = .commands
                    return .endOfMessage(self.checker.defects)
                }
                // "." CR then something else: a bare CR; the message will be refused.
                self.checker.countRemovedDot()
                self.checker.markBareCarriageReturn()
                self.mode = .data(.body)
            }
        }
        guard contentLength > 0 else {
            self.buffer.discardReadBytes()
            return nil
        }
        return .messageBytes(self.buffer.readSlice(length: contentLength)!)
    }

    // MARK: - BDAT

    private mutating func nextChunkFrame(remaining: Int) -> InboundFrame? {
        if remaining == 0 {
            self.mode = .commands
            return .endOfChunk(self.checker.defects)
        }
        let length = min(remaining, self.buffer.readableBytes)
        guard length > 0 else {
            self.buffer.discardReadBytes()
            return nil
        }
        let slice = self.buffer.readSlice(length: length)!
        var checker = self.checker
        slice.withUnsafeReadableBytes { bytes in
            for byte in bytes { checker.feed(byte) }
        }
        self.checker = checker
        self.mode = .chunk(remaining: remaining - length)
        return .messageBytes(slice)
    }
}
