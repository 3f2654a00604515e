//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Everything the server learnt about one message besides its content: what the spool stores.
public struct Envelope: Hashable, Sendable {
    public var reversePath: ReversePath
    public var mailParameters: MailParameters
    public var recipients: [AcceptedRecipient]
    /// The name the client gave in HELO/EHLO.
    public var heloName: String
    /// The RFC 3848 protocol name for the Received header: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA.
    public var protocolName: String
    public var authenticatedUser: String?
    /// Whether the content came by BDAT rather than DATA.
    public var chunked: Bool

    public init(
        reversePath: ReversePath,
        mailParameters: MailParameters,
        recipients: [AcceptedRecipient],
        heloName: String,
        protocolName: String,
        authenticatedUser: String?,
        chunked: Bool
    ) {
        self.reversePath = reversePath
        self.mailParameters = mailParameters
        self.recipients = recipients
        self.heloName = heloName
        self.protocolName = protocolName
        self.authenticatedUser = authenticatedUser
        self.chunked = chunked
    }
}

/// A recipient the server said `250` to, with its DSN request and why it was accepted.
public struct AcceptedRecipient: Hashable, Sendable {
    public var forwardPath: ForwardPath
    public var parameters: RcptParameters
    public var kind: RecipientKind

    public init(forwardPath: ForwardPath, parameters: RcptParameters, kind: RecipientKind) {
        self.forwardPath = forwardPath
        self.parameters = parameters
        self.kind = kind
    }
}
