//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension ServerSessionStateMachine {
    mutating func receivedData() -> Action {
        switch self.state {
        case .idle:
            return self.error(.needMail)
        case .mail(let session, let transaction):
            if transaction.chunked {
                return self.error(.dataAfterBDAT)
            }
            guard !transaction.recipients.isEmpty else {
                return self.error(.needRecipient)
            }
            self.state = .receivingData(session, transaction)
            return .startData(.startMailInput, self.envelope(session: session, transaction: transaction))
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .startingTLS, .closed:
            preconditionFailure("Invalid state: \(self.state)")
        }
    }

    // RFC 3030 §2: a refused BDAT still has its chunk read, and dropped.
    mutating func receivedBDAT(size: Int, last: Bool) -> Action {
        switch self.state {
        case .idle(let session):
            self.state = .discardingChunk(session, nil, reply: .needMail)
            return .readChunk(size: size, newMessage: nil)
        case .mail(let session, var transaction):
            guard !transaction.recipients.isEmpty else {
                self.state = .discardingChunk(session, transaction, reply: .needRecipient)
                return .readChunk(size: size, newMessage: nil)
            }
            let beginsMessage = !transaction.chunked
            transaction.chunked = true
            if transaction.octets + size > self.configuration.maximumMessageSize
                || size > SMTPDefaults.maximumChunkSize
            {
                transaction.exceededSize = true
            }
            self.state = .receivingChunk(session, transaction, last: last)
            return .readChunk(
                size: size,
                newMessage: beginsMessage ? self.envelope(session: session, transaction: transaction) : nil
            )
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .startingTLS, .closed:
            preconditionFailure("Invalid state: \(self.state)")
        }
    }

    /// Message content arrived; the size limit is enforced as it streams (RFC 1870 §6).
    public mutating func receivedMessageBytes(count: Int) -> MessageBytesAction {
        switch self.state {
        case .receivingData(let session, var transaction):
            transaction.octets += count
            if transaction.octets > self.configuration.maximumMessageSize { transaction.exceededSize = true }
            self.state = .receivingData(session, transaction)
            return transaction.exceededSize ? .discard : .append
        case .receivingChunk(let session, var transaction, let last):
            transaction.octets += count
            if transaction.octets > self.configuration.maximumMessageSize { transaction.exceededSize = true }
            self.state = .receivingChunk(session, transaction, last: last)
            return transaction.exceededSize ? .discard : .append
        case .discardingChunk:
            return .discard
        case .initial, .idle, .mail, .committing, .authenticating, .verifyingCredentials, .startingTLS, .closed:
            preconditionFailure("Invalid state: \(self.state)")
        }
    }

    /// DATA ended with CRLF "." CRLF.
    public mutating func receivedEndOfMessage(_ defects: MessageDefects) -> Action {
        guard case .receivingData(let session, let transaction) = self.state else {
            preconditionFailure("Invalid state: \(self.state)")
        }
        return self.complete(session: session, transaction: transaction, defects: defects)
    }

    /// A BDAT chunk was read whole.
    public mutating func receivedEndOfChunk(_ defects: MessageDefects) -> Action {
        switch self.state {
        case .receivingChunk(let session, let transaction, let last):
            if last {
                return self.complete(session: session, transaction: transaction, defects: defects)
            }
            if transaction.exceededSize {
                // The transaction cannot succeed any more: end it now, the client will RSET or QUIT.
                self.state = .idle(session)
                return .abortMessage(.messageTooBig)
            }
            self.state = .mail(session, transaction)
            return .reply(.chunkReceived(transaction.octets))
        case .discardingChunk(let session, let transaction, let reply):
            if let transaction {
                self.state = .mail(session, transaction)
            } else {
                self.state = .idle(session)
            }
            return self.error(reply)
        case .initial, .idle, .mail, .receivingData, .committing, .authenticating, .verifyingCredentials,
            .startingTLS, .closed:
            preconditionFailure("Invalid state: \(self.state)")
        }
    }

    private mutating func complete(session: Session, transaction: Transaction, defects: MessageDefects) -> Action {
        if transaction.exceededSize {
            self.state = .idle(session)
            return .abortMessage(.messageTooBig)
        }
        guard defects.isEmpty else {
            self.state = .idle(session)
            return .abortMessage(.contentRefused(defects))
        }
        self.state = .committing(session)
        return .commitMessage(self.envelope(session: session, transaction: transaction))
    }

    /// The message and its queue rows are on disk.
    public mutating func messageCommitted(queueID: String) -> Action {
        guard case .committing(var session) = self.state else { preconditionFailure("Invalid state: \(self.state)") }
        session.junk = 0  // a client that delivers mail is not idling
        return self.finishTransaction(session, reply: .queued(as: queueID))
    }

    /// The spool could not make the message durable: the client keeps it and tries again later.
    public mutating func messageCommitFailed() -> Action {
        guard case .committing(let session) = self.state else { preconditionFailure("Invalid state: \(self.state)") }
        return self.finishTransaction(session, reply: .queueWriteError)
    }

    /// The message was read but refused by a rule above the protocol (a certification refusal): the
    /// client gets `reply`, nothing was kept.
    public mutating func messageRefused(_ reply: Reply) -> Action {
        guard case .committing(let session) = self.state else { preconditionFailure("Invalid state: \(self.state)") }
        return self.finishTransaction(session, reply: reply)
    }

    /// The transaction's state for a BDAT between chunks, used by the handler to refuse other commands.
    public var isBetweenChunks: Bool {
        if case .mail(_, let transaction) = self.state { return transaction.chunked }
        return false
    }
}
