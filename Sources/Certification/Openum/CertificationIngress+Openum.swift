//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
import MailMessage
import NIOCore
import NIOPosix
import SMTPCore
import Spool

/// What an Openum submission is made of: the document, and what the invitation says.
struct OpenumRequest: Sendable {
    var queueID: String
    var received: ReceivedHeader
    var from: Address
    var to: [Address]
    var cc: [Address]
    var subject: String
    /// The sender's own words, above the link.
    var words: String?
    var file: MessageDraft.Attachment
    var account: String
    var expiresAt: Date
    var reminderAt: Date?
}

extension CertificationIngress {
    /// Stores the document durably (before anything commits) and writes the invitation the
    /// recipients get in its place into the spool; the caller commits it with the document's facts.
    /// On failure nothing is left behind.
    func openumInvitation(_ request: OpenumRequest) async throws -> (SealedMessage, OpenumDocument) {
        let file = request.file
        let document = OpenumDocument(
            name: file.filename,
            contentType: file.contentType,
            size: file.content.count,
            sha256: Hex.encode(SHA256.hash(data: file.content)),
            expiresAt: request.expiresAt,
            reminderAt: request.reminderAt
        )
        let queueID = request.queueID
        try await self.threadPool.runIfActive {
            _ = try self.spool.storeOpenumDocument(file.content, queueID: queueID)
        }
        let account = request.account
        let language =
            (try? await self.threadPool.runIfActive { try self.spool.database.account(named: account) })??.language
            ?? .english
        let bodies = OpenumInvitation.bodies(
            senderName: request.from.displayName,
            senderAddress: request.from.address,
            message: request.words,
            document: document,
            language: language,
            serviceName: self.settings.serviceName
        )
        let draft = MessageDraft(
            from: request.from,
            to: request.to,
            cc: request.cc,
            subject: request.subject,
            text: bodies.text,
            html: bodies.html,
            messageID: "\(queueID.lowercased()).openum@\(self.settings.domain)",
            date: RFC5322Date.format(epochSeconds: request.received.epochSeconds)
        )
        var incoming = self.spool.beginMessage(queueID: queueID, header: ByteBuffer(string: request.received.encoded))
        do {
            try MessageComposer.compose(draft, boundarySeed: TrackingToken.make()) { piece in
                try incoming.append(ByteBuffer(bytes: piece))
            }
            return (try incoming.seal(), document)
        } catch {
            incoming.abort()
            self.spool.discardOpenumDocument(queueID: queueID)
            throw error
        }
    }

    /// A mail to an Openum address, admitted: its first attachment becomes the document, its text the
    /// sender's words; `nil` when it has no attachment.
    func openumRequest(
        mail content: [UInt8],
        admitted: CertifiedSubmission,
        envelope: Envelope,
        metadata: ReceptionMetadata,
        queueID: String
    ) -> OpenumRequest? {
        let parsed = MessageParser.parse(content)
        guard let attachment = parsed.leaves.first(where: \.isAttachment) else { return nil }
        let words = parsed.leaves.first { !$0.isAttachment && $0.mimeType == "text/plain" }.map {
            String(decoding: $0.decodedBody(in: content).prefix(16 * 1024), as: UTF8.self)
        }
        let name = attachment.fileName.flatMap { $0.isEmpty ? nil : $0 } ?? "document"
        let now = metadata.receivedAt
        return OpenumRequest(
            queueID: queueID,
            received: ReceivedHeader(
                heloName: envelope.heloName,
                clientAddress: metadata.clientAddress,
                hostname: self.settings.hostname,
                protocolName: envelope.protocolName,
                queueID: queueID,
                tls: metadata.tls,
                recipient: nil,
                epochSeconds: Int64(now.timeIntervalSince1970)
            ),
            from: Address(displayName: admitted.senderName, address: admitted.senderAddress),
            to: admitted.recipients.map { Address(displayName: nil, address: $0.address) },
            cc: [],
            subject: parsed.subject ?? name,
            words: words?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == false ? words : nil,
            file: MessageDraft.Attachment(
                filename: String(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(255)),
                contentType: MessageComposer.mediaType(attachment.mimeType),
                content: attachment.decodedBody(in: content)
            ),
            account: admitted.account,
            expiresAt: now.addingTimeInterval(TimeInterval(self.settings.openumExpiryDays) * 86_400),
            reminderAt: self.settings.openumReminderDays == 0
                ? nil : now.addingTimeInterval(TimeInterval(self.settings.openumReminderDays) * 86_400)
        )
    }
}
