//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The client side of an SMTP session, as a pure value: replies in, commands out.
///
///     var machine = ClientSessionStateMachine(configuration: .init(heloName: "fefaent.test"))
///     machine.receivedReply(220 …)          // .send(["EHLO fefaent.test"])
///     machine.receivedReply(250-… )         // .send(["STARTTLS"]) or .ready(capabilities)
///     machine.startTransaction(transaction) // .send(["MAIL FROM:<…> SIZE=…", "RCPT TO:<…>", …])
///     …                                     // .sendMessage(chunked:), then .transactionCompleted(outcomes)
///
/// It decides EHLO → HELO fallback, STARTTLS by policy, pipelining, SIZE / SMTPUTF8 / 8BITMIME /
/// DSN parameters, BDAT when offered, and what every reply means for every recipient. Several
/// transactions may follow on one connection (connection reuse); ``quit()`` ends it.
///
/// - SeeAlso: [RFC 5321 §4.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.4),
///   [RFC 2920](https://www.rfc-editor.org/rfc/rfc2920), [RFC 3030](https://www.rfc-editor.org/rfc/rfc3030)
public struct ClientSessionStateMachine: Sendable {
    /// When to use STARTTLS.
    public enum TLSPolicy: String, Hashable, Sendable {
        /// Never (a loopback relay that has no certificate).
        case disabled
        /// When the server offers it; plaintext otherwise (RFC 3207 opportunistic TLS).
        case opportunistic
        /// Refuse to send in plaintext: a server without STARTTLS is a temporary failure.
        case required
        /// As `required`, and the server's certificate must verify for its name (the handler
        /// uses a verifying TLS context; a failed check breaks the handshake: a deferral).
        case verify

        public var requiresTLS: Bool { self == .required || self == .verify }
    }

    public struct Configuration: Hashable, Sendable {
        public var heloName: String
        public var tlsPolicy: TLSPolicy
        /// Whether the handler can start TLS at all (it has a TLS context).
        public var tlsAvailable: Bool

        public init(heloName: String, tlsPolicy: TLSPolicy = .opportunistic, tlsAvailable: Bool = true) {
            self.heloName = heloName
            self.tlsPolicy = tlsPolicy
            self.tlsAvailable = tlsAvailable
        }
    }

    public enum Action: Hashable, Sendable {
        case none
        /// Write these command lines (each followed by CRLF) and flush.
        case send([String])
        /// Start the TLS handshake, then report ``tlsEstablished()``.
        case startTLS
        /// The session is ready for ``startTransaction(_:)``.
        case ready(ServerCapabilities)
        /// Write the message: `BDAT <size> LAST` and the octets when `chunked`, else the octets
        /// dot-stuffed and ended by CRLF "." CRLF.
        case sendMessage(chunked: Bool)
        /// Every recipient of the transaction has its outcome, in the transaction's order.
        case transactionCompleted([DeliveryOutcome])
        /// Close the connection; `failure` is why, for recipients not yet tried (nil after QUIT).
        case close(failure: Reply?)
    }

    struct Session: Hashable, Sendable {
        var capabilities: ServerCapabilities
        var isTLS: Bool
    }

    struct Progress: Hashable, Sendable {
        var transaction: OutboundTransaction
        var mailReply: Reply?
        /// RCPT replies so far, in order.
        var recipientReplies: [Reply] = []
        /// Outcomes decided before the data (RCPT refusals); nil where the recipient was accepted.
        var outcomes: [DeliveryOutcome?] = []
    }

    enum State: Hashable, Sendable {
        case awaitingGreeting
        case awaitingEHLO(isTLS: Bool)
        case awaitingHELO(isTLS: Bool)
        case awaitingStartTLS(Session)
        case negotiatingTLS
        case ready(Session)
        case awaitingEnvelopeReplies(Session, Progress)
        case awaitingReset(Session, [DeliveryOutcome])
        case awaitingDataGo(Session, Progress)
        case awaitingFinalReply(Session, Progress)
        case quitting
        case closed
    }

    var state: State = .awaitingGreeting
    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var isReady: Bool {
        if case .ready = self.state { return true }
        return false
    }

    /// The negotiated capabilities and whether TLS is on, once EHLO/HELO was answered.
    public var session: (capabilities: ServerCapabilities, isTLS: Bool)? {
        switch self.state {
        case .ready(let session), .awaitingStartTLS(let session), .awaitingEnvelopeReplies(let session, _),
            .awaitingReset(let session, _), .awaitingDataGo(let session, _), .awaitingFinalReply(let session, _):
            return (session.capabilities, session.isTLS)
        case .awaitingGreeting, .awaitingEHLO, .awaitingHELO, .negotiatingTLS, .quitting, .closed:
            return nil
        }
    }

    // MARK: - Events

