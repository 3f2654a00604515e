//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import MailMessage

/// What the certification needs to know of the service: its addresses, its signing key, where the
/// tracking pixel is served, and the price of a mail.
public struct CertificationSettings: Sendable {
    /// The certifier addresses (`certify@…`), lower-cased.
    public var certifierAddresses: [String]
    /// Certifier addresses that mark a mail as an invoice (`invoice@…`), lower-cased; a subset of
    /// ``certifierAddresses``.
    public var invoiceAddresses: [String]
    /// Certifier addresses whose mail goes out as Openum (its first attachment behind a link),
    /// lower-cased; a subset of ``certifierAddresses``.
    public var openumAddresses: [String] = []
    /// Openum links made from mail expire, and remind, after these many days (0: no reminder).
    public var openumExpiryDays = 15
    public var openumReminderDays = 3
    /// The domain of the certifier: its DKIM d=, the `bounces+TOKEN@` return paths.
    public var domain: String
    /// The sender of the notices (`notices@<domain>`).
    public var noticeSender: String
    /// Where the HTTP front serves the pixel, e.g. `https://fefaent.example`; the copy points at
    /// `<base>/o/<token>.gif`.
    public var trackingBaseURL: String
    /// Signs the certified copies and the notices (d= ``domain``).
    public var signer: DKIMSigner
    /// Above this size a certified mail is refused (`552 5.3.4`).
    public var maximumMessageSize: Int
    /// One unit per started block of this many octets, per recipient.
    public var unitSize: Int
    /// The name in the `From:` of copies and notices: `<sender> via <serviceName>`.
    public var serviceName: String
    /// The reporting MTA's name in notices and DSNs.
    public var hostname: String

    public init(
        certifierAddresses: [String],
        invoiceAddresses: [String] = [],
        domain: String,
        noticeSender: String? = nil,
        trackingBaseURL: String,
        signer: DKIMSigner,
        maximumMessageSize: Int = 20 * 1024 * 1024,
        unitSize: Int = 5 * 1024 * 1024,
        serviceName: String = "Fefaent",
        hostname: String
    ) {
        self.certifierAddresses = certifierAddresses.map { $0.lowercased() }
        self.invoiceAddresses = invoiceAddresses.map { $0.lowercased() }
        self.domain = domain.lowercased()
        self.noticeSender = noticeSender?.lowercased() ?? "notices@\(domain.lowercased())"
        self.trackingBaseURL = trackingBaseURL.hasSuffix("/") ? String(trackingBaseURL.dropLast()) : trackingBaseURL
        self.signer = signer
        self.maximumMessageSize = maximumMessageSize
        self.unitSize = unitSize
        self.serviceName = serviceName
        self.hostname = hostname
    }

    /// The pixel's URL for `token`.
    public func pixelURL(token: String) -> String {
        "\(self.trackingBaseURL)/o/\(token).gif"
    }

    /// An Openum recipient's link: the landing page that asks before it hands the document over.
    public func documentURL(token: String) -> String {
        "\(self.trackingBaseURL)/d/\(token)"
    }

    /// The return path of the copy for the recipient with `token`.
    public func bounceAddress(token: String) -> String {
        "bounces+\(token)@\(self.domain)"
    }

    /// The token in a `bounces+TOKEN@<domain>` address, if it is one.
    public func token(inBounceAddress address: String) -> String? {
        let lowered = address.lowercased()
        guard lowered.hasPrefix("bounces+"), lowered.hasSuffix("@\(self.domain)") else { return nil }
        let token = lowered.dropFirst("bounces+".count).dropLast(self.domain.count + 1)
        return token.isEmpty ? nil : String(token)
    }
}
