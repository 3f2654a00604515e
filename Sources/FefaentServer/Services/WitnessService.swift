//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Evidence
public import Foundation
public import Logging
public import ServiceLifecycle
public import Spool
import Synchronization

/// Sends every new checkpoint to the configured witnesses (`[evidence] witnesses`), as the C2SP
/// tlog-witness protocol has it: `POST <url>/add-checkpoint` with `old <size>`, the consistency proof
/// from the size the witness last cosigned, and the signed note; the witness checks the proof, so it
/// cosigns only a log that extends what it saw before. A `409` tells the size the witness knows (the
/// next try proves consistency from there); a witness that knows more records than the log has is an
/// alarm: the log lost records. Failures are retried with backoff (up to 5 minutes), logged, and kept
/// with each witness's state in the queue database (`fefaent evidence checkpoint --status`).
public final class WitnessService: Service, Sendable {
    let urls: [String]
    let log: EvidenceLog
    let database: SpoolDatabase
    let interval: Duration
    let logger: Logger
    /// Per witness: failures in a row, and when to try again.
    private let backoff = Mutex<[String: (failures: Int, next: Date)]>([:])

    public init(urls: [String], log: EvidenceLog, database: SpoolDatabase, interval: Duration, logger: Logger) {
        self.urls = urls
        self.log = log
        self.database = database
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await self.round()
            try? await cancelWhenGracefulShutdown {
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Sends the newest checkpoint to every witness that has not cosigned it and is due.
    public func round(now: Date = Date()) async {
        let latest: StoredCheckpoint
        let known: [String: WitnessState]
        do {
            guard let newest = try self.log.store.latestCheckpoint() else { return }
            latest = newest
            known = Dictionary(uniqueKeysWithValues: try self.database.witnessStates().map { ($0.url, $0) })
        } catch {
            self.logger.error("cannot read the checkpoint for the witnesses", metadata: ["error": "\(error)"])
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for url in self.urls {
                let state = known[url] ?? WitnessState(url: url)
                let due = self.backoff.withLock { $0[url].map { $0.next <= now } ?? true }
                guard state.acknowledgedSize < latest.size, due else { continue }
                group.addTask { await self.send(latest, to: state, now: now) }
            }
        }
    }

    func send(_ checkpoint: StoredCheckpoint, to witness: WitnessState, now: Date) async {
        var state = witness
        state.lastAttemptAt = now
        do {
            let (status, body) = try await self.post(checkpoint, to: witness)
            switch status {
            case 200:
                state.acknowledgedSize = checkpoint.size
                state.cosignature = body
                state.acknowledgedAt = now
                state.lastError = nil
                self.logger.info(
                    "checkpoint witnessed",
                    metadata: ["witness": "\(witness.url)", "size": "\(checkpoint.size)"]
                )
            case 409:
                let size = Int(body.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                if size > checkpoint.size {
                    self.logger.critical(
                        "a witness has seen more records than the evidence log holds: records were lost",
                        metadata: ["witness": "\(witness.url)", "witnessed": "\(size)", "log": "\(checkpoint.size)"]
                    )
                    state.lastError = "the witness has seen \(size) records, the log has \(checkpoint.size)"
                } else if size >= 0 {
                    state.acknowledgedSize = size  // prove consistency from what it knows, next time
                    state.lastError = "the witness knew size \(size), not \(witness.acknowledgedSize)"
                } else {
                    state.lastError = "HTTP 409 without a size"
                }
            default:
                state.lastError = "HTTP \(status): \(body.prefix(200))"
            }
        } catch {
            state.lastError = "\(error)"
        }
        self.backoff.withLock { backoff in
            if state.lastError == nil || state.acknowledgedSize != witness.acknowledgedSize {
                backoff[witness.url] = nil
            } else {
                let failures = (backoff[witness.url]?.failures ?? 0) + 1
                backoff[witness.url] = (failures, now.addingTimeInterval(min(300, pow(2, Double(failures)))))
            }
        }
        if let error = state.lastError {
            self.logger.warning("witness did not cosign", metadata: ["witness": "\(witness.url)", "error": "\(error)"])
        }
        do {
            try self.database.saveWitnessState(state)
        } catch {
            self.logger.error("cannot record a witness's state", metadata: ["error": "\(error)"])
        }
    }

    /// One `add-checkpoint` request; returns the status and the body.
    func post(_ checkpoint: StoredCheckpoint, to witness: WitnessState) async throws -> (Int, String) {
        let proof = try self.log.consistencyProof(from: witness.acknowledgedSize, to: checkpoint.size)
        var body = "old \(witness.acknowledgedSize)\n"
        for hash in proof.hashes { body += Data(hash).base64EncodedString() + "\n" }
        body += "\n" + checkpoint.note
        let base = witness.url.hasSuffix("/") ? String(witness.url.dropLast()) : witness.url
        let answer = try await HTTPPost.send(
            Array(body.utf8),
            to: base + "/add-checkpoint",
            contentType: "text/plain; charset=utf-8",
            timeout: .seconds(10)
        )
        return (answer.status, String(decoding: answer.body, as: UTF8.self))
    }
}
