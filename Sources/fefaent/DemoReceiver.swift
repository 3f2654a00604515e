//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import FefaentServer
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SMTPCore
import SMTPNIO

/// The recipient's mail server in the demo: an SMTP listener on loopback that keeps what it gets in memory.
final class DemoReceiver: SMTPMessageSink {
    let received = NIOLockedValueBox<[(Envelope, String)]>([])
    private let counter = NIOLockedValueBox(0)

    func makeQueueID() -> String {
        self.counter.withLockedValue {
            $0 += 1
            return "RCV\($0)"
        }
    }

    func beginMessage(queueID: String, header: ByteBuffer) throws -> any SMTPMessageWriter {
        Writer(receiver: self, bytes: header)
    }

    func authenticate(_ credentials: SASLDecoding.Credentials, completion: @escaping @Sendable (String?) -> Void) {
        completion(nil)
    }

    /// Starts listening for mail to `mailboxes` on a free loopback port.
    func start(mailboxes: Set<String>, group: any EventLoopGroup) async throws -> (SMTPServer, Int) {
        let server = SMTPServer(
            configuration: SMTPListenerConfiguration(
                name: "recipient-mx",
                host: "127.0.0.1",
                port: 0,
                kind: .mx,
                session: ServerSessionConfiguration(
                    hostname: "mx.example.test",
                    policy: IngressPolicy(
                        certifierAddresses: [],
                        receptionMailboxes: mailboxes,
                        // Unknown local parts of these domains get "user unknown", as a real MX says.
                        systemDomains: Set(mailboxes.compactMap { $0.split(separator: "@").last.map(String.init) })
                    )
                ),
                tls: nil
            ),
            sink: self,
            group: group,
            logger: Logger(label: "demo.receiver")
        )
        let address = try await server.start()
        return (server, address.port ?? 0)
    }

    final class Writer: SMTPMessageWriter {
        let receiver: DemoReceiver
        var bytes: ByteBuffer

        init(receiver: DemoReceiver, bytes: ByteBuffer) {
            self.receiver = receiver
            self.bytes = bytes
        }

        func append(_ bytes: ByteBuffer) throws {
            var bytes = bytes
            self.bytes.writeBuffer(&bytes)
        }

        func commit(
            envelope: Envelope,
            session: SMTPSessionInfo,
            completion: @escaping @Sendable (Result<Void, any Error>) -> Void
        ) {
            let text = String(buffer: self.bytes)
            self.receiver.received.withLockedValue { $0.append((envelope, text)) }
            completion(.success(()))
        }

        func abort() {}
    }
}
