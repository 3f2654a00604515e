//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Testing

@testable import MailMessage

/// The parser's limits: what a hostile message cannot make it do.
@Suite struct MessageParserLimitTests {
    /// `levels` multiparts, each the only part of the one before, with a text leaf inside; every
    /// multipart left without its closing boundary when `closed` is false (the 2026 attack).
    static func nestedMultiparts(_ levels: Int, closed: Bool) -> [UInt8] {
        var mail = "From: a@example.com\r\nSubject: deep\r\n"
        for level in 0..<levels {
            mail += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n"
        }
        mail += "Content-Type: text/plain\r\n\r\ninnermost\r\n"
        if closed {
            for level in (0..<levels).reversed() {
                mail += "--b\(level)--\r\n"
            }
        }
        return Array(mail.utf8)
    }

    @Test func nestingStopsAtTheLimitAndTheRestIsOnePart() {
        var options = MessageParser.Options()
        options.maximumNestingDepth = 5
        let parsed = MessageParser.parse(Self.nestedMultiparts(8, closed: true), options: options)
        #expect(parsed.exceedsNestingLimit)
        #expect(parsed.nestingDepth == 5)
        // Parts 0…4 are multiparts; part 5 (depth 5) is a multipart read as one opaque leaf.
        #expect(parsed.parts.count == 6)
        #expect(parsed.leaves.map(\.index) == [5])
        #expect(parsed.defects.filter { $0.kind == .nestingTooDeep }.map(\.partIndex) == [5])
    }

    @Test func nestingAtTheLimitIsNotADefect() {
        var options = MessageParser.Options()
        options.maximumNestingDepth = 8
        let parsed = MessageParser.parse(Self.nestedMultiparts(8, closed: true), options: options)
        #expect(!parsed.exceedsNestingLimit)
        #expect(parsed.nestingDepth == 8)
        #expect(parsed.leaves.count == 1)
        #expect(parsed.leaves[0].capturedText.isEmpty)
        #expect(parsed.leaves[0].decodedSize == "innermost".utf8.count)
    }

    @Test func aHundredThousandOpenMultipartsParseAsAHundredLevels() {
        // Was quadratic in the depth (100,000 levels: 11 minutes); now bounded by the limit.
        let mail = Self.nestedMultiparts(100_000, closed: false)
        #expect(mail.count > 5_000_000)
        let parsed = MessageParser.parse(mail)
        #expect(parsed.exceedsNestingLimit)
        #expect(parsed.nestingDepth == MailMessageDefaults.maximumNestingDepth)
        #expect(parsed.parts.count == MailMessageDefaults.maximumNestingDepth + 1)
        #expect(parsed.size == mail.count)
    }

    @Test func embeddedMessagesCountAsLevels() {
        var mail = "Subject: outer\r\n"
        for _ in 0..<50 {
            mail += "Content-Type: message/rfc822\r\n\r\n"
        }
        mail += "Subject: inner\r\n\r\nbody\r\n"
        var options = MessageParser.Options()
        options.maximumNestingDepth = 10
        let parsed = MessageParser.parse(Array(mail.utf8), options: options)
        #expect(parsed.exceedsNestingLimit)
        #expect(parsed.nestingDepth == 10)
    }

    @Test func aHeaderBlockOverTheLimitIsReportedOnce() {
        var options = MessageParser.Options()
        options.maximumHeaderBlockSize = 1_024
        var mail = "Subject: big\r\n"
        for index in 0..<200 {
            mail += "X-Filler-\(index): \(String(repeating: "x", count: 40))\r\n"
        }
        mail += "\r\nbody\r\n"
        let parsed = MessageParser.parse(Array(mail.utf8), options: options)
        #expect(parsed.exceedsHeaderBlockLimit)
        #expect(parsed.defects.filter { $0.kind == .headerBlockTooLarge }.count == 1)
        #expect(parsed.subject == "big")
        #expect(parsed.headers.count < 30)
        #expect(parsed.leaves[0].decodedSize == "body\r\n".utf8.count)
    }

    @Test func manySiblingsWithDefectsStayLinear() {
        // 20,000 parts without a blank line after their header, then one over-long header block:
        // each of its lines once searched every defect found so far.
        var options = MessageParser.Options()
        options.maximumHeaderBlockSize = 4_096
        var mail = "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        for _ in 0..<20_000 {
            mail += "--b\r\nContent-Type: text/plain\r\nno separator\r\n"
        }
        mail += "--b\r\n"
        for index in 0..<5_000 {
            mail += "X-\(index): \(String(repeating: "y", count: 60))\r\n"
        }
        mail += "\r\nlast\r\n--b--\r\n"
        let parsed = MessageParser.parse(Array(mail.utf8), options: options)
        #expect(parsed.leaves.count == 20_001)
        #expect(parsed.defects.filter { $0.kind == .headerBlockTooLarge }.map(\.partIndex) == [20_001])
    }
}
