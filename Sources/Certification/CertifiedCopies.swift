//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Delivery
import Foundation
public import Spool

/// The delivery runner's source of certified copies: one per certified recipient, built when it is
/// sent (from the immutable spooled original, so a retry sends the same content with a new signature).
public struct CertifiedCopies: RecipientCopies {
    public let settings: CertificationSettings
    public let database: SpoolDatabase

    public init(settings: CertificationSettings, database: SpoolDatabase) {
        self.settings = settings
        self.database = database
    }

    public func copy(
        for recipient: DueRecipient,
        of message: QueuedMessage,
        original: StoredOriginal
    ) throws
        -> RecipientCopy
    {
        guard let token = recipient.token else {
            throw CertificationError("recipient \(recipient.address) has no token")
        }
        let facts = try self.database.copyFacts(ofMessage: message.id)
        let evidenceID = facts?.evidenceID ?? ""
        let copy = CertifiedCopy(
            certifier: facts?.certifier ?? self.settings.certifierAddresses.first
                ?? "certify@\(self.settings.domain)",
            serviceName: self.settings.serviceName,
            signer: self.settings.signer
        )
        let pixelURL = self.settings.pixelURL(token: token)
        let messageID = "\(message.id).\(recipient.recipientID)@\(self.settings.domain)"
        let returnPath = self.settings.bounceAddress(token: token)
        if facts?.openum == true {
            // An Openum invitation (a link to the document, written by Fefaent, small) gets the
            // recipient's link written into its text first: built in memory.
            let body = OpenumInvitation.withLink(
                try original.read(0..<original.size),
                url: self.settings.documentURL(token: token)
            )
            let content = try copy.make(
                original: body,
                pixelURL: pixelURL,
                evidenceID: evidenceID,
                messageID: messageID
            )
            return RecipientCopy(returnPath: returnPath, content: .bytes(content))
        }
        let (signature, plan) = try copy.planned(
            originalSize: original.size,
            read: original.read,
            pixelURL: pixelURL,
            evidenceID: evidenceID,
            messageID: messageID
        )
        return RecipientCopy(returnPath: returnPath, content: .planned(prefix: signature, plan: plan))
    }
}

/// A certification step that cannot go on; the message says what is missing.
public struct CertificationError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
