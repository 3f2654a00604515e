//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Evidence
import Foundation
import ZIPFoundation

/// An exported evidence folder uploaded as a zip (`zip -r evidence.zip FOLDER`), read in memory into
/// the bundle's files: the folder's own name (one top-level folder) is taken off the paths, anything
/// but the bundle's files is left out, and the archive may not expand beyond ``largestExpanded``
/// octets or ``largestEntries`` entries (a zip bomb gets an error, not the server's memory).
enum EvidenceZip {
    static let largestExpanded = 200 * 1024 * 1024
    static let largestEntries = 20_000

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether `bytes` start as a zip archive does.
    static func isZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    static func files(from bytes: [UInt8]) throws -> [String: [UInt8]] {
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw Problem(description: "not a zip archive this page can read")
        }
        var entries: [(path: String, entry: Entry)] = []
        var declared: UInt64 = 0
        for entry in archive where entry.type == .file {
            entries.append((entry.path, entry))
            declared += entry.uncompressedSize
            guard entries.count <= Self.largestEntries, declared <= UInt64(Self.largestExpanded) else {
                throw Problem(description: "the archive expands to more than an evidence folder can hold")
            }
        }
        // `FOLDER/records/…`: the folder's name goes when every path starts with it.
        let firstComponents = Set(entries.map { $0.path.split(separator: "/").first.map(String.init) ?? "" })
        let prefix =
            firstComponents.count == 1 && !entries.contains(where: { !$0.path.contains("/") })
            ? firstComponents.first! + "/" : ""
        var files: [String: [UInt8]] = [:]
        var expanded = 0
        for (path, entry) in entries {
            let relative = String(path.dropFirst(prefix.count))
            let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
            let wanted =
                (parts.count == 1 && EvidenceBundle.topLevelNames.contains(relative))
                || (parts.count == 2 && parts[0] == "records" && !parts[1].isEmpty)
            guard wanted else { continue }
            var data: [UInt8] = []
            do {
                _ = try archive.extract(entry) { chunk in
                    expanded += chunk.count
                    guard expanded <= Self.largestExpanded else {
                        throw Problem(description: "the archive is too large")
                    }
                    data += chunk
                }
            } catch let problem as Problem {
                throw problem
            } catch {
                throw Problem(description: "\(relative) cannot be read from the archive")
            }
            files[relative] = data
        }
        guard !files.isEmpty else { throw Problem(description: "the archive holds no evidence folder") }
        return files
    }
}
