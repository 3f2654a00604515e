//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore
public import SMTPCore

/// What the SMTP server needs from the rest of Fefaent: somewhere to put messages, and a way to
/// check credentials. The daemon backs it with the spool and the account table; tests with memory.
public protocol SMTPMessageSink: Sendable {
    /// A new queue id, to be announced in the Received header and the final `250`.
    func makeQueueID() -> String
    /// Opens a message whose stored form starts with `header`.
    func beginMessage(queueID: String, header: ByteBuffer) throws -> any SMTPMessageWriter
    /// Checks credentials off the event loop; calls `completion` with the account name, or `nil`.
    func authenticate(
        _ credentials: SASLDecoding.Credentials,
        completion: @escaping @Sendable (String?) -> Void
    )
}

/// One message being received; used on its session's event loop only.
public protocol SMTPMessageWriter: AnyObject {
    func append(_ bytes: ByteBuffer) throws
    /// Makes the message durable and calls `completion` (on any thread) when it is, or is not.
    func commit(
        envelope: Envelope,
        session: SMTPSessionInfo,
        completion: @escaping @Sendable (Result<Void, any Error>) -> Void
    )
    /// Drops the message: nothing of it is kept.
    func abort()
}

/// A message the sink refuses after reading it (the certification's `550 5.7.1`, `554 5.7.0`…):
/// the client gets `reply` and nothing is kept. Any other commit error is a local failure (`451`).
public struct SMTPMessageRefusal: Error, Hashable, Sendable {
    public var reply: Reply

    public init(_ reply: Reply) {
        self.reply = reply
    }
}

/// How the current session reached the server.
public struct SMTPSessionInfo: Hashable, Sendable {
    public var clientAddress: String
    public var listener: String
    /// The negotiated TLS version (`TLSv1.3`), or `nil` for plaintext.
    public var tls: String?
    /// Whether the client's address is in the trusted networks (it may relay without AUTH).
    public var clientIsTrusted: Bool

    public init(clientAddress: String, listener: String, tls: String?, clientIsTrusted: Bool = false) {
        self.clientAddress = clientAddress
        self.listener = listener
        self.tls = tls
        self.clientIsTrusted = clientIsTrusted
    }
}

/// Sent down every session's pipeline when the server stops: idle sessions end with `421`, a message
/// being received is finished and acknowledged first.
public struct SMTPServerShutdownEvent: Hashable, Sendable {
    public init() {}
}
