//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Evidence
import Foundation

/// Draws and signs a message's evidence PDF with the configured keys: `fefaent evidence pdf` and the
/// notices use the same one.
public struct EvidencePDFMaker: Sendable {
    public let keys: EvidenceKeys
    public let fonts: [TrueTypeFont]

    public init(keys: EvidenceKeys, fonts: [TrueTypeFont]) {
        self.keys = keys
        self.fonts = fonts
    }

    /// Reads the TrueType fonts at `paths`; the error names the font that cannot be used.
    public static func fonts(at paths: [String]) throws -> [TrueTypeFont] {
        try paths.map { path -> TrueTypeFont in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(
                    key: "font",
                    "cannot read the font \(path) (Debian: fonts-dejavu-core, fonts-droid-fallback)"
                )
            }
            do {
                return try TrueTypeFont(data: Array(data), name: EvidencePDF.postScriptName(path))
            } catch {
                throw ConfigurationError(key: "font", "\(path): \(error)")
            }
        }
    }

    /// The signed, time-stamped PDF of `records` (one message's), with `message` attached when given.
    public func pdf(records: [StoredRecord], log: EvidenceLog, message: [UInt8]?) async throws -> [UInt8] {
        let document = try EvidencePDF.document(
            records: records,
            log: log,
            message: message,
            trustedRoots: self.keys.trustedRoots,
            caPEM: self.keys.caPEM
        )
        let writer = PDFWriter(
            fonts: self.fonts,
            signer: self.keys.pdfSigner,
            stamper: self.keys.stamper,
            chainCertificates: self.keys.trustedRoots,
            revocationLists: self.keys.revocationLists
        )
        return try await writer.write(document)
    }
}
