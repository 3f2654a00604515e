//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Certification
import Foundation
import HummingbirdBcrypt
import Logging
import Metrics
import NIOCore
import NIOPosix
import SMTPCore
import SMTPNIO
import Spool

/// Connects the SMTP listeners to the spool and to the account table.
struct SpoolMessageSink: SMTPMessageSink {
    let spool: Spool
    let threadPool: NIOThreadPool
    let logger: Logger
    /// bcrypt's own threads: a burst of AUTH attempts never holds up the spool's file reads or DNS.
    let authenticationPool: NIOThreadPool
    /// What an unknown user's password is checked against, at the configured cost, so that the
    /// time of an answer does not tell a known name from an unknown one.
    let decoyHash: String
    /// Takes mail to the certifier and bounces of certified copies (when certification is configured).
    var certification: CertificationIngress? = nil
    /// Takes mail to reception mailboxes.
    var reception: ReceptionIngress? = nil

    func makeQueueID() -> String {
        QueueID.make()
    }

    func beginMessage(queueID: String, header: ByteBuffer) throws -> any SMTPMessageWriter {
        SpoolMessageWriter(
            message: self.spool.beginMessage(queueID: queueID, header: header),
            spool: self.spool,
            certification: self.certification,
            reception: self.reception,
            logger: self.logger
        )
    }

    /// bcrypt is slow on purpose: it runs on the blocking pool, never on an event loop.
    func authenticate(_ credentials: SASLDecoding.Credentials, completion: @escaping @Sendable (String?) -> Void) {
        let database = self.spool.database
        let logger = self.logger
        let decoy = self.decoyHash
        self.authenticationPool.submit { state in
            guard case .active = state else { return completion(nil) }
            do {
                guard let account = try database.account(named: credentials.username) else {
                    // Spend the same time as for a real account, so timing does not tell names apart.
                    _ = Bcrypt.verify(credentials.password, hash: decoy)
                    return completion(nil)
                }
                completion(Bcrypt.verify(credentials.password, hash: account.passwordHash) ? account.name : nil)
            } catch {
                logger.error("account lookup failed", metadata: ["error": "\(error)"])
                completion(nil)
            }
        }
    }
}

/// Streams one message into the spool.
final class SpoolMessageWriter: SMTPMessageWriter {
    private var message: IncomingMessage?
    private let spool: Spool
    private let certification: CertificationIngress?
    private let reception: ReceptionIngress?
    private let logger: Logger

    init(
        message: IncomingMessage,
        spool: Spool,
        certification: CertificationIngress?,
        reception: ReceptionIngress?,
        logger: Logger
    ) {
        self.message = message
        self.spool = spool
        self.certification = certification
        self.reception = reception
        self.logger = logger
    }

    func append(_ bytes: ByteBuffer) throws {
        try self.message!.append(bytes)
    }

    func commit(
        envelope: Envelope,
        session: SMTPSessionInfo,
        completion: @escaping @Sendable (Result<Void, any Error>) -> Void
    ) {
        guard let message = self.message.take() else {
            preconditionFailure("message committed twice")
        }
        let sealed: SealedMessage
        do {
            sealed = try message.seal()
        } catch {
            return completion(.failure(error))
        }
        if let refusal = StructureRefusal(sealed.parsed, limits: self.spool.parserOptions) {
            // Postfix's mime_nesting_limit and header_size_limit: refused before any check reads it.
            sealed.refuse()
            self.logger.notice(
                "message refused",
                metadata: [
                    "queue_id": "\(sealed.queueID)", "client": "\(session.clientAddress)",
                    "why": "\(refusal.reason.rawValue)"
                ]
            )
            Counter(label: "fefaent_messages_refused_total", dimensions: [("why", refusal.reason.rawValue)]).increment()
            return completion(.failure(SMTPMessageRefusal(refusal.reply)))
        }
        let metadata = ReceptionMetadata(
            receivedAt: Date(),
            clientAddress: session.clientAddress,
            listener: session.listener,
            tls: session.tls,
            clientIsTrusted: session.clientIsTrusted
        )
        let reply: @Sendable (IngressOutcome) -> Void = { outcome in
            switch outcome {
            case .accepted: completion(.success(()))
            case .refused(let reply): completion(.failure(SMTPMessageRefusal(reply)))
            case .rejected(let refusal): completion(.failure(SMTPMessageRefusal(refusal.reply)))
            case .failed(let error): completion(.failure(error))
            }
        }
        if let certification = self.certification, certification.handles(envelope) {
            return certification.commit(sealed, envelope: envelope, metadata: metadata, completion: reply)
        }
        if let reception = self.reception, reception.handles(envelope) {
            return reception.commit(sealed, envelope: envelope, metadata: metadata, completion: reply)
        }
        self.spool.commit(sealed, envelope: envelope, metadata: metadata) { result in
            if case .success = result { Counter(label: "fefaent_accepted_total").increment() }
            completion(result)
        }
    }

    func abort() {
        self.message.take()?.abort()
    }
}
