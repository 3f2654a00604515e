//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The replies the server sends, worded like Postfix's so operators recognise them.
extension Reply {
    public static func serviceReady(_ hostname: String) -> Reply {
        Reply(.serviceReady, nil, "\(hostname) ESMTP Fefaent")
    }

    public static func helo(_ hostname: String) -> Reply {
        Reply(.ok, nil, hostname)
    }

    public static func ehlo(_ hostname: String, greeting client: String, capabilities: [String]) -> Reply {
        Reply(.ok, nil, ["\(hostname) greets \(client)"] + capabilities)
    }

    public static let ok = Reply(.ok, EnhancedStatusCode(2, 0, 0), "Ok")
    public static let senderOk = Reply(.ok, EnhancedStatusCode(2, 1, 0), "Ok")
    public static let recipientOk = Reply(.ok, EnhancedStatusCode(2, 1, 5), "Ok")
    public static let startMailInput = Reply(.startMailInput, nil, "End data with <CR><LF>.<CR><LF>")
    public static let bye = Reply(.closing, EnhancedStatusCode(2, 0, 0), "Bye")
    public static let cannotVerify = Reply(
        .cannotVerify,
        EnhancedStatusCode(2, 5, 2),
        "Cannot VRFY user, but will accept message and attempt delivery"
    )
    public static let expnNotAvailable = Reply(
        .notImplemented,
        EnhancedStatusCode(5, 5, 1),
        "Error: EXPN not available"
    )
    public static let help = Reply(
        .helpMessage,
        EnhancedStatusCode(2, 0, 0),
        "See https://www.rfc-editor.org/rfc/rfc5321"
    )
    public static let readyToStartTLS = Reply(.serviceReady, EnhancedStatusCode(2, 0, 0), "Ready to start TLS")

    public static func queued(as queueID: String) -> Reply {
        Reply(.ok, EnhancedStatusCode(2, 0, 0), "Ok: queued as \(queueID)")
    }

    public static func chunkReceived(_ octets: Int) -> Reply {
        Reply(.ok, EnhancedStatusCode(2, 0, 0), "Ok: \(octets) octets received")
    }

    // MARK: - Sequence and syntax

    public static let needHelo = Reply(.badSequence, EnhancedStatusCode(5, 5, 1), "Error: send HELO/EHLO first")
    public static let needMail = Reply(.badSequence, EnhancedStatusCode(5, 5, 1), "Error: need MAIL command")
    public static let needRecipient = Reply(
        .transactionFailed,
        EnhancedStatusCode(5, 5, 1),
        "Error: no valid recipients"
    )
    public static let nestedMail = Reply(.badSequence, EnhancedStatusCode(5, 5, 1), "Error: nested MAIL command")
    public static let dataAfterBDAT = Reply(
        .badSequence,
        EnhancedStatusCode(5, 5, 1),
        "Error: DATA cannot follow BDAT in one transaction"
    )
    public static let commandNotAllowedDuringBDAT = Reply(
        .badSequence,
        EnhancedStatusCode(5, 5, 1),
        "Error: only BDAT, RSET, NOOP or QUIT between chunks"
    )
    public static let commandUnrecognized = Reply(
        .syntaxError,
        EnhancedStatusCode(5, 5, 2),
        "Error: command not recognized"
    )
    public static let bareLineFeed = Reply(.syntaxError, EnhancedStatusCode(5, 5, 2), "Error: bare <LF> received")
    public static let bareCarriageReturn = Reply(.syntaxError, EnhancedStatusCode(5, 5, 2), "Error: bare <CR> received")
    public static let lineTooLong = Reply(.syntaxError, EnhancedStatusCode(5, 5, 2), "Error: line too long")

    public static func syntax(_ hint: String) -> Reply {
        Reply(.parameterSyntaxError, EnhancedStatusCode(5, 5, 4), "Syntax error: \(hint)")
    }

    public static func badAddress(_ hint: String) -> Reply {
        Reply(.parameterSyntaxError, EnhancedStatusCode(5, 1, 3), "Bad address syntax: \(hint)")
    }

    public static func unsupportedParameter(_ keyword: String) -> Reply {
        Reply(.parametersNotRecognized, EnhancedStatusCode(5, 5, 4), "Unsupported option: \(keyword)")
    }

    // MARK: - Policy and limits

