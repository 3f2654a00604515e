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
            let maker: EvidencePDFMaker
            do {
                maker = EvidencePDFMaker(keys: keys, fonts: try EvidencePDFMaker.fonts(at: self.font))
            } catch let error as ConfigurationError {
                throw CLIError(error.problem)
            }
            let pdf = try await maker.pdf(records: records, log: log, message: message)
            do {
                try Data(pdf).write(to: URL(fileURLWithPath: self.out))
            } catch {
                let folder = (self.out as NSString).deletingLastPathComponent
                throw CLIError(
                    FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder)
                        ? "cannot write \(self.out)" : "cannot write \(self.out): the folder \(folder) does not exist"
                )
            }
            print("\(self.out): \(records.count) event(s), \(pdf.count) bytes, signed and time-stamped")
        }
    }
}
