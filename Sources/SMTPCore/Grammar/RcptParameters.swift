//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The ESMTP parameters of `RCPT TO`: the DSN request of RFC 3461.
///
///     C: RCPT TO:<b@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.test
///
/// - SeeAlso: [RFC 3461 §4.1–4.2](https://www.rfc-editor.org/rfc/rfc3461#section-4.1)
public struct RcptParameters: Hashable, Sendable {
    /// `nil` when the client did not ask; `[]` means NOTIFY=NEVER.
    public var notify: Set<DSNNotify>?
    /// The original recipient: address type and the address, decoded from xtext.
    public var originalRecipient: OriginalRecipient?

    public init(notify: Set<DSNNotify>? = nil, originalRecipient: OriginalRecipient? = nil) {
        self.notify = notify
        self.originalRecipient = originalRecipient
    }
}

/// A condition under which the client wants a delivery status notification.
public enum DSNNotify: String, Hashable, Sendable, CaseIterable {
    case success = "SUCCESS"
    case failure = "FAILURE"
    case delay = "DELAY"
}

/// `ORCPT=addr-type;xtext` (RFC 3461 §4.2).
public struct OriginalRecipient: Hashable, Sendable {
    public var addressType: String
    public var address: String

    public init(addressType: String, address: String) {
        self.addressType = addressType
        self.address = address
    }
}

extension RcptParameters {
    /// The NOTIFY list as stored: `NEVER`, or the conditions joined by commas in a fixed order.
    public var notifyDescription: String? {
        guard let notify = self.notify else { return nil }
        if notify.isEmpty { return "NEVER" }
        return DSNNotify.allCases.filter { notify.contains($0) }.map(\.rawValue).joined(separator: ",")
    }
}
