//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The ESMTP parameters of `MAIL FROM`.
///
///     C: MAIL FROM:<a@example.test> SIZE=4096 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159
///
/// - SeeAlso: [RFC 1870](https://www.rfc-editor.org/rfc/rfc1870) SIZE, [RFC 6152](https://www.rfc-editor.org/rfc/rfc6152) BODY,
///   [RFC 6531](https://www.rfc-editor.org/rfc/rfc6531) SMTPUTF8, [RFC 3461 §4.3–4.4](https://www.rfc-editor.org/rfc/rfc3461) RET and ENVID,
///   [RFC 4954 §5](https://www.rfc-editor.org/rfc/rfc4954#section-5) AUTH
public struct MailParameters: Hashable, Sendable {
    /// The size the client declared, in octets.
    public var size: Int?
    public var body: BodyType?
    public var smtpUTF8: Bool
    public var dsnReturn: DSNReturn?
    /// The envelope identifier, decoded from xtext.
    public var envelopeID: String?
    /// The `AUTH=` mailbox the client names, decoded from xtext; `<>` when it vouches for nobody.
    public var authorizedIdentity: String?

    public init(
        size: Int? = nil,
        body: BodyType? = nil,
        smtpUTF8: Bool = false,
        dsnReturn: DSNReturn? = nil,
        envelopeID: String? = nil,
        authorizedIdentity: String? = nil
    ) {
        self.size = size
        self.body = body
        self.smtpUTF8 = smtpUTF8
        self.dsnReturn = dsnReturn
        self.envelopeID = envelopeID
        self.authorizedIdentity = authorizedIdentity
    }
}

/// The body type a client declares with `BODY=` (RFC 6152, RFC 3030).
public enum BodyType: String, Hashable, Sendable {
    case sevenBit = "7BIT"
    case eightBitMIME = "8BITMIME"
    case binaryMIME = "BINARYMIME"
}

/// What a delivery status notification returns of the message, `RET=` (RFC 3461 §4.3).
public enum DSNReturn: String, Hashable, Sendable {
    case full = "FULL"
    case headers = "HDRS"
}
