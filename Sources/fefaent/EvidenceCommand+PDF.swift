//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Evidence
import FefaentServer
import Foundation
import MailMessage
import Spool
import X509

extension EvidenceCommand {
    /// `fefaent evidence pdf ID --out FILE`.
    struct PDF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the signed evidence PDF of a record (or of all records of a queue id)."
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "An evidence id, or a queue id for the message's whole history.") var id: String
        @Option(help: "The PDF file to write.") var out: String
        @Option(help: "TrueType fonts to draw with, tried in order for each character.")
        var font: [String] = EvidencePDF.defaultFonts

        func run() async throws {
            let (log, keys) = try openEvidence(self.options.config)
            let (records, message) = try evidenceRecords(for: self.id, log: log, configPath: self.options.config)
            let fonts = try self.font.map { path -> TrueTypeFont in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CLIError("cannot read the font \(path) (Debian: fonts-dejavu-core, fonts-droid-fallback)")
                }
                do {
                    return try TrueTypeFont(data: Array(data), name: EvidencePDF.postScriptName(path))
                } catch {
                    throw CLIError("\(path): \(error)")
                }
            }
            let document = try EvidencePDF.document(
                records: records,
                log: log,
                message: message,
                trustedRoots: keys.trustedRoots,
                caPEM: keys.caPEM
            )
            let writer = PDFWriter(
                fonts: fonts,
                signer: keys.pdfSigner,
                stamper: keys.stamper,
                chainCertificates: keys.trustedRoots,
                revocationLists: keys.revocationLists
            )
            let pdf = try await writer.write(document)
            do {
                try Data(pdf).write(to: URL(fileURLWithPath: self.out))
            } catch {
                let folder = (self.out as NSString).deletingLastPathComponent
                throw CLIError(
                    FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder)
                        ? "cannot write \(self.out)" : "cannot write \(self.out): the folder \(folder) does not exist"
                )
            }
            print(
                "\(self.out): \(records.count) event(s), \(document.attachments.count) attached file(s), \(pdf.count) bytes, signed and time-stamped"
            )
        }
    }
}
