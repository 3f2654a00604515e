//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import NIOCore

/// The server side of one SMTP session, as a pure value: events in, actions out.
///
///     var machine = ServerSessionStateMachine(configuration: configuration)
///     machine.connected()                         // .reply(220 …)
///     machine.receivedLine("EHLO client.test")    // .reply(250-… capabilities)
///     machine.receivedLine("MAIL FROM:<a@b.test>") // .reply(250 2.1.0 Ok)
///
/// It holds no I/O: the channel handler performs each ``Action`` and reports back what happened
/// (`messageCommitted`, `credentialsVerified`, `tlsEstablished`). A peer's protocol error always
/// becomes a reply; only a handler that breaks the contract (e.g. feeds a line while a message
/// is being committed) trips a precondition.
///
/// - SeeAlso: [RFC 5321 §4.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.4) (command order)
public struct ServerSessionStateMachine: Sendable {
    /// What the handler does next.
    public enum Action: Hashable, Sendable {
        case none
        case reply(Reply)
        case replyAndClose(Reply)
        /// An error's reply, sent after `delay` (the tarpit); the session reads nothing meanwhile.
        case delayedReply(Reply, delay: TimeAmount)
        /// Several replies in a row, then close (a queued message while shutting down).
        case repliesAndClose([Reply])
        /// Send the `220`, drop any plaintext pipelined after STARTTLS, then start TLS.
        case startTLS(Reply)
        /// Send the `354`; the framer reads DATA content and the handler opens a message in the spool
        /// for the envelope so far.
        case startData(Reply, Envelope)
        /// The framer reads a BDAT chunk of `size` octets; with an envelope, the chunk begins a new
        /// message and the handler opens it in the spool.
        case readChunk(size: Int, newMessage: Envelope?)
        /// Make the message durable, then report `messageCommitted` or `messageCommitFailed`.
        case commitMessage(Envelope)
        /// Throw away what was spooled of the message, then send the reply.
        case abortMessage(Reply)
        /// Send the challenge; the next line is an AUTH response (longer lines allowed).
        case sendChallenge(Reply)
        /// Check the credentials off the event loop, then report `credentialsVerified`.
        case verifyCredentials(SASLDecoding.Credentials)
    }

    /// What to do with message octets that arrived.
    public enum MessageBytesAction: Hashable, Sendable {
        case append
        case discard
    }

    struct Session: Hashable, Sendable {
        var heloName: String?
        var extended = false
        var isTLS: Bool
        var authenticatedUser: String?
        var errors = 0
        /// NOOP, RSET, HELP, VRFY and EXPN since the session began or its last committed message.
        var junk = 0
    }

    struct Transaction: Hashable, Sendable {
        var reversePath: ReversePath
        var parameters: MailParameters
        var recipients: [AcceptedRecipient] = []
        var octets = 0
        var chunked = false
        var exceededSize = false
    }

    enum AuthenticationStep: Hashable, Sendable {
        case plainResponse
        case loginUsername
        case loginPassword(username: String)
    }

    enum State: Hashable, Sendable {
        case initial
        /// No transaction open (HELO may or may not have been said).
        case idle(Session)
        case mail(Session, Transaction)
        case receivingData(Session, Transaction)
        case receivingChunk(Session, Transaction, last: Bool)
        /// A refused BDAT chunk is being read and dropped; `reply` goes out when it ends.
        case discardingChunk(Session, Transaction?, reply: Reply)
        case committing(Session)
        case authenticating(Session, AuthenticationStep)
        case verifyingCredentials(Session)
        case startingTLS(Session)
        case closed
    }

    var state: State = .initial
    var isDraining = false
    public let configuration: ServerSessionConfiguration

    public init(configuration: ServerSessionConfiguration) {
        self.configuration = configuration
    }

    /// Whether the session can take the next line now, or waits for the handler to report back.
    public var isWaitingForHandler: Bool {
        switch self.state {
        case .committing, .verifyingCredentials, .startingTLS: true
        case .initial, .idle, .mail, .receivingData, .receivingChunk, .discardingChunk, .authenticating, .closed: false
        }
    }

