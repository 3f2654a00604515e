//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// The document of an Openum submission: recipients get a link to it, never the file.
public struct OpenumDocument: Codable, Hashable, Sendable {
    public var name: String
    public var contentType: String
    public var size: Int
    /// SHA-256 (hex) of the document's octets.
    public var sha256: String
    /// The links stop working then.
    public var expiresAt: Date
    /// An unopened link's recipient is reminded then (`nil`: no reminder).
    public var reminderAt: Date?

    public init(name: String, contentType: String, size: Int, sha256: String, expiresAt: Date, reminderAt: Date?) {
        self.name = name
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.expiresAt = expiresAt
        self.reminderAt = reminderAt
    }
}

/// Something happened to an Openum recipient's link: the document handed over, a fetch that is no
/// access (a scanner, a preview), or the link expired unopened.
public struct DocumentAccess: Codable, Hashable, Sendable {
    public enum Outcome: String, Codable, Hashable, Sendable {
        /// The recipient opened the document: it was served (ContentHandover).
        case handover
        /// A fetch that is not the recipient's act: a HEAD request, a known scanner, a form posted
        /// without the landing page's cookie. Recorded, never counted as access.
        case notAccess
        /// The link expired and the document was never opened (ContentHandoverFailure).
        case expired
    }

    /// Why a fetch is no access.
    public enum Classification: String, Codable, Hashable, Sendable {
        case recipient
        case headRequest
        case knownScanner
        case noCookieRoundTrip
        case expiredLink
    }

    public var queueID: String
    public var recipient: String
    public var outcome: Outcome
    public var classification: Classification
    public var at: Date
    public var clientIP: String
    public var userAgent: String
    public var documentSHA256: String
    public var documentName: String
    /// Whether this is the recipient's first handover.
    public var firstAccess: Bool

    public init(
        queueID: String,
        recipient: String,
        outcome: Outcome,
        classification: Classification,
        at: Date,
        clientIP: String,
        userAgent: String,
        documentSHA256: String,
        documentName: String,
        firstAccess: Bool
    ) {
        self.queueID = queueID
        self.recipient = recipient
        self.outcome = outcome
        self.classification = classification
        self.at = at
        self.clientIP = clientIP
        self.userAgent = userAgent
        self.documentSHA256 = documentSHA256
        self.documentName = documentName
        self.firstAccess = firstAccess
    }
}
