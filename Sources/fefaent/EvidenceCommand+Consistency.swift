//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Crypto
import Evidence
import FefaentServer
import Foundation

extension EvidenceCommand {
    /// `fefaent evidence consistency OLD [NEW]`: proves that the log extends a checkpoint someone kept.
    struct Consistency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print and check the RFC 9162 consistency proof from a kept checkpoint to a newer one.",
            discussion: """
                OLD and NEW are signed checkpoints (files from `fefaent evidence checkpoint`, a publication \
                folder or a witness); NEW defaults to the log's newest. The proof is computed from the log \
                and then checked against the two signed roots alone, as anyone holding them can.
                """
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The older checkpoint (a signed note file).") var old: String
        @Argument(help: "The newer checkpoint (default: the log's newest).") var new: String?

        func run() async throws {
            let (log, keys) = try openEvidence(self.options.config)
            let key = keys.logKey.publicKey
            func checkpoint(_ path: String) throws -> Evidence.Checkpoint {
                guard let note = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw CLIError("cannot read the checkpoint \(path)")
                }
                do {
                    return try Evidence.Checkpoint(verifying: note, publicKey: key)
                } catch {
                    throw CLIError("\(path): \(error)")
                }
            }
            let old = try checkpoint(self.old)
            let new: Evidence.Checkpoint
            if let path = self.new {
                new = try checkpoint(path)
            } else {
                guard let latest = try log.store.latestCheckpoint() else { throw CLIError("no checkpoint yet") }
                new = try Evidence.Checkpoint(verifying: latest.note, publicKey: key)
            }
            guard old.size <= new.size else {
                throw CLIError("the old checkpoint (size \(old.size)) is newer than the new one (size \(new.size))")
            }
            guard new.size <= log.head.size else {
                print("FAIL the log holds \(log.head.size) records, fewer than the \(new.size) of the new checkpoint")
                throw ExitCode(1)
            }
            let proof = try log.consistencyProof(from: old.size, to: new.size)
            print("old \(old.size) \(Data(old.root).base64EncodedString())")
            print("new \(new.size) \(Data(new.root).base64EncodedString())")
            for hash in proof.hashes { print(Data(hash).base64EncodedString()) }
            guard proof.verify(old: old, new: new) else {
                print("NOT VERIFIED: the new checkpoint does not extend the old one: the log was rewritten")
                throw ExitCode(1)
            }
            print("VERIFIED: the log of \(new.size) records extends the log of \(old.size)")
        }
    }
}