    /// Whether the next line is a SASL response rather than a command.
    public var isAuthenticating: Bool {
        if case .authenticating = self.state { return true }
        return false
    }

    public var isClosed: Bool { self.state == .closed }

    /// Whether STARTTLS was accepted and the handshake has not completed yet.
    public var isStartingTLS: Bool {
        if case .startingTLS = self.state { return true }
        return false
    }

    // MARK: - Connection events

    public mutating func connected() -> Action {
        guard case .initial = self.state else { preconditionFailure("Invalid state: \(self.state)") }
        self.state = .idle(Session(isTLS: self.configuration.implicitTLS))
        return .reply(.serviceReady(self.configuration.hostname))
    }

    /// The TLS handshake that STARTTLS began completed: the session starts over (RFC 3207 §4.2).
    public mutating func tlsEstablished() -> Action {
        switch self.state {
        case .startingTLS:
            self.state = .idle(Session(isTLS: true))
            return .none
        case .initial, .idle, .mail, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .closed:
            return .none  // implicit TLS: the session began as TLS already
        }
    }

    /// The client sent nothing for too long (RFC 5321 §4.5.3.2).
    public mutating func timedOut() -> Action {
        self.state = .closed
        return .replyAndClose(.timeout(self.configuration.hostname))
    }

    /// The server is stopping: idle sessions end now, a message being received is finished first.
    public mutating func shutdownRequested() -> Action {
        self.isDraining = true
        switch self.state {
        case .idle, .mail, .authenticating:
            self.state = .closed
            return .replyAndClose(.shuttingDown(self.configuration.hostname))
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .verifyingCredentials,
            .startingTLS, .closed:
            return .none
        }
    }

    // MARK: - Lines

    /// A malformed command line the framer refused.
    public mutating func receivedBadLine(_ badLine: InboundFrame.BadLine) -> Action {
        let reply: Reply
        switch badLine {
        case .bareLineFeed: reply = .bareLineFeed
        case .bareCarriageReturn: reply = .bareCarriageReturn
        case .tooLong: reply = .lineTooLong
        }
        switch self.state {
        case .authenticating(let session, _):
            self.state = .idle(session)
            return self.error(reply)
        case .idle, .mail:
            return self.error(reply)
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .verifyingCredentials,
            .startingTLS, .closed:
            return self.protocolViolation()
        }
    }

    /// A command line (or an AUTH response while authenticating), without CRLF.
    public mutating func receivedLine(_ line: ByteBuffer) -> Action {
        switch self.state {
        case .authenticating(let session, let step):
            return self.receivedAuthenticationResponse(String(buffer: line), step: step, session: session)
        case .idle, .mail:
            break
        case .startingTLS, .committing, .verifyingCredentials, .receivingData, .receivingChunk, .discardingChunk:
            // The handler holds input back in these states; a line here means the peer broke framing.
            return self.protocolViolation()
        case .initial, .closed:
            return .none
        }
        let command: Command
        do {
            command = try CommandParser.parseCommand(line: line)
        } catch let error as SMTPParserError {
            return self.error(Self.reply(for: error, isRecipient: line.readableBytesView.starts(with: "RCPT".utf8)))
        } catch {
            return self.error(.commandUnrecognized)
        }
        return self.received(command)
    }

    static func reply(for error: SMTPParserError, isRecipient: Bool) -> Reply {
        switch error.kind {
        case .unrecognizedCommand: .commandUnrecognized
        case .syntax: .syntax(error.hint)
        case .badAddress: .badAddress(error.hint)
        case .unknownParameter(let keyword): .unsupportedParameter(keyword)
        case .badParameterValue(let keyword): .syntax("\(keyword): \(error.hint)")
        }
    }

