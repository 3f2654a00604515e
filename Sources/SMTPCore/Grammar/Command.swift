//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A command a client sends to an SMTP server.
///
///     C: MAIL FROM:<a@example.test> SIZE=1000
///
/// - SeeAlso: [RFC 5321 §4.1.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1),
///   [RFC 3207](https://www.rfc-editor.org/rfc/rfc3207) STARTTLS, [RFC 4954](https://www.rfc-editor.org/rfc/rfc4954) AUTH,
///   [RFC 3030](https://www.rfc-editor.org/rfc/rfc3030) BDAT
public enum Command: Hashable, Sendable {
    case ehlo(String)
    case helo(String)
    case mail(ReversePath, MailParameters)
    case rcpt(ForwardPath, RcptParameters)
    case data
    /// `BDAT size [LAST]`.
    case bdat(size: Int, last: Bool)
    case rset
    case noop
    case quit
    case vrfy(String)
    case expn(String)
    case help
    case startTLS
    /// `AUTH mechanism [initial-response]`; the response is still base64, `=` for an empty one.
    case auth(mechanism: String, initialResponse: String?)
}