    public static let messageTooBig = Reply(
        .exceededStorage,
        EnhancedStatusCode(5, 3, 4),
        "Message size exceeds fixed limit"
    )
    public static let tooManyRecipients = Reply(
        .insufficientStorage,
        EnhancedStatusCode(4, 5, 3),
        "Error: too many recipients"
    )
    public static let relayDenied = Reply(.mailboxUnavailable, EnhancedStatusCode(5, 7, 1), "Relay access denied")
    public static let userUnknown = Reply(
        .mailboxUnavailable,
        EnhancedStatusCode(5, 1, 1),
        "Recipient address rejected: User unknown"
    )
    public static let utf8NotDeclared = Reply(
        .mailboxNameNotAllowed,
        EnhancedStatusCode(5, 6, 7),
        "Must declare SMTPUTF8 to send unicode address"
    )
    public static let bodyTypeNotSupported = Reply(
        .parametersNotRecognized,
        EnhancedStatusCode(5, 5, 4),
        "Unsupported option: BODY=BINARYMIME"
    )

    public static func contentRefused(_ defects: MessageDefects) -> Reply {
        let what: String
        if defects.bareLineFeed {
            what = "bare <LF> in message content (SMTP smuggling protection)"
        } else if defects.bareCarriageReturn {
            what = "bare <CR> in message content (SMTP smuggling protection)"
        } else {
            what = "line longer than \(SMTPDefaults.textLineLimit) octets"
        }
        return Reply(.mailboxUnavailable, EnhancedStatusCode(5, 6, 0), "Message refused: \(what)")
    }

    public static let queueWriteError = Reply(.localError, EnhancedStatusCode(4, 3, 0), "Error: queue file write error")

    // MARK: - Security

    public static let tlsRequired = Reply(
        .authenticationRequired,
        EnhancedStatusCode(5, 7, 0),
        "Must issue a STARTTLS command first"
    )
    public static let tlsAlreadyActive = Reply(.badSequence, EnhancedStatusCode(5, 5, 1), "Error: TLS already active")
    public static let tlsNotAvailable = Reply(
        .notImplemented,
        EnhancedStatusCode(5, 5, 1),
        "Error: STARTTLS not available"
    )
    public static let authenticationRequired = Reply(
        .authenticationRequired,
        EnhancedStatusCode(5, 7, 0),
        "Authentication required"
    )
    public static let encryptionRequired = Reply(
        .encryptionRequired,
        EnhancedStatusCode(5, 7, 11),
        "Encryption required for requested authentication mechanism"
    )
    public static let authenticationSucceeded = Reply(
        .authenticationSucceeded,
        EnhancedStatusCode(2, 7, 0),
        "Authentication successful"
    )
    public static let authenticationFailed = Reply(
        .authenticationFailed,
        EnhancedStatusCode(5, 7, 8),
        "Authentication credentials invalid"
    )
    public static let authenticationNotEnabled = Reply(
        .notImplemented,
        EnhancedStatusCode(5, 5, 1),
        "Error: authentication not enabled"
    )
    public static let alreadyAuthenticated = Reply(
        .badSequence,
        EnhancedStatusCode(5, 5, 1),
        "Error: already authenticated"
    )
    public static let authenticationInTransaction = Reply(
        .badSequence,
        EnhancedStatusCode(5, 5, 1),
        "Error: MAIL transaction in progress"
    )
    public static let unknownMechanism = Reply(
        .parameterNotImplemented,
        EnhancedStatusCode(5, 5, 4),
        "Unrecognized authentication type"
    )
    public static let authenticationCancelled = Reply(
        .parameterSyntaxError,
        EnhancedStatusCode(5, 0, 0),
        "Authentication cancelled"
    )
    public static let authenticationMalformed = Reply(
        .parameterSyntaxError,
        EnhancedStatusCode(5, 5, 2),
        "Cannot decode response"
    )

    // MARK: - Closing the session

    public static func timeout(_ hostname: String) -> Reply {
        Reply(.serviceNotAvailable, EnhancedStatusCode(4, 4, 2), "\(hostname) Error: timeout exceeded")
    }

    public static func shuttingDown(_ hostname: String) -> Reply {
        Reply(
            .serviceNotAvailable,
            EnhancedStatusCode(4, 3, 2),
            "\(hostname) Service shutting down, closing connection"
        )
    }

    public static func tooManyErrors(_ hostname: String) -> Reply {
        Reply(.serviceNotAvailable, EnhancedStatusCode(4, 7, 0), "\(hostname) Error: too many errors")
    }

    public static func protocolViolation(_ hostname: String) -> Reply {
        Reply(.serviceNotAvailable, EnhancedStatusCode(4, 5, 0), "\(hostname) Error: protocol violation")
    }
}
