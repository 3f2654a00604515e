//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Certification
import Evidence
import FefaentAPI
import Foundation
import Logging
import MailMessage
import NIOPosix
import OpenAPIRuntime
import SMTPCore
import Spool
import Synchronization

/// API v1 (`openapi.yaml`): the generated protocol, implemented over the same certification, spool
/// and evidence log as SMTP. ``APIGate`` has checked the key before any of these run.
struct APIService: APIProtocol {
    /// `nil` when the daemon cannot certify (no `[dkim]` key): sending answers `503`.
    let ingress: CertificationIngress?
    let database: SpoolDatabase
    let log: EvidenceLog?
    /// Draws and signs a message's evidence PDF (the certificates' maker).
    let evidencePDF: (@Sendable (String) async throws -> [UInt8])?
    let largestAttachment: Int
    let threadPool: NIOThreadPool
    let logger: Logger
    /// Idempotency keys whose first call is still running (`account key`).
    let running = RunningKeys()

    final class RunningKeys: Sendable {
        private let keys = Mutex<Set<String>>([])
        func start(_ key: String) -> Bool { self.keys.withLock { $0.insert(key).inserted } }
        func end(_ key: String) { _ = self.keys.withLock { $0.remove(key) } }
    }

    func sendMessage(_ input: Operations.SendMessage.Input) async throws -> Operations.SendMessage.Output {
        try await self.sendMessage(input, document: nil)
    }

