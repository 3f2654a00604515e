//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Follows the CRLF structure of message content one octet at a time and records its defects.
///
/// Only CR LF ends a line: a bare LF is content (and a defect), so `<LF>.<CR><LF>` never looks like
/// the end of data to the DATA scanner that relies on ``isAtLineStart``.
struct LineChecker: Hashable, Sendable {
    enum Position: Hashable, Sendable {
        case lineStart
        case inLine
        case afterCarriageReturn
    }

    private(set) var position: Position = .lineStart
    private(set) var lineLength = 0
    private(set) var defects = MessageDefects()
    let lineLimit: Int

    init(lineLimit: Int = SMTPDefaults.textLineLimit) {
        self.lineLimit = lineLimit
    }

    var isAtLineStart: Bool { self.position == .lineStart }

    @inline(__always)
    mutating func feed(_ byte: UInt8) {
        self.lineLength += 1
        switch self.position {
        case .lineStart, .inLine:
            if byte == UInt8(ascii: "\r") {
                self.position = .afterCarriageReturn
            } else {
                if byte == UInt8(ascii: "\n") { self.defects.bareLineFeed = true }
                self.position = .inLine
            }
        case .afterCarriageReturn:
            if byte == UInt8(ascii: "\n") {
                if self.lineLength > self.lineLimit { self.defects.lineTooLong = true }
                self.lineLength = 0
                self.position = .lineStart
            } else if byte == UInt8(ascii: "\r") {
                self.defects.bareCarriageReturn = true
            } else {
                self.defects.bareCarriageReturn = true
                self.position = .inLine
            }
        }
        if self.lineLength > self.lineLimit + 1 { self.defects.lineTooLong = true }
    }

    /// Accounts for a `.` at a line start that DATA removed as dot-stuffing: it still counts to the line's length.
    mutating func countRemovedDot() {
        self.lineLength += 1
        self.position = .inLine
    }

    /// `.` CR at a line start not followed by LF: the CR was bare.
    mutating func markBareCarriageReturn() {
        self.defects.bareCarriageReturn = true
    }
}
