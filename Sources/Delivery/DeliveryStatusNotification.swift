//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
import SMTPCore

/// A delivery status notification (RFC 3464): the bounce or delay report sent to a message's sender.
///
/// `multipart/report; report-type=delivery-status` with a human-readable part, the
/// `message/delivery-status` part (one block per recipient), and the original message
/// (`message/rfc822`) or only its headers (`text/rfc822-headers`) when the sender asked RET=HDRS.
public struct DeliveryStatusNotification: Hashable, Sendable {
    /// What happened to one recipient.
    public struct RecipientStatus: Hashable, Sendable {
        public enum Action: String, Hashable, Sendable {
            case failed
            case delayed
        }

        public var address: String
        public var originalRecipient: String?
        public var action: Action
        /// The enhanced status code, e.g. `5.1.1`.
        public var status: String
        public var remoteMTA: String?
        /// The reply as the remote server gave it (or Fefaent's own reason).
        public var diagnostic: String

        public init(
            address: String,
            originalRecipient: String?,
            action: Action,
            status: String,
            remoteMTA: String?,
            diagnostic: String
        ) {
            self.address = address
            self.originalRecipient = originalRecipient
            self.action = action
            self.status = status
            self.remoteMTA = remoteMTA
            self.diagnostic = diagnostic
        }
    }

    public var reportingMTA: String
    public var queueID: String
    public var sender: String
    public var arrivalDate: Date
    public var envelopeID: String?
    public var returnHeadersOnly: Bool
    public var recipients: [RecipientStatus]
    /// The latest signed checkpoint of the evidence log, if evidence is kept: every notice carries
    /// one, so the checkpoints leave the operator's hands.
    public var checkpoint: String? = nil
    /// Set when the original is returned by its headers only because it is larger than the server
    /// returns whole (Postfix's `bounce_size_limit`): its size, for the sentence that says so.
    public var originalTooLargeToReturn: Int? = nil

    public init(
        reportingMTA: String,
        queueID: String,
        sender: String,
        arrivalDate: Date,
        envelopeID: String?,
        returnHeadersOnly: Bool,
        recipients: [RecipientStatus]
    ) {
        self.reportingMTA = reportingMTA
        self.queueID = queueID
        self.sender = sender
        self.arrivalDate = arrivalDate
        self.envelopeID = envelopeID
        self.returnHeadersOnly = returnHeadersOnly
        self.recipients = recipients
    }

    /// The notification as a complete message, CRLF line ends, with `original` (the stored
    /// message) attached whole or by its headers.
    public func render(original: [UInt8], now: Date) -> [UInt8] {
        let boundary = "\(self.queueID).\(Int(now.timeIntervalSince1970))/\(self.reportingMTA)"
        let failed = self.recipients.contains { $0.action == .failed }
        let date = RFC5322Date.format(epochSeconds: Int64(now.timeIntervalSince1970))
        var text = ""
        func line(_ value: String = "") { text += value + "\r\n" }
        line("From: Mail Delivery System <MAILER-DAEMON@\(self.reportingMTA)>")
        line("To: <\(self.sender)>")
        line(failed ? "Subject: Undelivered Mail Returned to Sender" : "Subject: Delayed Mail (still being retried)")
        line("Date: \(date)")
        line("Message-ID: <\(self.queueID).\(Int(now.timeIntervalSince1970))@\(self.reportingMTA)>")
        line("Auto-Submitted: auto-replied")
        line("MIME-Version: 1.0")
        line("Content-Type: multipart/report; report-type=delivery-status;")
        line("\tboundary=\"\(boundary)\"")
        line()
        line("This is a MIME-encapsulated message.")
        line()
        line("--\(boundary)")
        line("Content-Type: text/plain; charset=utf-8")
        line("Content-Transfer-Encoding: 8bit")
        line()
        line("This is the mail system at host \(self.reportingMTA).")
        line()
        if failed {
            line("Your message could not be delivered to one or more recipients.")
            if let size = self.originalTooLargeToReturn {
                line("Its headers are attached below; the message itself (\(size) octets) is too large to return.")
            } else {
                line("It is attached below.")
            }
        } else {
            line("Your message could not be delivered yet. The mail system keeps trying;")
            line("you do not need to send it again.")
        }
        line()
        for recipient in self.recipients {
            line(
                "<\(recipient.address)>: \(recipient.remoteMTA.map { "host \($0) said: " } ?? "")\(recipient.diagnostic)"
            )
        }
        line()
        if let checkpoint = self.checkpoint {
            line("The latest checkpoint of this server's evidence log (keep it: any later log must extend it):")
            line()
            for note in checkpoint.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                line(String(note))
            }
            line()
        }
        line("--\(boundary)")
        line("Content-Type: message/delivery-status")
        line()
        line("Reporting-MTA: dns; \(self.reportingMTA)")
        line("X-Fefaent-Queue-ID: \(self.queueID)")
        if let envelopeID = self.envelopeID { line("Original-Envelope-Id: \(envelopeID)") }
        line("Arrival-Date: \(RFC5322Date.format(epochSeconds: Int64(self.arrivalDate.timeIntervalSince1970)))")
        for recipient in self.recipients {
            line()
            line("Final-Recipient: rfc822; \(recipient.address)")
            if let original = recipient.originalRecipient { line("Original-Recipient: \(original)") }
            line("Action: \(recipient.action.rawValue)")
            line("Status: \(recipient.status)")
            if let remote = recipient.remoteMTA { line("Remote-MTA: dns; \(remote)") }
            line("Diagnostic-Code: smtp; \(recipient.diagnostic)")
            line("Last-Attempt-Date: \(date)")
        }
        line()
        line("--\(boundary)")
        var bytes = Array(text.utf8)
        if self.returnHeadersOnly {
            bytes += Array("Content-Type: text/rfc822-headers\r\n\r\n".utf8)
            bytes += Self.headers(of: original)
        } else {
            bytes += Array("Content-Type: message/rfc822\r\n\r\n".utf8)
            bytes += original
        }
        if bytes.last != UInt8(ascii: "\n") { bytes += Array("\r\n".utf8) }
        bytes += Array("\r\n--\(boundary)--\r\n".utf8)
        return bytes
    }

    /// The header block of a message: everything up to the first empty line.
    static func headers(of message: [UInt8]) -> [UInt8] {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard message.count >= 4 else { return message }
        for index in 0...(message.count - 4) where message[index..<index + 4].elementsEqual(separator) {
            return Array(message[..<(index + 2)])
        }
        return message
    }

    /// Whether a recipient's DSN request asks for this kind of report (RFC 3461 §4.1: without
    /// NOTIFY, failures are reported and delays at the MTA's discretion, which Fefaent does).
    public static func wanted(_ action: RecipientStatus.Action, notify: String?) -> Bool {
        guard let notify else { return true }
        let conditions = notify.uppercased().split(separator: ",")
        switch action {
        case .failed: return conditions.contains("FAILURE")
        case .delayed: return conditions.contains("DELAY")
        }
    }
}