    mutating func received(_ command: Command) -> Action {
        if self.isBetweenChunks {
            // RFC 3030 §3: between chunks only BDAT continues the transaction; RSET abandons it.
            switch command {
            case .bdat, .noop, .quit:
                break
            case .rset:
                guard case .mail(let session, _) = self.state else {
                    preconditionFailure("Invalid state: \(self.state)")
                }
                self.state = .idle(session)
                return .abortMessage(.ok)
            case .ehlo, .helo, .mail, .rcpt, .data, .vrfy, .expn, .help, .startTLS, .auth:
                return self.error(.commandNotAllowedDuringBDAT)
            }
        }
        switch command {
        case .ehlo(let name), .helo(let name):
            return self.receivedHelo(name, extended: command != .helo(name))
        case .mail(let path, let parameters):
            return self.receivedMail(path, parameters)
        case .rcpt(let path, let parameters):
            return self.receivedRcpt(path, parameters)
        case .data:
            return self.receivedData()
        case .bdat(let size, let last):
            return self.receivedBDAT(size: size, last: last)
        case .rset:
            let junk = self.countJunk()
            return self.answerJunk(self.receivedReset(), pastLimit: junk)
        case .noop:
            return self.answerJunk(.reply(.ok), pastLimit: self.countJunk())
        case .quit:
            self.state = .closed
            return .replyAndClose(.bye)
        case .vrfy:
            return self.answerJunk(.reply(.cannotVerify), pastLimit: self.countJunk())
        case .expn:
            _ = self.countJunk()
            return self.error(.expnNotAvailable)
        case .help:
            return self.answerJunk(.reply(.help), pastLimit: self.countJunk())
        case .startTLS:
            return self.receivedStartTLS()
        case .auth(let mechanism, let initialResponse):
            return self.receivedAuth(mechanism: mechanism, initialResponse: initialResponse)
        }
    }

    // MARK: - Helpers

    /// A reply that counts as an error: past the soft limit it waits a growing while (the tarpit),
    /// past the hard limit the session ends with `421`.
    mutating func error(_ reply: Reply) -> Action {
        let errors: Int
        switch self.state {
        case .idle(var session):
            session.errors += 1
            if session.errors >= self.configuration.maximumErrors { return self.tooManyErrors() }
            self.state = .idle(session)
            errors = session.errors
        case .mail(var session, let transaction):
            session.errors += 1
            if session.errors >= self.configuration.maximumErrors { return self.tooManyErrors() }
            self.state = .mail(session, transaction)
            errors = session.errors
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .startingTLS, .closed:
            return .reply(reply)
        }
        let beyond = errors - self.configuration.softErrorLimit
        guard beyond > 0 else { return .reply(reply) }
        let delay = TimeAmount.nanoseconds(
            min(
                self.configuration.errorSleep.nanoseconds * Int64(beyond),
                self.configuration.longestErrorSleep.nanoseconds
            )
        )
        return .delayedReply(reply, delay: delay)
    }

    /// Counts a junk command (NOOP, RSET, HELP, VRFY, EXPN); `true` once past the limit.
    mutating func countJunk() -> Bool {
        let junk: Int
        switch self.state {
        case .idle(var session):
            session.junk += 1
            junk = session.junk
            self.state = .idle(session)
        case .mail(var session, let transaction):
            session.junk += 1
            junk = session.junk
            self.state = .mail(session, transaction)
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .startingTLS, .closed:
            return false
        }
        return junk > self.configuration.maximumJunkCommands
    }

    /// A junk command's answer: past the limit it counts as an error (the tarpit, then `421`).
    mutating func answerJunk(_ action: Action, pastLimit: Bool) -> Action {
        guard pastLimit, case .reply(let reply) = action else { return action }
        return self.error(reply)
    }

    private mutating func tooManyErrors() -> Action {
        self.state = .closed
        return .replyAndClose(.tooManyErrors(self.configuration.hostname))
    }

    private mutating func protocolViolation() -> Action {
        self.state = .closed
        return .replyAndClose(.protocolViolation(self.configuration.hostname))
    }

    /// The session after a transaction ended: closed if the server is draining.
    mutating func finishTransaction(_ session: Session, reply: Reply) -> Action {
        if self.isDraining {
            self.state = .closed
            return .repliesAndClose([reply, .shuttingDown(self.configuration.hostname)])
        }
        self.state = .idle(session)
        return .reply(reply)
    }
}
