//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import NIOPosix
import Testing

@testable import Spool

/// `SpoolContentReader.headerBlock`: what a bounce returns of a large message.
@Suite struct HeaderBlockTests {
    private func reader(of content: [UInt8], offset: Int = 7) throws -> (SpoolContentReader, TemporaryFolder) {
        let folder = TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        let path = folder.path + "/message"
        // The message sits at an offset in its file, as in a segment.
        try Data(Array(repeating: UInt8(ascii: "x"), count: offset) + content + Array("trailing".utf8))
            .write(to: URL(fileURLWithPath: path))
        return (SpoolContentReader(path: path, offset: offset, size: content.count, threadPool: .singleton), folder)
    }

    @Test func theBlockEndsAfterTheEmptyLineWhereverThePiecesSplitIt() throws {
        // Header blocks ending on each side of the 16 KiB piece boundary.
        for length in [10, 16_380, 16_381, 16_382, 16_383, 16_384, 16_385, 40_000] {
            let field = Array("X-Filler: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: length) + [13, 10]
            let headers = Array("Subject: s\r\n".utf8) + field
            let message = headers + [13, 10] + Array(repeating: UInt8(ascii: "b"), count: 100_000)
            let (reader, folder) = try self.reader(of: message)
            _ = folder
            #expect(try reader.headerBlock() == headers + [13, 10], "header block of \(headers.count) octets")
        }
    }

    @Test func withoutAnEmptyLineItStopsAtTheLimitOnALineEnd() throws {
        let line = Array("X-Long: abcdefghijklmnopqrstuvwxyz\r\n".utf8)
        let message = Array((0..<10_000).map { _ in line }.joined())
        let (reader, folder) = try self.reader(of: message)
        _ = folder
        let block = try reader.headerBlock(limit: 50_000)
        #expect(block.count <= 50_000 && block.count > 50_000 - line.count)
        #expect(block.suffix(2) == [13, 10])
        #expect(Array(message.prefix(block.count)) == block)
        // A message shorter than the limit without an empty line comes back whole.
        let short = Array(line + line)
        let (whole, shortFolder) = try self.reader(of: short)
        _ = shortFolder
        #expect(try whole.headerBlock() == short)
    }
}
