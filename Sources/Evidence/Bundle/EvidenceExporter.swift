//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation

/// Writes a message's ``EvidenceBundle`` to a new (or empty) folder, for offline verification with
/// `openssl` and `fefaent evidence verify`.
public struct EvidenceExporter: Sendable {
    public let log: EvidenceLog
    public let caPEM: String

    public init(log: EvidenceLog, caPEM: String) {
        self.log = log
        self.caPEM = caPEM
    }

    /// Exports `records` (every record of the message), which a checkpoint must cover. Refuses a
    /// folder that already holds files: a bundle mixed with another's files would not verify, and
    /// would say so in confusing ways.
    public func export(records: [StoredRecord], message: [UInt8]?, to directory: String) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw EvidenceProblem("\(directory) exists and is not a folder") }
            guard (try manager.contentsOfDirectory(atPath: directory)).isEmpty else {
                throw EvidenceProblem("\(directory) is not empty: export into a new or empty folder")
            }
        }
        let bundle = try EvidenceBundle.make(log: self.log, records: records, message: message, caPEM: self.caPEM)
        do {
            try manager.createDirectory(atPath: directory + "/records", withIntermediateDirectories: true)
            for file in bundle.files {
                try Data(file.data).write(to: URL(fileURLWithPath: directory + "/" + file.path))
            }
        } catch {
            throw EvidenceProblem("cannot write to \(directory): \(Self.reason(error))")
        }
    }

    /// A file-system error in a few words (Foundation's own text names its internals).
    static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }

    static func readme(ids: [String]) -> String {
        let id = ids.first ?? "ID"
        return """
            Fefaent evidence, self-contained. Verify it offline with public tools:

            # The record's signature (CMS, detached, over the canonical JSON):
            openssl cms -verify -binary -inform DER -in records/\(id).p7s -content records/\(id).json \\
                -CAfile ca.pem -purpose any -out /dev/null
            # Its RFC 3161 time-stamp (over the signature value, CAdES-T):
            openssl ts -verify -token_in -in records/\(id).tsr -data records/\(id).sig -CAfile ca.pem
            # The checkpoint's time-stamp:
            openssl ts -verify -token_in -in checkpoint.tsr -data checkpoint.txt -CAfile ca.pem
            # The manifest (every record of the message; none may be missing):
            openssl cms -verify -binary -inform DER -in manifest.p7s -content manifest.json \\
                -CAfile ca.pem -purpose any -out /dev/null
            # Everything at once, with the inclusion proofs against checkpoint.txt (signed with log.vkey):
            fefaent evidence verify . --ca ca.pem

            Use your own copy of the CA certificate, not the one in this folder, if you can.

            """
    }
}