    public mutating func receivedReply(_ reply: Reply) -> Action {
        switch self.state {
        case .awaitingGreeting:
            guard reply.code == .serviceReady else { return self.fail(reply) }
            self.state = .awaitingEHLO(isTLS: false)
            return .send(["EHLO \(self.configuration.heloName)"])
        case .awaitingEHLO(let isTLS):
            if reply.code == .ok {
                return self.negotiated(Session(capabilities: ServerCapabilities(ehlo: reply), isTLS: isTLS))
            }
            guard reply.code.kind == 5 else { return self.fail(reply) }
            // RFC 5321 §3.2: a server that does not know EHLO gets HELO.
            self.state = .awaitingHELO(isTLS: isTLS)
            return .send(["HELO \(self.configuration.heloName)"])
        case .awaitingHELO(let isTLS):
            guard reply.code == .ok else { return self.fail(reply) }
            return self.negotiated(Session(capabilities: ServerCapabilities(), isTLS: isTLS))
        case .awaitingStartTLS(let session):
            if reply.code == .serviceReady {
                self.state = .negotiatingTLS
                return .startTLS
            }
            if self.configuration.tlsPolicy.requiresTLS { return self.fail(Self.tlsRequired(reply)) }
            self.state = .ready(session)
            return .ready(session.capabilities)
        case .awaitingEnvelopeReplies(let session, let progress):
            return self.receivedEnvelopeReply(reply, session: session, progress: progress)
        case .awaitingReset(let session, let outcomes):
            self.state = .ready(session)
            return .transactionCompleted(outcomes)
        case .awaitingDataGo(let session, let progress):
            guard reply.code == .startMailInput else {
                return self.complete(session: session, progress: progress, final: reply)
            }
            self.state = .awaitingFinalReply(session, progress)
            return .sendMessage(chunked: false)
        case .awaitingFinalReply(let session, let progress):
            return self.complete(session: session, progress: progress, final: reply)
        case .quitting:
            self.state = .closed
            return .close(failure: nil)
        case .negotiatingTLS, .ready, .closed:
            // An unsolicited reply (often 421 before closing): give up the connection.
            return self.fail(reply)
        }
    }

    public mutating func tlsEstablished() -> Action {
        guard case .negotiatingTLS = self.state else { preconditionFailure("Invalid state: \(self.state)") }
        // RFC 3207 §4.2: forget what was learnt before TLS, greet again.
        self.state = .awaitingEHLO(isTLS: true)
        return .send(["EHLO \(self.configuration.heloName)"])
    }

    /// Starts sending a message; only when ``isReady``.
    public mutating func startTransaction(_ transaction: OutboundTransaction) -> Action {
        guard case .ready(let session) = self.state else { preconditionFailure("Invalid state: \(self.state)") }
        let capabilities = session.capabilities
        if transaction.needsSMTPUTF8 && !capabilities.smtpUTF8 {
            let reply = Reply(
                .mailboxNameNotAllowed,
                EnhancedStatusCode(5, 6, 7),
                "The server does not offer SMTPUTF8 and the message needs it"
            )
            return .transactionCompleted(transaction.recipients.map { _ in .bounced(reply) })
        }
        if let limit = capabilities.size, limit > 0, transaction.size > limit {
            let reply = Reply(
                .exceededStorage,
                EnhancedStatusCode(5, 3, 4),
                "Message size \(transaction.size) exceeds the server's limit of \(limit)"
            )
            return .transactionCompleted(transaction.recipients.map { _ in .bounced(reply) })
        }
        var progress = Progress(transaction: transaction)
        progress.outcomes = Array(repeating: nil, count: transaction.recipients.count)
        self.state = .awaitingEnvelopeReplies(session, progress)
        var commands = [self.mailCommand(transaction, capabilities)]
        if capabilities.pipelining {
            commands += transaction.recipients.map { self.rcptCommand($0, capabilities) }
        }
        return .send(commands)
    }

    /// Ends the session politely.
    public mutating func quit() -> Action {
        switch self.state {
        case .ready:
            self.state = .quitting
            return .send(["QUIT"])
        case .awaitingGreeting, .awaitingEHLO, .awaitingHELO, .awaitingStartTLS, .negotiatingTLS,
            .awaitingEnvelopeReplies, .awaitingReset, .awaitingDataGo, .awaitingFinalReply, .quitting, .closed:
            self.state = .closed
            return .close(failure: nil)
        }
    }

    /// The connection broke or timed out: the outcomes of a transaction under way, all deferred
    /// with `reply` (a recipient may be delivered twice this way, never lost).
    public mutating func connectionLost(_ reply: Reply) -> [DeliveryOutcome]? {
        defer { self.state = .closed }
        switch self.state {
        case .awaitingEnvelopeReplies(_, let progress), .awaitingDataGo(_, let progress),
            .awaitingFinalReply(_, let progress):
            return progress.transaction.recipients.indices.map { progress.outcomes[$0] ?? .deferred(reply) }
        case .awaitingReset(_, let outcomes):
            return outcomes
        case .awaitingGreeting, .awaitingEHLO, .awaitingHELO, .awaitingStartTLS, .negotiatingTLS, .ready, .quitting,
            .closed:
            return nil
        }
    }

    static func tlsRequired(_ reply: Reply?) -> Reply {
        Reply(
            .serviceNotAvailable,
            EnhancedStatusCode(4, 7, 4),
            "TLS is required for this destination but the server does not offer it"
                + (reply.map { " (\($0.code) \($0.lines.joined(separator: " "))" + ")" } ?? "")
        )
    }
}
