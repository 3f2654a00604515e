//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
public import MailMessage
public import Spool

/// Whether a received mail may be acknowledged to its sender (RFC 3834 §2 and the backscatter
/// rule): decided at the end of DATA from the envelope, the header and the authentication results.
/// The hourly limit per sender is applied when the acknowledgement is sent.
public struct AcknowledgementPolicy: Sendable {
    /// Whether an address is one of Fefaent's own (a mailbox, a certifier, a system address).
    public let isOwnAddress: @Sendable (String) -> Bool
    /// Whether this server can send acknowledgements at all (it signs them with `[dkim]` and attaches
    /// the `[evidence]` PDF).
    public let canAcknowledge: Bool

    public init(canAcknowledge: Bool = true, isOwnAddress: @escaping @Sendable (String) -> Bool) {
        self.canAcknowledge = canAcknowledge
        self.isOwnAddress = isOwnAddress
    }

    /// `nil` when an acknowledgement may go to `envelopeSender`; else why not.
    public func suppression(
        envelopeSender: String,
        headers: [HeaderField],
        authentication: AuthenticationFacts
    ) -> AcknowledgementSuppression? {
        guard self.canAcknowledge else { return .notConfigured }
        // §2: never to a null return path (bounces, other auto-replies).
        guard !envelopeSender.isEmpty else { return .nullSender }
        // §2: not to mail that says it was sent automatically.
        if let auto = Self.value("Auto-Submitted", in: headers), auto.lowercased() != "no" {
            return .autoSubmitted
        }
        // §2: not to mailing lists (their headers, or `Precedence` as lists and bulk senders set it).
        if Self.value("List-Id", in: headers) != nil || Self.value("List-Unsubscribe", in: headers) != nil {
            return .mailingList
        }
        if let precedence = Self.value("Precedence", in: headers)?.lowercased(),
            ["bulk", "list", "junk"].contains(precedence)
        {
            return .mailingList
        }
        if self.isOwnAddress(envelopeSender.lowercased()) { return .ownAddress }
        // Backscatter: a forged envelope sender would aim the acknowledgement at a victim. Only a
        // sender whose domain vouched for the mail (SPF for the envelope sender, or a DKIM
        // signature aligned with it) is answered.
        let senderDomain = CertificationRules.domain(of: envelopeSender)
        let spfVouches = authentication.spf == .pass && authentication.spfDomain == senderDomain
        let dkimVouches = authentication.dkim.contains { check in
            check.result == .pass && check.domain.map { AuthenticationFacts.aligned($0, with: senderDomain) } == true
        }
        guard spfVouches || dkimVouches else { return .senderNotAuthenticated }
        return nil
    }

    static func value(_ name: String, in headers: [HeaderField]) -> String? {
        headers.first { $0.hasName(name) }.map { $0.value.trimmingCharacters(in: .whitespaces) }
    }
}
