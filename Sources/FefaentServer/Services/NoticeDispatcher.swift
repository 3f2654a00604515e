//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Certification
import Evidence
import Foundation
import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Spool

/// Runs the ``NoticeService`` until the daemon stops: after each evidence checkpoint (it polls at
/// the checkpoint interval), the records it covers get their notices.
public struct NoticeDispatcher: Service {
    public let notices: NoticeService
    let interval: TimeAmount
    let logger: Logger
    /// The longest notices wait for certified copies to be delivered first.
    static let maximumDeferral = Duration.seconds(5)

    public func run() async throws {
        // Notices (PDFs above all) lag behind acceptance and delivery under load, never the reverse.
        let executor = BackgroundExecutor(threads: System.coreCount)
        defer { Task { try? await executor.shutdown() } }
        var waitingSince: ContinuousClock.Instant? = nil
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Copies first: while certified copies wait for delivery or are being sent, notices wait (at most
            // `maximumDeferral`, so a steady stream of mail never starves them).
            let copiesDue = (try? self.notices.spool.database.certifiedCopiesPending()) ?? false
            let now = ContinuousClock.now
            if copiesDue, now - (waitingSince ?? now) < Self.maximumDeferral {
                waitingSince = waitingSince ?? now
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            waitingSince = nil
            do {
                try await withTaskExecutorPreference(executor) {
                    while try await self.notices.sendPending(concurrency: System.coreCount * 2) > 0 {}
                    try await self.notices.sendOwnerAlerts()
                    try await self.notices.sweepOpenum()
                }
            } catch {
                self.logger.error("cannot send notices", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .nanoseconds(self.interval.nanoseconds))
            }
        }
    }
}

extension FefaentDaemon {
    /// The notices of certified mail, with the evidence PDF `makePDF` draws and signs.
    static func makeNoticeDispatcher(
        settings: CertificationSettings,
        evidence: EvidenceService,
        configuration: FefaentConfiguration.Evidence,
        makePDF: (@Sendable (String) async throws -> [UInt8])?,
        spool: Spool,
        logger: Logger
    ) -> NoticeDispatcher {
        NoticeDispatcher(
            notices: NoticeService(
                settings: settings,
                spool: spool,
                log: evidence.log,
                makePDF: makePDF,
                logger: logger
            ),
            interval: .milliseconds(Int64(max(50, configuration.checkpointIntervalMilliseconds / 2))),
            logger: logger
        )
    }
}

extension FefaentDaemon {
    /// Draws and signs a message's evidence PDF (the mail embedded while the spool still has it), for
    /// the notices and the API; `nil` without fonts to draw with.
    static func makeEvidencePDF(
        evidence: EvidenceService,
        configuration: FefaentConfiguration.Evidence,
        spool: Spool,
        logger: Logger
    ) throws -> (@Sendable (String) async throws -> [UInt8])? {
        let fonts = EvidencePDF.defaultFonts.compactMap { try? EvidencePDFMaker.fonts(at: [$0]).first }
        guard !fonts.isEmpty else {
            logger.error(
                "no fonts to draw evidence PDFs: certificates go out without them (Debian: apt-get install fonts-dejavu-core)",
                metadata: ["fonts": "\(EvidencePDF.defaultFonts.joined(separator: ":"))"]
            )
            return nil
        }
        let maker = EvidencePDFMaker(keys: try EvidenceKeys(configuration), fonts: fonts)
        let log = evidence.log
        return { queueID in
            var message: [UInt8]? = nil
            if let queued = try spool.database.message(id: queueID) {
                // The message as submitted (after the Received field Fefaent added), read once.
                let reader = spool.reader(of: queued, threadPool: .singleton)
                message = try reader.bytes(in: queued.headerLength..<reader.size)
            }
            // Only records whose evidence is complete (time-stamped, inside a time-stamped checkpoint),
            // as the caller checked: a record of the message written since, not yet stamped, would
            // make the PDF fail to verify. It goes into the next PDF.
            let records = try log.store.records(queueID: queueID)
            let covered = try log.store.completeSize(from: records.first?.leafIndex ?? 0)
            return try await maker.pdf(records: records.filter { $0.leafIndex < covered }, log: log, message: message)
        }
    }
}
