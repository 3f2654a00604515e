//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import Logging
import Synchronization

/// Writes one line per event to standard error: `time level label: key=value … message`. Every
/// value, the message included, goes through ``DisplaySafe``: a value from the network (a HELO
/// name, a user agent, an address) cannot start a line of its own or hide as a control sequence,
/// so each line of the log is one event Fefaent wrote.
public struct FefaentLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = FefaentLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let metadata = event.metadata { merged.merge(metadata) { $1 } }
        self.write(
            Self.line(
                time: Date(),
                level: event.level,
                label: self.label,
                metadata: merged,
                message: "\(event.message)"
            )
        )
    }

    /// The line for one event (without the time when `time` is nil), newline included.
    public static func line(
        time: Date?,
        level: Logger.Level,
        label: String,
        metadata: Logger.Metadata,
        message: String
    ) -> String {
        var line = ""
        if let time { line += Self.timestamp(time) + " " }
        line += "\(level) \(DisplaySafe.escape(label)):"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(DisplaySafe.escape(key))=\(Self.render(value))"
        }
        line += " " + DisplaySafe.escape(message) + "\n"
        return line
    }

    static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return Self.quoted(text)
        case .stringConvertible(let convertible): return Self.quoted(convertible.description)
        case .array(let values): return "[" + values.map(Self.render).joined(separator: ",") + "]"
        case .dictionary(let values):
            return "{"
                + values.sorted { $0.key < $1.key }.map { "\(DisplaySafe.escape($0.key))=\(Self.render($0.value))" }
                .joined(separator: ",") + "}"
        }
    }

    /// Escaped; quoted when it has spaces, quotes or is empty, so `key=value` pairs stay apart.
    static func quoted(_ text: String) -> String {
        let escaped = DisplaySafe.escape(text)
        guard escaped.isEmpty || escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else {
            return escaped
        }
        return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Standard error, one `write(2)` per line (lines of concurrent events never interleave).
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    guard errno == EINTR else { return }
                    continue
                }
                offset += written
            }
        }
    }
}
