//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
public import Logging
import MailMessage
import Metrics
public import NIOPosix
public import SMTPCore
public import Spool

/// The end of DATA for mail to reception mailboxes: accepted from anyone (it is an inbox), its
/// sender's SPF, DKIM and DMARC checked and stated, stored in each mailbox's Maildir and recorded
/// as ReceivedFromNonERDS in the commit before the `250`, charged to the mailbox's account.
public struct ReceptionIngress: Sendable {
    public let spool: Spool
    public let directory: MailboxDirectory
    public let authenticator: SenderAuthenticator
    public let policy: AcknowledgementPolicy
    /// The `authserv-id` of the Authentication-Results field and the host in Maildir file names.
    public let hostname: String
    /// One unit per started block of this many octets.
    public let unitSize: Int
    /// Reads spilled messages off the cooperative pool.
    public let threadPool: NIOThreadPool
    public let logger: Logger

    public init(
        spool: Spool,
        directory: MailboxDirectory,
        authenticator: SenderAuthenticator,
        policy: AcknowledgementPolicy,
        hostname: String,
        unitSize: Int,
        threadPool: NIOThreadPool,
        logger: Logger
    ) {
        self.spool = spool
        self.directory = directory
        self.authenticator = authenticator
        self.policy = policy
        self.hostname = hostname
        self.unitSize = unitSize
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Whether the mail is for a reception mailbox (the session never mixes it with the certifier).
    public func handles(_ envelope: Envelope) -> Bool {
        envelope.recipients.contains { $0.kind == .reception }
    }

    public func commit(
        _ message: SealedMessage,
        envelope: Envelope,
        metadata: ReceptionMetadata,
        completion: @escaping @Sendable (IngressOutcome) -> Void
    ) {
        Task {
            let content: [UInt8]
            do {
                content = try await message.receivedContent(readingFilesOn: self.threadPool)
            } catch {
                message.refuse()
                return completion(.failed(error))
            }
            guard
                let delivery = await self.delivery(
                    for: content,
                    parsed: message.parsed,
                    envelope: envelope,
                    metadata: metadata
                )
            else {
                // Every mailbox named at RCPT was removed since: the client tries again (and then hears 550).
                message.refuse()
                return completion(
                    .refused(Reply(.localError, EnhancedStatusCode(4, 2, 0), "mailbox changed; try again later"))
                )
            }
            self.spool.commit(message, envelope: envelope, metadata: metadata, reception: delivery) { result in
                switch result {
                case .success:
                    Counter(label: "fefaent_received_total").increment()
                    completion(.accepted)
                case .failure(let error):
                    completion(.failed(error))
                }
            }
        }
    }

    /// What the commit does for this mail: the copies, the charge, the authentication results.
    func delivery(
        for content: [UInt8],
        parsed: ParsedMessage,
        envelope: Envelope,
        metadata: ReceptionMetadata
    ) async -> ReceptionDelivery? {
        let from = parsed.from.first?.address
        let envelopeSender = envelope.reversePath.address
        let authentication = await self.authenticator.evaluate(
            content: content,
            fromDomain: from.map(CertificationRules.domain(of:)) ?? "",
            envelope: envelope,
            client: metadata.clientAddress,
            now: metadata.receivedAt
        )
        let suppression = self.policy.suppression(
            envelopeSender: envelopeSender,
            headers: parsed.headers,
            authentication: authentication
        )
        let copies = envelope.recipients.filter { $0.kind == .reception }.compactMap { recipient in
            self.directory.mailbox(for: recipient.forwardPath.address).map {
                ReceptionDelivery.Copy(
                    mailbox: $0,
                    recipient: recipient.forwardPath.address,
                    acknowledgementSuppressed: suppression
                )
            }
        }
        guard let first = copies.first else { return nil }
        return ReceptionDelivery(
            copies: copies,
            account: first.mailbox.account,
            units: CertificationRules.unitsPerRecipient(size: content.count, unitSize: self.unitSize),
            envelopeSender: envelopeSender,
            headerFrom: from,
            subject: parsed.subject,
            authentication: authentication,
            addedHeader: Array(authentication.header(authservID: self.hostname, envelopeSender: envelopeSender).utf8),
            evidenceID: EvidenceID.make(),
            hostname: self.hostname
        )
    }
}
