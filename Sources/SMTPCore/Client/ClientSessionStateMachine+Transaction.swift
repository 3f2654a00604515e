//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension ClientSessionStateMachine {
    mutating func negotiated(_ session: Session) -> Action {
        let wantsTLS = self.configuration.tlsPolicy != .disabled && self.configuration.tlsAvailable
        if !session.isTLS && wantsTLS && session.capabilities.startTLS {
            self.state = .awaitingStartTLS(session)
            return .send(["STARTTLS"])
        }
        if !session.isTLS && self.configuration.tlsPolicy.requiresTLS {
            return self.fail(Self.tlsRequired(nil))
        }
        self.state = .ready(session)
        return .ready(session.capabilities)
    }

    mutating func fail(_ reply: Reply) -> Action {
        self.state = .closed
        return .close(failure: reply)
    }

    // "MAIL FROM:" Reverse-path [SP Mail-parameters]
    func mailCommand(_ transaction: OutboundTransaction, _ capabilities: ServerCapabilities) -> String {
        var command = "MAIL FROM:<\(transaction.reversePath.address)>"
        if capabilities.size != nil { command += " SIZE=\(transaction.size)" }
        if transaction.eightBit && capabilities.eightBitMIME { command += " BODY=8BITMIME" }
        if transaction.needsSMTPUTF8 { command += " SMTPUTF8" }
        if capabilities.dsn {
            if let ret = transaction.dsnReturn { command += " RET=\(ret.rawValue)" }
            if let envelopeID = transaction.envelopeID { command += " ENVID=\(XText.encode(envelopeID))" }
        }
        return command
    }

    // "RCPT TO:" Forward-path [SP Rcpt-parameters]
    func rcptCommand(_ recipient: OutboundTransaction.Recipient, _ capabilities: ServerCapabilities) -> String {
        var command = "RCPT TO:<\(recipient.forwardPath.address)>"
        if capabilities.dsn {
            if let notify = recipient.parameters.notifyDescription { command += " NOTIFY=\(notify)" }
            if let original = recipient.parameters.originalRecipient {
                command += " ORCPT=\(original.addressType);\(XText.encode(original.address))"
            }
        }
        return command
    }

    mutating func receivedEnvelopeReply(_ reply: Reply, session: Session, progress: Progress) -> Action {
        var progress = progress
        let capabilities = session.capabilities
        let count = progress.transaction.recipients.count
        guard let mailReply = progress.mailReply else {
            progress.mailReply = reply
            if reply.code.kind != 2 {
                progress.outcomes = Array(repeating: DeliveryOutcome(failure: reply), count: count)
                if !capabilities.pipelining {
                    self.state = .ready(session)
                    return .transactionCompleted(progress.outcomes.map { $0! })
                }
            }
            self.state = .awaitingEnvelopeReplies(session, progress)
            if !capabilities.pipelining {
                return .send([self.rcptCommand(progress.transaction.recipients[0], capabilities)])
            }
            return .none
        }
        let index = progress.recipientReplies.count
        progress.recipientReplies.append(reply)
        if mailReply.code.kind == 2 && reply.code.kind != 2 {
            progress.outcomes[index] = DeliveryOutcome(failure: reply)
        }
        guard progress.recipientReplies.count == count else {
            self.state = .awaitingEnvelopeReplies(session, progress)
            if !capabilities.pipelining {
                return .send([self.rcptCommand(progress.transaction.recipients[index + 1], capabilities)])
            }
            return .none
        }
        if mailReply.code.kind != 2 {
            self.state = .ready(session)
            return .transactionCompleted(progress.outcomes.map { $0! })
        }
        guard progress.outcomes.contains(where: { $0 == nil }) else {
            // No recipient accepted: end the transaction the server opened.
            self.state = .awaitingReset(session, progress.outcomes.map { $0! })
            return .send(["RSET"])
        }
        if capabilities.chunking {
            self.state = .awaitingFinalReply(session, progress)
            return .sendMessage(chunked: true)
        }
        self.state = .awaitingDataGo(session, progress)
        return .send(["DATA"])
    }

    mutating func complete(session: Session, progress: Progress, final reply: Reply) -> Action {
        let outcomes = progress.outcomes.map { decided -> DeliveryOutcome in
            if let decided { return decided }
            return reply.code.kind == 2 ? .delivered(reply) : DeliveryOutcome(failure: reply)
        }
        self.state = .ready(session)
        return .transactionCompleted(outcomes)
    }
}
