//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension ServerSessionStateMachine {
    /// The ESMTP extensions this session advertises now (RFC 5321 §4.1.1.1).
    func capabilities(for session: Session) -> [String] {
        var capabilities = [
            "PIPELINING",
            "SIZE \(self.configuration.maximumMessageSize)",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
            "DSN"
        ]
        if self.configuration.startTLSAvailable && !session.isTLS {
            capabilities.append("STARTTLS")
        }
        if self.configuration.authenticationEnabled
            && (session.isTLS || self.configuration.plaintextAuthenticationAllowed)
        {
            capabilities.append("AUTH PLAIN LOGIN")
        }
        return capabilities
    }

    // EHLO/HELO resets any transaction (RFC 5321 §4.1.4).
    mutating func receivedHelo(_ name: String, extended: Bool) -> Action {
        let session: Session
        switch self.state {
        case .idle(let current), .mail(let current, _):
            session = current
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .startingTLS, .closed:
            preconditionFailure("Invalid state: \(self.state)")
        }
        var updated = session
        updated.heloName = name
        updated.extended = extended
        self.state = .idle(updated)
        if extended {
            return .reply(
                .ehlo(self.configuration.hostname, greeting: name, capabilities: self.capabilities(for: updated))
            )
        }
        return .reply(.helo(self.configuration.hostname))
    }

    mutating func receivedMail(_ path: ReversePath, _ parameters: MailParameters) -> Action {
        guard case .idle(let session) = self.state else {
            if case .mail = self.state { return self.error(.nestedMail) }
            preconditionFailure("Invalid state: \(self.state)")
        }
        guard session.heloName != nil else {
            return self.error(.needHelo)
        }
        if self.configuration.tlsRequired && !session.isTLS {
            return self.error(.tlsRequired)
        }
        if self.configuration.authenticationRequired && session.authenticatedUser == nil
            && !self.configuration.clientIsTrusted
        {
            return self.error(.authenticationRequired)
        }
        if let size = parameters.size, size > self.configuration.maximumMessageSize {
            return self.error(.messageTooBig)
        }
        if parameters.body == .binaryMIME {
            return self.error(.bodyTypeNotSupported)
        }
        if path.mailbox?.isInternationalized == true && !parameters.smtpUTF8 {
            return self.error(.utf8NotDeclared)
        }
        self.state = .mail(session, Transaction(reversePath: path, parameters: parameters))
        return .reply(.senderOk)
    }

    mutating func receivedRcpt(_ path: ForwardPath, _ parameters: RcptParameters) -> Action {
        guard case .mail(let session, var transaction) = self.state else {
            if case .idle = self.state { return self.error(.needMail) }
            preconditionFailure("Invalid state: \(self.state)")
        }
        if case .mailbox(let mailbox) = path, mailbox.isInternationalized, !transaction.parameters.smtpUTF8 {
            return self.error(.utf8NotDeclared)
        }
        if transaction.recipients.contains(where: { $0.forwardPath == path }) {
            return .reply(.recipientOk)  // a duplicate: accepted once, delivered once
        }
        guard transaction.recipients.count < self.configuration.maximumRecipients else {
            return .reply(.tooManyRecipients)  // 452 is not an error: RFC 5321 §4.5.3.1.10
        }
        let mayRelay = session.authenticatedUser != nil || self.configuration.clientIsTrusted
        switch self.configuration.policy.evaluate(path, authenticated: mayRelay) {
        case .accept(let kind):
            // Mail to the certifier and mail to a reception mailbox take different roads at the end of
            // DATA: the second kind waits for a transaction of its own (452: the client sends it next).
            if let other = RecipientKind.exclusiveKinds[kind],
                transaction.recipients.contains(where: { $0.kind == other })
            {
                return .reply(.tooManyRecipients)
            }
            transaction.recipients.append(AcceptedRecipient(forwardPath: path, parameters: parameters, kind: kind))
            self.state = .mail(session, transaction)
            return .reply(.recipientOk)
        case .reject(let reply):
            return self.error(reply)
        }
    }

    mutating func receivedReset() -> Action {
        switch self.state {
        case .idle(let session), .mail(let session, _):
            self.state = .idle(session)
            return .reply(.ok)
        case .initial, .receivingData, .receivingChunk, .discardingChunk, .committing, .authenticating,
            .verifyingCredentials, .startingTLS, .closed:
            preconditionFailure("Invalid state: \(self.state)")
        }
    }

    func envelope(session: Session, transaction: Transaction) -> Envelope {
        // RFC 3848: ESMTP, plus S with TLS and A with AUTH; plain SMTP after HELO.
        var protocolName = session.extended ? "ESMTP" : "SMTP"
        if session.extended && session.isTLS { protocolName += "S" }
        if session.extended && session.authenticatedUser != nil { protocolName += "A" }
        return Envelope(
            reversePath: transaction.reversePath,
            mailParameters: transaction.parameters,
            recipients: transaction.recipients,
            heloName: session.heloName ?? "",
            protocolName: protocolName,
            authenticatedUser: session.authenticatedUser,
            chunked: transaction.chunked
        )
    }
}
