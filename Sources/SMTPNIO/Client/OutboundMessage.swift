//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

/// A message for ``SMTPClientConnection/send(_:transaction:)``: held in memory (a certified copy
/// being rewritten, a notice), or read from storage a piece at a time while it is sent, so that a
/// large message to many servers at once never sits whole in memory once per connection.
public enum OutboundMessage: Sendable {
    /// Reads at most `count` octets from `position`, off the event loop; fewer only at the end.
    public typealias ReadPiece =
        @Sendable (_ position: Int, _ count: Int, _ eventLoop: any EventLoop) -> EventLoopFuture<ByteBuffer>

    case memory(ByteBuffer)
    case pieces(size: Int, read: ReadPiece)

    /// The size in octets (for `SIZE=` and `BDAT`).
    public var size: Int {
        switch self {
        case .memory(let buffer): buffer.readableBytes
        case .pieces(let size, _): size
        }
    }
}
