//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

/// What the ``InboundFramer`` cuts out of the octets a client sends.
public enum InboundFrame: Hashable, Sendable {
    /// A command (or AUTH response) line, without its CRLF.
    case line(ByteBuffer)
    /// A command line the server refuses to parse.
    case badLine(BadLine)
    /// Message content, dot-unstuffed for DATA, as it arrives.
    case messageBytes(ByteBuffer)
    /// DATA ended with CRLF "." CRLF; the defects of the whole message.
    case endOfMessage(MessageDefects)
    /// A BDAT chunk was read whole; the defects of the message so far.
    case endOfChunk(MessageDefects)

    /// Why a command line was refused.
    public enum BadLine: Hashable, Sendable {
        /// An LF not preceded by CR (`500 5.5.2`).
        case bareLineFeed
        /// A CR not followed by LF (`500 5.5.2`).
        case bareCarriageReturn
        /// Longer than the line limit; the framer dropped it without buffering it (`500 5.5.2`).
        case tooLong
    }
}
