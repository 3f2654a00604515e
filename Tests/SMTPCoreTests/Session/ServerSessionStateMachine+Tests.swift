//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOCore
import Testing

@testable import SMTPCore

extension ServerSessionConfiguration {
    static let test = ServerSessionConfiguration(
        hostname: "mx.test",
        maximumRecipients: 3,
        maximumMessageSize: 100,
        maximumErrors: 10,
        startTLSAvailable: true,
        policy: IngressPolicy(certifierAddresses: ["certify@fefaent.test"], receptionMailboxes: ["inbox@acme.test"])
    )

    static let submission: ServerSessionConfiguration = {
        var configuration = ServerSessionConfiguration.test
        configuration.authenticationEnabled = true
        configuration.authenticationRequired = true
        return configuration
    }()
}

extension ServerSessionStateMachine {
    mutating func line(_ text: String) -> Action {
        self.receivedLine(ByteBuffer(string: text))
    }

    static func ready(_ configuration: ServerSessionConfiguration = .test) -> ServerSessionStateMachine {
        var machine = ServerSessionStateMachine(configuration: configuration)
        _ = machine.connected()
        _ = machine.line("EHLO c.test")
        return machine
    }
}

@Suite("ServerSessionStateMachine")
struct ServerSessionStateMachineTests {
    let certifier = AcceptedRecipient(
        forwardPath: .mailbox(Mailbox(localPart: "certify", domain: "fefaent.test")),
        parameters: RcptParameters(),
        kind: .certifier
    )

