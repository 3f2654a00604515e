//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// One message to send to one server: the envelope and what the content needs.
public struct OutboundTransaction: Hashable, Sendable {
    public var reversePath: ReversePath
    public var recipients: [Recipient]
    /// Octets of the message as it will be sent (before dot-stuffing).
    public var size: Int
    /// The envelope or the headers hold UTF-8 (RFC 6531): the server must offer SMTPUTF8.
    public var needsSMTPUTF8: Bool
    /// The content has octets over 127 (RFC 6152).
    public var eightBit: Bool
    public var dsnReturn: DSNReturn?
    public var envelopeID: String?

    /// One recipient with its DSN request.
    public struct Recipient: Hashable, Sendable {
        public var forwardPath: ForwardPath
        public var parameters: RcptParameters

        public init(forwardPath: ForwardPath, parameters: RcptParameters = RcptParameters()) {
            self.forwardPath = forwardPath
            self.parameters = parameters
        }
    }

    public init(
        reversePath: ReversePath,
        recipients: [Recipient],
        size: Int,
        needsSMTPUTF8: Bool = false,
        eightBit: Bool = false,
        dsnReturn: DSNReturn? = nil,
        envelopeID: String? = nil
    ) {
        self.reversePath = reversePath
        self.recipients = recipients
        self.size = size
        self.needsSMTPUTF8 = needsSMTPUTF8
        self.eightBit = eightBit
        self.dsnReturn = dsnReturn
        self.envelopeID = envelopeID
    }
}

/// What became of one recipient in one delivery attempt, with the reply that decided it.
public enum DeliveryOutcome: Hashable, Sendable {
    /// The server took responsibility (2xx after the data).
    case delivered(Reply)
    /// Try again later (4xx, or no answer).
    case deferred(Reply)
    /// Permanent failure (5xx): bounce.
    case bounced(Reply)

    public var reply: Reply {
        switch self {
        case .delivered(let reply), .deferred(let reply), .bounced(let reply): reply
        }
    }

    /// The outcome a reply means for a recipient.
    public init(failure reply: Reply) {
        self = reply.code.kind == 5 ? .bounced(reply) : .deferred(reply)
    }
}
