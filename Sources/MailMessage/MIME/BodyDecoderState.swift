//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto

/// Decodes one part's body as its lines stream past, hashing the decoded bytes.
struct BodyDecoderState {
    let encoding: TransferEncoding
    private var base64 = Base64StreamDecoder()
    private var hasher = SHA256()
    private(set) var size = 0
    private(set) var captured: [UInt8] = []
    private let captureLimit: Int
    private var softBreak = false
    private var uuencodeState = UUDecoding.State.beforeBegin
    private var scratch: [UInt8] = []
    private var pending: [UInt8] = []
    private static let hashBlockSize = 32 * 1024

    init(encoding: TransferEncoding, captureLimit: Int) {
        self.encoding = encoding
        self.captureLimit = captureLimit
    }

    /// A line's content, or a piece of a long line.
    mutating func feedContent(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch self.encoding {
        case .base64:
            // Move the decoder out (not copy), so its scratch buffer stays uniquely referenced.
            var decoder = self.base64
            self.base64 = Base64StreamDecoder()
            decoder.decode(bytes) { self.emit($0) }
            self.base64 = decoder
        case .quotedPrintable:
            self.scratch.removeAll(keepingCapacity: true)
            self.softBreak = QuotedPrintable.decodeLine(bytes, into: &self.scratch)
            let decoded = self.scratch
            decoded.withUnsafeBufferPointer { self.emit($0) }
        case .uuencode:
            self.scratch.removeAll(keepingCapacity: true)
            self.uuencodeState = UUDecoding.decodeLine(bytes, state: self.uuencodeState, into: &self.scratch)
            let decoded = self.scratch
            decoded.withUnsafeBufferPointer { self.emit($0) }
        case .sevenBit, .eightBit, .binary, .other:
            self.emit(bytes)
        }
    }

    /// The line ending of a line that turned out not to be the last before a boundary.
    mutating func feedTerminator(_ terminator: LineTerminator) {
        switch self.encoding {
        case .base64, .uuencode:
            return
        case .quotedPrintable:
            if self.softBreak {
                self.softBreak = false
                return
            }
        case .sevenBit, .eightBit, .binary, .other:
            break
        }
        terminator.bytes.withUnsafeBufferPointer { self.emit($0) }
    }

    mutating func finish() -> (size: Int, sha256: [UInt8], captured: [UInt8]) {
        if case .base64 = self.encoding {
            var decoder = self.base64
            self.base64 = Base64StreamDecoder()
            decoder.finish { self.emit($0) }
            self.base64 = decoder
        }
        self.flushPending()
        return (self.size, Array(self.hasher.finalize()), self.captured)
    }

    /// Decoded bytes go to the hash in blocks: one SHA-256 update per line would cost more than the hashing.
    private mutating func emit(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return }
        if self.pending.count + bytes.count > Self.hashBlockSize {
            self.flushPending()
        }
        if bytes.count >= Self.hashBlockSize {
            self.hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        } else {
            self.pending.append(contentsOf: bytes)
        }
        self.size += bytes.count
        if self.captured.count < self.captureLimit {
            self.captured.append(contentsOf: bytes.prefix(self.captureLimit - self.captured.count))
        }
    }

    private mutating func flushPending() {
        guard !self.pending.isEmpty else { return }
        self.pending.withUnsafeBytes { self.hasher.update(bufferPointer: $0) }
        self.pending.removeAll(keepingCapacity: true)
    }
}

/// How a line ended.
enum LineTerminator: Sendable {
    case none
    case lineFeed
    case carriageReturnLineFeed

    var bytes: [UInt8] {
        switch self {
        case .none: return []
        case .lineFeed: return [0x0A]
        case .carriageReturnLineFeed: return [0x0D, 0x0A]
        }
    }

    var count: Int {
        switch self {
        case .none: return 0
        case .lineFeed: return 1
        case .carriageReturnLineFeed: return 2
        }
    }
}