    @Test func aWholeTransaction() {
        var m = ServerSessionStateMachine(configuration: .test)
        #expect(m.connected() == .reply(.serviceReady("mx.test")))
        #expect(
            m.line("EHLO c.test")
                == .reply(
                    .ehlo(
                        "mx.test",
                        greeting: "c.test",
                        capabilities: [
                            "PIPELINING", "SIZE 100", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "DSN",
                            "STARTTLS"
                        ]
                    )
                )
        )
        #expect(m.line("MAIL FROM:<a@acme.test> BODY=8BITMIME") == .reply(.senderOk))
        #expect(m.line("RCPT TO:<certify@fefaent.test> NOTIFY=FAILURE") == .reply(.recipientOk))
        let envelope = Envelope(
            reversePath: .mailbox(Mailbox(localPart: "a", domain: "acme.test")),
            mailParameters: MailParameters(body: .eightBitMIME),
            recipients: [
                AcceptedRecipient(
                    forwardPath: certifier.forwardPath,
                    parameters: RcptParameters(notify: [.failure]),
                    kind: .certifier
                )
            ],
            heloName: "c.test",
            protocolName: "ESMTP",
            authenticatedUser: nil,
            chunked: false
        )
        #expect(m.line("DATA") == .startData(.startMailInput, envelope))
        #expect(m.receivedMessageBytes(count: 40) == .append)
        #expect(m.receivedEndOfMessage(MessageDefects()) == .commitMessage(envelope))
        #expect(m.isWaitingForHandler)
        #expect(m.messageCommitted(queueID: "Q1") == .reply(.queued(as: "Q1")))
        #expect(m.line("QUIT") == .replyAndClose(.bye))
        #expect(m.isClosed)
    }

    @Test func commandsOutOfOrder() {
        var m = ServerSessionStateMachine(configuration: .test)
        _ = m.connected()
        #expect(m.line("MAIL FROM:<a@acme.test>") == .reply(.needHelo))
        _ = m.line("HELO c.test")
        #expect(m.line("RCPT TO:<certify@fefaent.test>") == .reply(.needMail))
        #expect(m.line("DATA") == .reply(.needMail))
        _ = m.line("MAIL FROM:<a@acme.test>")
        // The fourth error and the later ones are answered after a growing wait (the tarpit).
        #expect(m.line("MAIL FROM:<a@acme.test>") == .delayedReply(.nestedMail, delay: .seconds(1)))
        #expect(m.line("DATA") == .delayedReply(.needRecipient, delay: .seconds(2)))
    }

    @Test func noOpenRelay() {
        var m = ServerSessionStateMachine.ready()
        _ = m.line("MAIL FROM:<a@acme.test>")
        #expect(m.line("RCPT TO:<bob@example.test>") == .reply(.relayDenied))
        #expect(m.line("RCPT TO:<nobody@fefaent.test>") == .reply(.userUnknown))
        #expect(m.line("RCPT TO:<inbox@ACME.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<postmaster@fefaent.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<bounces+abc@fefaent.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<Postmaster>") == .reply(.tooManyRecipients))
    }

    @Test func recipientLimitAndDuplicates() {
        var m = ServerSessionStateMachine.ready()
        _ = m.line("MAIL FROM:<a@acme.test>")
        #expect(m.line("RCPT TO:<certify@fefaent.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<certify@fefaent.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<abuse@fefaent.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<postmaster@fefaent.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<notices@fefaent.test>") == .reply(.tooManyRecipients))
    }

    /// Mail to the certifier and mail to a reception mailbox take different roads at the end of
    /// DATA: whichever comes second waits for the next transaction (452, which clients retry).
    @Test func certifierAndReceptionNeverShareATransaction() {
        var m = ServerSessionStateMachine.ready()
        _ = m.line("MAIL FROM:<a@acme.test>")
        #expect(m.line("RCPT TO:<certify@fefaent.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<inbox@acme.test>") == .reply(.tooManyRecipients))
        _ = m.line("RSET")
        _ = m.line("MAIL FROM:<a@acme.test>")
        #expect(m.line("RCPT TO:<inbox@acme.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<certify@fefaent.test>") == .reply(.tooManyRecipients))
        #expect(m.line("RCPT TO:<abuse@fefaent.test>") == .reply(.recipientOk))
    }

    /// Mailboxes kept as data: an address of its own or a whole domain's, asked at every RCPT.
    @Test func receptionDirectoryIsAskedAtRCPT() {
        final class Owner: Sendable {}
        let owner = Owner()
        var configuration = ServerSessionConfiguration.test
        configuration.policy.receptionDirectory = ReceptionDirectory(owner: owner) { address in
            address == "claims@company.test" || address.hasSuffix("@claims.test")
        }
        var m = ServerSessionStateMachine.ready(configuration)
        _ = m.line("MAIL FROM:<a@acme.test>")
        #expect(m.line("RCPT TO:<Claims@Company.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<anyone@claims.test>") == .reply(.recipientOk))
        #expect(m.line("RCPT TO:<other@company.test>") == .reply(.relayDenied))
    }

    @Test func sizeLimitDeclaredAndStreamed() {
        var m = ServerSessionStateMachine.ready()
        #expect(m.line("MAIL FROM:<a@acme.test> SIZE=101") == .reply(.messageTooBig))
        _ = m.line("MAIL FROM:<a@acme.test> SIZE=50")
        _ = m.line("RCPT TO:<certify@fefaent.test>")
        _ = m.line("DATA")
        #expect(m.receivedMessageBytes(count: 60) == .append)
        #expect(m.receivedMessageBytes(count: 60) == .discard)
        #expect(m.receivedEndOfMessage(MessageDefects()) == .abortMessage(.messageTooBig))
        #expect(m.line("NOOP") == .reply(.ok))
    }

    @Test func smugglingIsRefusedAfterTheEndOfData() {
        var m = ServerSessionStateMachine.ready()
        _ = m.line("MAIL FROM:<a@acme.test>")
        _ = m.line("RCPT TO:<certify@fefaent.test>")
        _ = m.line("DATA")
        let defects = MessageDefects(bareLineFeed: true)
        #expect(m.receivedEndOfMessage(defects) == .abortMessage(.contentRefused(defects)))
        #expect(Reply.contentRefused(defects).description.hasPrefix("550 5.6.0"))
    }

    @Test func utf8AddressesNeedSMTPUTF8() {
        var m = ServerSessionStateMachine.ready()
        #expect(m.line("MAIL FROM:<josé@acme.test>") == .reply(.utf8NotDeclared))
        #expect(m.line("MAIL FROM:<josé@acme.test> SMTPUTF8") == .reply(.senderOk))
    }

    @Test func bdatChunksThenLast() {
        var m = ServerSessionStateMachine.ready()
        _ = m.line("MAIL FROM:<a@acme.test>")
        _ = m.line("RCPT TO:<certify@fefaent.test>")
        guard case .readChunk(10, .some) = m.line("BDAT 10") else {
            Issue.record("first chunk opens a message")
            return
        }
        #expect(m.receivedMessageBytes(count: 10) == .append)
        #expect(m.receivedEndOfChunk(MessageDefects()) == .reply(.chunkReceived(10)))
        #expect(m.line("MAIL FROM:<x@acme.test>") == .reply(.commandNotAllowedDuringBDAT))
        #expect(m.line("DATA") == .reply(.commandNotAllowedDuringBDAT))
        #expect(m.line("BDAT 5 LAST") == .readChunk(size: 5, newMessage: nil))
        _ = m.receivedMessageBytes(count: 5)
        guard case .commitMessage(let envelope) = m.receivedEndOfChunk(MessageDefects()) else {
            Issue.record("LAST commits")
            return
        }
        #expect(envelope.chunked)
    }

    @Test func bdatWithoutTransactionIsReadAndDropped() {
        var m = ServerSessionStateMachine.ready()
        #expect(m.line("BDAT 3 LAST") == .readChunk(size: 3, newMessage: nil))
        #expect(m.receivedMessageBytes(count: 3) == .discard)
        #expect(m.receivedEndOfChunk(MessageDefects()) == .reply(.needMail))
    }

    @Test func rsetBetweenChunksAbandonsTheMessage() {
        var m = ServerSessionStateMachine.ready()
        _ = m.line("MAIL FROM:<a@acme.test>")
        _ = m.line("RCPT TO:<certify@fefaent.test>")
        _ = m.line("BDAT 1")
        _ = m.receivedMessageBytes(count: 1)
        _ = m.receivedEndOfChunk(MessageDefects())
        #expect(m.line("RSET") == .abortMessage(.ok))
        #expect(m.line("BDAT 1 LAST") == .readChunk(size: 1, newMessage: nil))
    }

    @Test func tooManyErrorsCloses() {
        var m = ServerSessionStateMachine.ready()
        for _ in 0..<3 { #expect(m.line("FROB") == .reply(.commandUnrecognized)) }
        for wait in 1...6 {
            #expect(m.line("FROB") == .delayedReply(.commandUnrecognized, delay: .seconds(Int64(wait))))
        }
        #expect(m.line("FROB") == .replyAndClose(.tooManyErrors("mx.test")))
        #expect(m.isClosed)
    }

    @Test func theTarpitGrowsToItsCeiling() {
        var configuration = ServerSessionConfiguration.test
        configuration.maximumErrors = 100
        var m = ServerSessionStateMachine(configuration: configuration)
        _ = m.connected()
        _ = m.line("EHLO c.test")
        let waits = (0..<20).map { _ -> TimeAmount? in
            if case .delayedReply(_, let delay) = m.line("FROB") { return delay }
            return nil
        }
        #expect(waits.prefix(3).allSatisfy { $0 == nil })
        #expect(waits[3] == .seconds(1) && waits[12] == .seconds(10) && waits[19] == .seconds(10))
    }

    /// Postfix's `smtpd_junk_command_limit`: NOOP, RSET, HELP, VRFY and EXPN are fine until they are
    /// all a client sends; then each one is an error (tarpitted), and the session ends.
    @Test func junkCommandsBecomeErrorsPastTheLimit() {
        var m = ServerSessionStateMachine.ready()
        for _ in 0..<100 { #expect(m.line("NOOP") == .reply(.ok)) }
        #expect(m.line("NOOP") == .reply(.ok))  // the 101st: an error, the first three unpunished
        _ = m.line("VRFY bob")
        _ = m.line("HELP")
        #expect(m.line("RSET") == .delayedReply(.ok, delay: .seconds(1)))
        var closed = false
        for _ in 0..<20 where !closed {
            if m.line("NOOP") == .replyAndClose(.tooManyErrors("mx.test")) { closed = true }
        }
        #expect(closed && m.isClosed)
    }

    @Test func aCommittedMessageStartsTheJunkCountAgain() {
        var m = ServerSessionStateMachine.ready()
        for _ in 0..<100 { _ = m.line("NOOP") }
        _ = m.line("MAIL FROM:<a@acme.test>")
        _ = m.line("RCPT TO:<certify@fefaent.test>")
        _ = m.line("DATA")
        _ = m.receivedMessageBytes(count: 10)
        _ = m.receivedEndOfMessage(MessageDefects())
        _ = m.messageCommitted(queueID: "Q1")
        for _ in 0..<100 { #expect(m.line("NOOP") == .reply(.ok)) }
    }

    @Test func startTLSResetsTheSession() {
        var m = ServerSessionStateMachine.ready()
        #expect(m.line("STARTTLS") == .startTLS(.readyToStartTLS))
        #expect(m.isStartingTLS && m.isWaitingForHandler)
        #expect(m.tlsEstablished() == .none)
        #expect(m.line("MAIL FROM:<a@acme.test>") == .reply(.needHelo))
        guard case .reply(let ehlo) = m.line("EHLO c.test") else {
            Issue.record("EHLO")
            return
        }
        #expect(!ehlo.lines.contains("STARTTLS"))
        #expect(m.line("STARTTLS") == .reply(.tlsAlreadyActive))
    }

    @Test func authIsOnlyOfferedOverTLS() {
        var m = ServerSessionStateMachine.ready(.submission)
        #expect(m.line("AUTH PLAIN AGFsaWNlAHB3") == .reply(.encryptionRequired))
        #expect(m.line("MAIL FROM:<a@acme.test>") == .reply(.authenticationRequired))
    }

    @Test func authPlainAndLogin() {
        var m = ServerSessionStateMachine.ready(.submission)
        _ = m.line("STARTTLS")
        _ = m.tlsEstablished()
        guard case .reply(let ehlo) = m.line("EHLO c.test") else {
            Issue.record("EHLO")
            return
        }
        #expect(ehlo.lines.contains("AUTH PLAIN LOGIN"))
        #expect(m.line("AUTH PLAIN AGFsaWNlAHB3") == .verifyCredentials(.init(username: "alice", password: "pw")))
        #expect(m.credentialsVerified(user: nil) == .reply(.authenticationFailed))
        #expect(m.line("AUTH LOGIN") == .sendChallenge(Reply(.authenticationChallenge, nil, "VXNlcm5hbWU6")))
        #expect(m.isAuthenticating)
        #expect(m.line("YWxpY2U=") == .sendChallenge(Reply(.authenticationChallenge, nil, "UGFzc3dvcmQ6")))
        #expect(m.line("cHc=") == .verifyCredentials(.init(username: "alice", password: "pw")))
        #expect(m.credentialsVerified(user: "alice") == .reply(.authenticationSucceeded))
        #expect(m.line("AUTH PLAIN AGFsaWNlAHB3") == .reply(.alreadyAuthenticated))
        #expect(m.line("MAIL FROM:<a@acme.test>") == .reply(.senderOk))
        #expect(m.line("RCPT TO:<anyone@example.test>") == .reply(.recipientOk))
    }

    @Test func authCancelled() {
        var m = ServerSessionStateMachine.ready(.submission)
        _ = m.line("STARTTLS")
        _ = m.tlsEstablished()
        _ = m.line("EHLO c.test")
        _ = m.line("AUTH LOGIN")
        #expect(m.line("*") == .reply(.authenticationCancelled))
        #expect(!m.isAuthenticating)
    }

    @Test func shutdownWaitsForTheMessageBeingReceived() {
        var m = ServerSessionStateMachine.ready()
        _ = m.line("MAIL FROM:<a@acme.test>")
        _ = m.line("RCPT TO:<certify@fefaent.test>")
        _ = m.line("DATA")
        #expect(m.shutdownRequested() == .none)
        _ = m.receivedMessageBytes(count: 3)
        guard case .commitMessage = m.receivedEndOfMessage(MessageDefects()) else {
            Issue.record("commit")
            return
        }
        #expect(m.messageCommitted(queueID: "Q") == .repliesAndClose([.queued(as: "Q"), .shuttingDown("mx.test")]))
    }

    @Test func idleSessionsEndAtShutdown() {
        var m = ServerSessionStateMachine.ready()
        #expect(m.shutdownRequested() == .replyAndClose(.shuttingDown("mx.test")))
    }

    @Test func vrfyAndTimeout() {
        var m = ServerSessionStateMachine.ready()
        #expect(m.line("VRFY bob") == .reply(.cannotVerify))
        #expect(m.timedOut() == .replyAndClose(.timeout("mx.test")))
    }
}

@Suite("Trusted networks")
struct TrustedNetworkTests {
    @Test func aTrustedClientRelaysWithoutAuth() {
        var configuration = ServerSessionConfiguration.submission
        configuration.clientIsTrusted = true
        var m = ServerSessionStateMachine.ready(configuration)
        #expect(m.line("MAIL FROM:<a@acme.test>") == .reply(.senderOk))
        #expect(m.line("RCPT TO:<anyone@example.test>") == .reply(.recipientOk))
    }
}

@Suite("Required TLS")
struct RequiredTLSTests {
    @Test func mailNeedsStartTLSFirst() {
        var configuration = ServerSessionConfiguration.test
        configuration.tlsRequired = true
        var m = ServerSessionStateMachine.ready(configuration)
        #expect(m.line("MAIL FROM:<a@acme.test>") == .reply(.tlsRequired))
        _ = m.line("STARTTLS")
        _ = m.tlsEstablished()
        _ = m.line("EHLO c.test")
        #expect(m.line("MAIL FROM:<a@acme.test>") == .reply(.senderOk))
    }
}