    private func sendMessage(
        _ input: Operations.SendMessage.Input,
        document: (file: Components.Schemas.Attachment, expiresInDays: Int, reminderDays: Int)?
    ) async throws -> Operations.SendMessage.Output {
        guard let caller = APICaller.current else { return Self.sendProblem(.unauthorized, "no API key") }
        var claim: IdempotencyClaim? = nil
        if let key = input.headers.idempotencyKey {
            guard key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                return Self.sendProblem(.invalidRequest, "Idempotency-Key: visible ASCII only, at most 255")
            }
            claim = IdempotencyClaim(account: caller.account, key: key, requestSHA256: caller.bodySHA256)
        }
        if let claim {
            if let used = try await self.threadPool.runIfActive({
                try self.database.idempotentMessage(account: claim.account, key: claim.key)
            }) {
                return try await self.replay(used, claim: claim, caller: caller)
            }
            let running = "\(claim.account) \(claim.key)"
            guard self.running.start(running) else {
                return Self.sendProblem(.idempotencyKeyInFlight, "the first call with this key has not finished yet")
            }
            defer { self.running.end(running) }
            return try await self.send(input.body, caller: caller, claim: claim, document: document)
        }
        return try await self.send(input.body, caller: caller, claim: nil, document: document)
    }

    func sendDocument(_ input: Operations.SendDocument.Input) async throws -> Operations.SendDocument.Output {
        guard case .json(let json) = input.body else { return .undocumented(statusCode: 415, .init()) }
        // The document's message fields are a NewMessage's: the same path takes them.
        let message = Components.Schemas.NewMessage(
            from: json.from,
            fromName: json.fromName,
            to: json.to,
            cc: json.cc,
            subject: json.subject,
            text: json.text
        )
        let sent = try await self.sendMessage(
            .init(headers: .init(idempotencyKey: input.headers.idempotencyKey), body: .json(message)),
            document: (json.document, json.expiresInDays ?? 15, json.reminderDays ?? 3)
        )
        // The same answers as sendMessage's, under this operation's names.
        switch sent {
        case .accepted(let accepted):
            return .accepted(
                .init(
                    headers: .init(
                        location: accepted.headers.location,
                        idempotentReplayed: accepted.headers.idempotentReplayed
                    ),
                    body: .json(try accepted.body.json)
                )
            )
        case .badRequest(let problem): return .badRequest(problem)
        case .unauthorized(let problem): return .unauthorized(problem)
        case .code402(let problem): return .code402(problem)
        case .forbidden(let problem): return .forbidden(problem)
        case .conflict(let problem): return .conflict(problem)
        case .contentTooLarge(let problem): return .contentTooLarge(problem)
        case .unsupportedMediaType(let problem): return .unsupportedMediaType(problem)
        case .unprocessableContent(let problem): return .unprocessableContent(problem)
        case .tooManyRequests(let problem): return .tooManyRequests(problem)
        case .serviceUnavailable(let problem): return .serviceUnavailable(problem)
        case .undocumented(let status, let payload): return .undocumented(statusCode: status, payload)
        }
    }

    private func send(
        _ body: Operations.SendMessage.Input.Body,
        caller: APICaller,
        claim: IdempotencyClaim?,
        document: (file: Components.Schemas.Attachment, expiresInDays: Int, reminderDays: Int)? = nil
    ) async throws -> Operations.SendMessage.Output {
        let request: MessageRequest
        let fields: (from: Mailbox, to: [Mailbox], cc: [Mailbox], replyTo: Mailbox?, subject: String)
        do {
            switch body {
            case .json(let json): request = MessageRequest(json)
            case .multipartForm(let form):
                request = try await MessageRequest(form, largestAttachment: self.largestAttachment)
            }
            fields = try request.checked(requiringBody: document == nil)
            if let document {
                guard (1...365).contains(document.expiresInDays),
                    (0..<document.expiresInDays).contains(document.reminderDays)
                else {
                    throw APIRequestProblem(
                        "expires_in_days: 1 to 365; reminder_days: 0 to one less than expires_in_days"
                    )
                }
                guard !document.file.filename.isEmpty, document.file.filename.utf8.count <= 255,
                    document.file.filename.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
                else { throw APIRequestProblem("document.filename: 1 to 255 octets, no control characters") }
            }
        } catch let problem as APIRequestProblem {
            return Self.sendProblem(problem.problem, problem.detail)
        } catch {
            // A form the runtime cannot read (a cut body, a missing boundary) is the client's to fix.
            return Self.sendProblem(.invalidRequest, "the form cannot be read as multipart/form-data: \(error)")
        }
        guard let ingress = self.ingress else {
            return Self.sendProblem(.unavailable, "this server certifies nothing: it has no [dkim] key")
        }
        var submission = APISubmission(
            from: fields.from,
            fromName: request.fromName,
            to: fields.to,
            cc: fields.cc,
            replyTo: fields.replyTo,
            subject: fields.subject,
            text: request.text,
            html: request.html,
            attachments: request.attachments,
            account: caller.account,
            keyID: caller.keyID,
            clientAddress: caller.clientAddress,
            tls: caller.tls,
            idempotency: claim
        )
        if let document {
            let now = Date()
            submission.document = MessageDraft.Attachment(
                filename: document.file.filename,
                contentType: document.file.contentType.map(MessageComposer.mediaType)
                    ?? MediaTypes.type(ofFileNamed: document.file.filename),
                content: Array(document.file.content.data)
            )
            submission.documentExpiresAt = now.addingTimeInterval(TimeInterval(document.expiresInDays) * 86_400)
            submission.documentReminderAt =
                document.reminderDays == 0 ? nil : now.addingTimeInterval(TimeInterval(document.reminderDays) * 86_400)
        }
        let (queueID, outcome) = await ingress.submit(submission)
        switch outcome {
        case .accepted:
            self.logger.info(
                "certified mail accepted over the API",
                metadata: ["queue_id": "\(queueID)", "account": "\(caller.account)", "key": "\(caller.keyID)"]
            )
            return .accepted(
                .init(
                    headers: .init(location: "/v1/messages/\(queueID)", idempotentReplayed: false),
                    body: .json(try await self.message(queueID, account: caller.account)!)
                )
            )
        case .rejected(let refusal):
            let problem: APIProblem
            switch refusal.reason {
            case .senderNotRegistered, .senderNotAuthenticated: problem = .senderNotAllowed
            case .insufficientUnits: problem = .insufficientUnits
            case .noRecipients: problem = .noRecipients
            case .messageTooLarge: problem = .tooLarge
            case .noDocument: problem = .invalidRequest
            }
            return Self.sendProblem(problem, refusal.reply.lines.joined(separator: " "), smtpReply: "\(refusal.reply)")
        case .refused(let reply):
            return Self.sendProblem(.unavailable, reply.lines.joined(separator: " "), smtpReply: "\(reply)")
        case .failed(let used as IdempotencyKeyUsed):
            return try await self.replay(used, claim: claim!, caller: caller)
        case .failed(let error):
            self.logger.error("cannot store an API submission", metadata: ["error": "\(error)"])
            return Self.sendProblem(
                .unavailable,
                "the mail could not be stored; nothing was sent or charged, try again"
            )
        }
    }

    /// A call whose key an earlier call took: the same request gets the first answer again.
    private func replay(
        _ used: IdempotencyKeyUsed,
        claim: IdempotencyClaim,
        caller: APICaller
    ) async throws -> Operations.SendMessage.Output {
        guard used.requestSHA256 == claim.requestSHA256 else {
            return Self.sendProblem(
                .idempotencyKeyReused,
                "this Idempotency-Key sent message \(used.messageID) with another request body"
            )
        }
        guard let message = try await self.message(used.messageID, account: caller.account) else {
            return Self.sendProblem(.unavailable, "message \(used.messageID) cannot be read now")
        }
        return .accepted(
            .init(
                headers: .init(location: "/v1/messages/\(used.messageID)", idempotentReplayed: true),
                body: .json(message)
            )
        )
    }

    func getMessage(_ input: Operations.GetMessage.Input) async throws -> Operations.GetMessage.Output {
        guard let caller = APICaller.current else {
            return .unauthorized(.init(body: .applicationProblemJson(APIProblem.unauthorized.body("no API key"))))
        }
        guard QueueID.isValid(input.path.id),
            let message = try await self.message(input.path.id, account: caller.account)
        else {
            return .notFound(
                .init(
                    body: .applicationProblemJson(
                        APIProblem.notFound.body("no message \(input.path.id) of this account")
                    )
                )
            )
        }
        return .ok(.init(body: .json(message)))
    }

    func getMessageEvidencePDF(
        _ input: Operations.GetMessageEvidencePDF.Input
    ) async throws -> Operations.GetMessageEvidencePDF.Output {
        typealias Output = Operations.GetMessageEvidencePDF.Output
        func problem(_ kind: APIProblem, _ detail: String) -> Output {
            let body = Components.Responses.Problem(body: .applicationProblemJson(kind.body(detail)))
            switch kind {
            case .unauthorized: return .unauthorized(body)
            case .notFound: return .notFound(body)
            case .evidenceNotReady: return .conflict(body)
            default: return .serviceUnavailable(body)
            }
        }
        guard let caller = APICaller.current else { return problem(.unauthorized, "no API key") }
        let id = input.path.id
        guard QueueID.isValid(id),
            try await self.threadPool.runIfActive({ try self.database.account(caller.account, owns: id) })
        else { return problem(.notFound, "no message \(id) of this account") }
        guard let log = self.log, let evidencePDF = self.evidencePDF else {
            return problem(.unavailable, "this server writes no evidence PDFs ([evidence] or fonts missing)")
        }
        let records = try await self.threadPool.runIfActive { try log.store.records(queueID: id) }
        guard let last = records.map(\.leafIndex).max() else {
            return problem(.evidenceNotReady, "no record of message \(id) yet")
        }
        // As for the notices: only complete evidence, each record time-stamped (CAdES-T) and inside a
        // time-stamped checkpoint, else the PDF would not verify.
        let complete = try await self.threadPool.runIfActive {
            try log.store.lastStampedCheckpointSize() > last
                && log.store.timestamps(for: records.map(\.evidenceID)).count == records.count
        }
        guard complete else {
            return problem(
                .evidenceNotReady,
                "the newest record waits for its time-stamp or its checkpoint's; try again in a second"
            )
        }
        do {
            let pdf = try await evidencePDF(id)
            return .ok(.init(body: .pdf(HTTPBody(pdf))))
        } catch {
            self.logger.error("cannot draw an evidence PDF", metadata: ["queue_id": "\(id)", "error": "\(error)"])
            return problem(.unavailable, "the evidence PDF cannot be made now: \(error)")
        }
    }

    func getEvidence(_ input: Operations.GetEvidence.Input) async throws -> Operations.GetEvidence.Output {
        typealias Output = Operations.GetEvidence.Output
        func problem(_ kind: APIProblem, _ detail: String) -> Output {
            let body = Components.Responses.Problem(body: .applicationProblemJson(kind.body(detail)))
            switch kind {
            case .unauthorized: return .unauthorized(body)
            case .evidenceNotReady: return .conflict(body)
            default: return .notFound(body)
            }
        }
        guard let caller = APICaller.current else { return problem(.unauthorized, "no API key") }
        let id = input.path.id
        guard let log = self.log, id.utf8.count <= 64,
            let record = try await self.threadPool.runIfActive({ try log.store.record(id: id) }),
            try await self.threadPool.runIfActive({ try self.database.account(caller.account, owns: record.queueID) })
        else { return problem(.notFound, "no evidence \(id) of this account's mail") }
        guard let proven = try await self.threadPool.runIfActive({ try EvidenceProof.make(record, log: log) }) else {
            return problem(.evidenceNotReady, "the record waits for its checkpoint; try again in a second")
        }
        return .ok(.init(body: .json(proven)))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        guard let caller = APICaller.current else {
            return .unauthorized(.init(body: .applicationProblemJson(APIProblem.unauthorized.body("no API key"))))
        }
        let limit = min(max(input.query.limit ?? 50, 1), 500)
        let (account, entries) = try await self.threadPool.runIfActive {
            (
                try self.database.account(named: caller.account),
                try self.database.ledgerPage(of: caller.account, before: input.query.before, limit: limit)
            )
        }
        guard let account else {
            return .unauthorized(
                .init(body: .applicationProblemJson(APIProblem.unauthorized.body("the key's account is gone")))
            )
        }
        return .ok(
            .init(
                body: .json(
                    Components.Schemas.AccountPage(
                        name: account.name,
                        units: account.balance,
                        senders: account.senderAddressList + account.senderDomainList.map { "@" + $0 },
                        ledger: entries.map {
                            .init(
                                id: $0.id,
                                at: $0.at,
                                change: $0.change,
                                balanceAfter: $0.balanceAfter,
                                reason: $0.reason,
                                messageId: $0.queueId
                            )
                        },
                        nextBefore: entries.count == limit ? entries.last?.id : nil
                    )
                )
            )
        )
    }

    /// The message as the API shows it, with its records (`nil`: not this account's certified mail).
    func message(_ id: String, account: String) async throws -> Components.Schemas.Message? {
        try await self.threadPool.runIfActive {
            guard let status = try self.database.certifiedMessageStatus(id: id, account: account) else { return nil }
            let records = try self.log?.store.records(queueID: id) ?? []
            return APIMessageView.make(status, records: records)
        }
    }

    static func sendProblem(
        _ kind: APIProblem,
        _ detail: String,
        smtpReply: String? = nil
    ) -> Operations.SendMessage.Output {
        let body = Components.Responses.Problem(body: .applicationProblemJson(kind.body(detail, smtpReply: smtpReply)))
        switch kind.status {
        case 400: return .badRequest(body)
        case 401: return .unauthorized(body)
        case 402: return .code402(body)
        case 403: return .forbidden(body)
        case 409: return .conflict(body)
        case 413: return .contentTooLarge(body)
        case 415: return .unsupportedMediaType(body)
        case 422: return .unprocessableContent(body)
        default: return .serviceUnavailable(body)
        }
    }
}
