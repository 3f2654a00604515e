//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Evidence
import FefaentAPI
import Foundation
import OpenAPIRuntime
import Spool

/// A certified mail's status and records as `GET /v1/messages/{id}` shows them.
enum APIMessageView {
    static func make(_ status: CertifiedMessageStatus, records: [StoredRecord]) -> Components.Schemas.Message {
        Components.Schemas.Message(
            id: status.message.queueID,
            state: Components.Schemas.Message.StatePayload(rawValue: status.state.rawValue) ?? .queued,
            submittedAt: status.receivedAt,
            from: status.message.senderAddress,
            subject: status.message.subject,
            to: status.recipients.map(\.address),
            units: status.message.units,
            recipients: status.recipients.map { recipient in
                Components.Schemas.Recipient(
                    address: recipient.address,
                    state: Self.state(recipient.state),
                    attempts: recipient.attempts,
                    lastReply: recipient.lastReply.map(Self.reply),
                    remoteHost: recipient.remoteHost,
                    finishedAt: recipient.finishedAt,
                    openedAt: recipient.firstFetchedAt,
                    evidenceId: recipient.outcomeEvidenceID,
                    documentOpenedAt: recipient.documentOpenedAt,
                    documentLinkExpiredAt: recipient.documentExpiredAt
                )
            },
            evidence: records.map {
                Components.Schemas.EvidenceSummary(
                    id: $0.evidenceID,
                    kind: $0.kind,
                    time: Date(timeIntervalSince1970: Double($0.timeMs) / 1000)
                )
            },
            document: status.document.map {
                Components.Schemas.DocumentSummary(
                    name: $0.name,
                    contentType: $0.contentType,
                    size: Int64($0.size),
                    sha256: $0.sha256,
                    expiresAt: $0.expiresAt
                )
            }
        )
    }

    static func state(_ state: QueuedRecipient.State) -> Components.Schemas.Recipient.StatePayload {
        switch state {
        case .queued: .queued
        case .deferred: .deferred
        case .delivered: .delivered
        case .bounced: .failed
        }
    }

    /// `250 2.0.0 Ok: queued` as code, enhanced code and text.
    static func reply(_ text: String) -> Components.Schemas.Reply {
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let code = words.first.flatMap { Int($0.prefix(3)) } ?? 0
        let enhanced = words.count > 1 && words[1].split(separator: ".").count == 3 ? words[1] : nil
        let rest = words.dropFirst(enhanced == nil ? 1 : 2).joined(separator: " ")
        return Components.Schemas.Reply(code: code, enhancedCode: enhanced, text: rest)
    }
}

/// One record with what proves it, as `GET /v1/evidence/{id}` gives it.
enum EvidenceProof {
    /// `nil` while no signed checkpoint covers the record.
    static func make(_ record: StoredRecord, log: EvidenceLog) throws -> Components.Schemas.EvidenceRecord? {
        guard let checkpoint = try log.store.checkpoint(covering: record.leafIndex) else { return nil }
        let stamp = try log.store.timestamp(evidenceID: record.evidenceID)
        let signature = try log.signer.assemble(
            record.signature,
            unsignedAttributes: stamp.map { [CMSSigner.signatureTimeStampAttribute(token: $0.token)] } ?? []
        )
        let hashes = try log.inclusionProof(index: record.leafIndex, size: checkpoint.size)
        return Components.Schemas.EvidenceRecord(
            id: record.evidenceID,
            kind: record.kind,
            messageId: record.queueID,
            record: String(decoding: record.body, as: UTF8.self),
            signature: Base64EncodedData(signature),
            timestamp: stamp.map { Base64EncodedData($0.token) },
            proof: Components.Schemas.InclusionProof(
                leafIndex: Int64(record.leafIndex),
                treeSize: Int64(checkpoint.size),
                hashes: hashes.map { Data($0).base64EncodedString() },
                checkpoint: checkpoint.note
            )
        )
    }
}
