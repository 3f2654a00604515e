//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Evidence
import Spool

extension EvidenceService {
    /// A certified mail's acceptance names its sender (the From address the account certifies for),
    /// its certified recipients, how the sender was authenticated, and what was charged.
    static func certify(_ record: inout EvidenceRecord, _ certification: CertifiedSubmission) {
        record.sender = certification.senderAddress
        record.recipients = certification.recipients.map(\.address)
        switch certification.senderCheck {
        case .dkim: record.senderAuthentication = .dkim(domain: certification.senderCheckIdentity)
        case .spf: record.senderAuthentication = .spf(domain: certification.senderCheckIdentity)
        case .trustedNetwork: record.senderAuthentication = .trustedNetwork
        case .smtpAuth: record.senderAuthentication = .smtpAuth(identity: certification.senderCheckIdentity)
        case .apiKey: record.senderAuthentication = .apiKey(identity: certification.senderCheckIdentity)
        }
        record.certification = EvidenceRecord.Certification(
            account: certification.account,
            mode: certification.mode.rawValue,
            certifier: certification.certifier,
            invoice: certification.invoice,
            invoiceFiles: certification.invoiceFiles.map {
                .init(name: $0.name, format: $0.format, sha256: $0.sha256)
            },
            certifiedRecipients: certification.recipients.map(\.address),
            units: certification.units,
            document: certification.document.map {
                .init(
                    name: $0.name,
                    contentType: $0.contentType,
                    size: Int64($0.size),
                    sha256: $0.sha256,
                    expiresAt: UTCDateTime($0.expiresAt)
                )
            }
        )
    }

    /// An Openum link's use or expiry: the document's digest as an attachment, the client as a fetch.
    static func documentRecord(_ event: DocumentAccess, id: String, facts: MessageFacts) -> EvidenceRecord {
        var record = Self.record(
            kind: event.outcome == .handover
                ? .contentHandover : event.outcome == .expired ? .contentHandoverFailure : .documentLinkFetched,
            id: id,
            time: UTCDateTime(event.at),
            queueID: event.queueID,
            sender: facts.sender,
            recipients: [event.recipient],
            facts: facts,
            details: event.outcome == .expired
                ? .none
                : .fetch(
                    clientIP: event.clientIP,
                    userAgent: event.userAgent,
                    classification: event.classification.rawValue,
                    likelyPrefetch: event.outcome == .notAccess
                ),
            submissionTime: nil,
            reason: event.outcome == .expired ? .expired : nil
        )
        // The document, not the invitation, is what was (or was not) handed over.
        record.attachments = [
            EvidenceRecord.Attachment(
                name: event.documentName,
                contentType: "application/octet-stream",
                size: 0,
                sha256: event.documentSHA256
            )
        ]
        return record
    }

    /// A received mail's record names the mailboxes, the charge, and every check of its sender; the
    /// sender counts as authenticated by an aligned DKIM pass, else an aligned SPF pass.
    static func receive(_ record: inout EvidenceRecord, _ reception: ReceptionFacts) {
        let authentication = reception.authentication
        if let domain = authentication.alignedDKIMDomain {
            record.senderAuthentication = .dkim(domain: domain)
        } else if authentication.alignedSPF {
            record.senderAuthentication = .spf(domain: authentication.spfDomain)
        } else {
            record.senderAuthentication = EvidenceRecord.SenderAuthentication.none
        }
        record.reception = EvidenceRecord.Reception(
            mailboxes: reception.mailboxes,
            account: reception.account,
            units: reception.units,
            headerFrom: reception.headerFrom,
            fromDomain: authentication.fromDomain,
            spf: .init(result: authentication.spf.rawValue, domain: authentication.spfDomain),
            dkim: authentication.dkim.map { .init(result: $0.result.rawValue, domain: $0.domain) },
            dmarc: .init(result: authentication.dmarc.rawValue, domain: authentication.fromDomain),
            dmarcPolicy: authentication.dmarcPolicy
        )
    }

    /// A SubmissionRejection: what was refused (digest and size; nothing of it is kept), from whom,
    /// why, and the reply.
    static func rejectionRecord(_ event: SubmissionRejected, id: String) -> EvidenceRecord {
        var record = EvidenceRecord(
            kind: .submissionRejection,
            time: UTCDateTime(event.rejectedAt),
            evidenceID: id,
            queueID: event.queueID,
            messageID: nil,
            sender: event.headerFrom ?? event.envelopeSender,
            recipients: event.envelopeRecipients,
            subject: nil,
            messageSHA256: event.messageSHA256,
            messageSize: Int64(event.messageSize),
            attachments: [],
            details: .submission(
                clientIP: event.session.clientAddress,
                heloName: event.session.heloName,
                authenticatedAs: event.session.authenticatedAs,
                tls: event.session.tls.map(Self.tls),
                reply: event.reply.description
            ),
            submissionTime: UTCDateTime(event.rejectedAt),
            reason: EvidenceRecord.Reason(rawValue: event.reason.rawValue)
        )
        record.senderAuthentication =
            event.session.authenticatedAs.map { .smtpAuth(identity: $0) } ?? EvidenceRecord.SenderAuthentication.none
        return record
    }

    static func fetchRecord(_ event: TrackingFetched, id: String, facts: MessageFacts) -> EvidenceRecord {
        Self.record(
            kind: .trackingResourceFetched,
            id: id,
            time: UTCDateTime(event.fetchedAt),
            queueID: event.queueID,
            sender: facts.sender,
            recipients: [event.recipient],
            facts: facts,
            details: .fetch(
                clientIP: event.clientIP,
                userAgent: event.userAgent,
                classification: event.fetcher.rawValue,
                likelyPrefetch: event.likelyPrefetch
            ),
            submissionTime: nil
        )
    }
}
