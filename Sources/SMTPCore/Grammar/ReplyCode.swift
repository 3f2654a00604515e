//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A three-digit SMTP reply code.
///
///     S: 250 2.1.0 Sender ok
///
/// - SeeAlso: [RFC 5321 §4.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.2)
public struct ReplyCode: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    public var rawValue: Int

    public init(rawValue: Int) {
        precondition((200..<600).contains(rawValue), "reply codes are 2xx to 5xx")
        self.rawValue = rawValue
    }

    public init(_ rawValue: Int) {
        self.init(rawValue: rawValue)
    }

    /// The first digit: 2 success, 3 intermediate, 4 transient failure, 5 permanent failure.
    public var kind: Int { self.rawValue / 100 }
    public var isPositive: Bool { self.kind == 2 || self.kind == 3 }
    public var description: String { String(self.rawValue) }

    public static let systemStatus = ReplyCode(211)
    public static let helpMessage = ReplyCode(214)
    public static let serviceReady = ReplyCode(220)
    public static let closing = ReplyCode(221)
    public static let authenticationSucceeded = ReplyCode(235)
    public static let ok = ReplyCode(250)
    public static let cannotVerify = ReplyCode(252)
    public static let authenticationChallenge = ReplyCode(334)
    public static let startMailInput = ReplyCode(354)
    public static let serviceNotAvailable = ReplyCode(421)
    public static let mailboxUnavailableTransient = ReplyCode(450)
    public static let localError = ReplyCode(451)
    public static let insufficientStorage = ReplyCode(452)
    public static let temporaryAuthenticationFailure = ReplyCode(454)
    public static let syntaxError = ReplyCode(500)
    public static let parameterSyntaxError = ReplyCode(501)
    public static let notImplemented = ReplyCode(502)
    public static let badSequence = ReplyCode(503)
    public static let parameterNotImplemented = ReplyCode(504)
    public static let authenticationRequired = ReplyCode(530)
    public static let authenticationFailed = ReplyCode(535)
    public static let encryptionRequired = ReplyCode(538)
    public static let mailboxUnavailable = ReplyCode(550)
    public static let exceededStorage = ReplyCode(552)
    public static let mailboxNameNotAllowed = ReplyCode(553)
    public static let transactionFailed = ReplyCode(554)
    public static let parametersNotRecognized = ReplyCode(555)
}
