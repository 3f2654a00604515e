//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import MailMessage

/// What a bounce says: an RFC 3464 delivery status report, or the text of a non-standard bounce
/// (qmail, old Exchange, Postfix without DSN) read for a status code.
public struct BounceReport: Hashable, Sendable {
    /// One recipient the report is about.
    public struct Recipient: Hashable, Sendable {
        public var address: String?
        /// `failed`, `delayed`, `delivered`, `relayed`, `expanded`.
        public var action: String
        /// RFC 3463 status, e.g. `5.1.1`.
        public var status: String
        public var diagnostic: String?
        public var remoteMTA: String?

        /// Whether the report says this recipient will never get the message.
        public var isPermanentFailure: Bool {
            self.action == "failed" || (self.action.isEmpty && self.status.hasPrefix("5"))
        }
    }

    public var reportingMTA: String?
    public var recipients: [Recipient]
    /// Whether the report came as `message/delivery-status` (RFC 3464) or was read from text.
    public var isStandard: Bool

    /// Whether any recipient failed for good.
    public var isPermanentFailure: Bool { self.recipients.contains(where: \.isPermanentFailure) }

    /// Reads a bounce; `nil` when it says nothing about a failure or a delay.
    public static func parse(_ content: [UInt8]) -> BounceReport? {
        var options = MessageParser.Options()
        options.capturedTextLimit = 64 * 1024
        let message = MessageParser.parse(content, options: options)
        if let status = message.leaves.first(where: {
            $0.mimeType == "message/delivery-status" || $0.mimeType == "message/global-delivery-status"
        }) {
            let body = Array(content[min(status.bodyStart, content.count)..<min(status.bodyEnd, content.count)])
            return Self.parseDeliveryStatus(body)
        }
        let text =
            message.leaves.first { $0.mimeType == "text/plain" }.map {
                String(decoding: $0.capturedText, as: UTF8.self)
            } ?? ""
        return Self.parseText(text)
    }

    /// RFC 3464 §2: per-message fields, then a group of fields per recipient, separated by blank lines.
    static func parseDeliveryStatus(_ body: [UInt8]) -> BounceReport? {
        let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        var groups: [[String: String]] = []
        for block in text.components(separatedBy: "\n\n") {
            var fields: [String: String] = [:]
            var last: String?
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.first == " " || line.first == "\t", let key = last {
                    fields[key, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
                    continue
                }
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = key
            }
            if !fields.isEmpty { groups.append(fields) }
        }
        guard let first = groups.first else { return nil }
        let perRecipient = groups.filter { $0["final-recipient"] != nil || $0["action"] != nil || $0["status"] != nil }
        guard !perRecipient.isEmpty else { return nil }
        return BounceReport(
            reportingMTA: first["reporting-mta"].map(Self.typedValue),
            recipients: perRecipient.map { fields in
                Recipient(
                    address: (fields["final-recipient"] ?? fields["original-recipient"]).map(Self.typedValue),
                    action: fields["action"]?.lowercased() ?? "",
                    status: fields["status"].map { String($0.prefix { !$0.isWhitespace }) } ?? "",
                    diagnostic: fields["diagnostic-code"].map(Self.typedValue),
                    remoteMTA: fields["remote-mta"].map(Self.typedValue)
                )
            },
            isStandard: true
        )
    }

    /// A bounce in prose: the first line with an RFC 3463 status (`5.1.1`) or a 5xx/4xx reply code.
    static func parseText(_ text: String) -> BounceReport? {
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { " \t():#;,[]".contains($0) })
            if let status = words.first(where: Self.isEnhancedStatus) {
                return Self.textReport(status: String(status), line: String(line), text: text)
            }
            if let code = words.first(where: {
                $0.count == 3 && ($0.hasPrefix("5") || $0.hasPrefix("4")) && Int($0) != nil
            }) {
                return Self.textReport(status: "\(code.first!).0.0", line: String(line), text: text)
            }
        }
        return nil
    }

    private static func textReport(status: String, line: String, text: String) -> BounceReport {
        let address = text.split(whereSeparator: { $0 == "<" || $0 == ">" || $0.isWhitespace }).first {
            $0.contains("@") && !$0.hasPrefix("MAILER-DAEMON")
        }
        return BounceReport(
            reportingMTA: nil,
            recipients: [
                Recipient(
                    address: address.map(String.init),
                    action: status.hasPrefix("5") ? "failed" : "delayed",
                    status: status,
                    diagnostic: line.trimmingCharacters(in: .whitespaces),
                    remoteMTA: nil
                )
            ],
            isStandard: false
        )
    }

    static func isEnhancedStatus(_ word: Substring) -> Bool {
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && ["2", "4", "5"].contains(parts[0])
            && parts[1].count <= 3 && parts[2].count <= 3
            && parts.dropFirst().allSatisfy { !$0.isEmpty && Int($0) != nil }
    }

    /// `rfc822; user@example.org` → `user@example.org`.
    static func typedValue(_ value: String) -> String {
        guard let semicolon = value.firstIndex(of: ";") else { return value }
        return value[value.index(after: semicolon)...].trimmingCharacters(in: .whitespaces)
    }
}
