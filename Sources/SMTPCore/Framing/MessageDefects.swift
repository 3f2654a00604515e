//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// What was wrong with the lines of a message body, found while it streamed in.
///
/// A message with any of these is refused after the end of data: bare CR and LF are how SMTP
/// smuggling hides a second message inside the first, and over-long lines break downstream MTAs.
public struct MessageDefects: Hashable, Sendable {
    public var bareLineFeed = false
    public var bareCarriageReturn = false
    /// A line longer than ``SMTPDefaults/textLineLimit`` octets, CRLF included.
    public var lineTooLong = false

    public init(bareLineFeed: Bool = false, bareCarriageReturn: Bool = false, lineTooLong: Bool = false) {
        self.bareLineFeed = bareLineFeed
        self.bareCarriageReturn = bareCarriageReturn
        self.lineTooLong = lineTooLong
    }

    public var isEmpty: Bool { !self.bareLineFeed && !self.bareCarriageReturn && !self.lineTooLong }
}
