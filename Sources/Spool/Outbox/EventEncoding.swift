//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import SMTPCore

/// Writes an ``AttestedEvent`` as the JSON its synthesized `Decodable` reads back (the outbox
/// payload), by hand: this runs once per accepted message, and `JSONEncoder` cost six times as much
/// (a profile of the acceptance benchmark showed it at 4 % of all CPU). `OutboxTests` checks that
/// every event kind comes back equal through `JSONDecoder`.
struct EventJSONWriter {
    private(set) var bytes: [UInt8] = []

    /// Whether the writer covers `event` (the hot path's events: a plain acceptance, an outcome, a DSN).
    static func handles(_ event: AttestedEvent) -> Bool {
        switch event {
        case .submissionAccepted(let event): return event.certification == nil
        case .relayOutcome, .noticeQueued: return true
        case .submissionRejected, .trackingFetched, .documentAccess: return false
        }
    }

    init(_ event: AttestedEvent) {
        self.bytes.reserveCapacity(640)
        switch event {
        case .submissionAccepted(let event):
            self.object("submissionAccepted") { $0.submission(event) }
        case .relayOutcome(let event):
            self.object("relayOutcome") { $0.relay(event) }
        case .noticeQueued(let event):
            self.object("noticeQueued") { $0.notice(event) }
        case .submissionRejected, .trackingFetched, .documentAccess:
            preconditionFailure("encoded by JSONEncoder (see handles(_:))")
        }
    }

    /// `{"case":{"_0":{…}}}`, the shape Swift gives an enum case with one unlabelled value.
    private mutating func object(_ name: String, _ body: (inout Self) -> Void) {
        self.raw("{")
        self.key(name)
        self.raw("{")
        self.key("_0")
        self.raw("{")
        body(&self)
        self.raw("}}}")
    }

    private mutating func submission(_ event: SubmissionAccepted) {
        self.field("queueID", event.queueID)
        self.field("receivedAt", event.receivedAt)
        self.field("envelopeSender", event.envelopeSender)
        self.key("recipients", comma: true)
        self.raw("[")
        for (index, recipient) in event.recipients.enumerated() {
            if index > 0 { self.raw(",") }
            self.raw("{")
            self.field("address", recipient.address)
            self.field("kind", recipient.kind.rawValue)
            self.raw("}")
        }
        self.raw("]")
        self.field("messageSHA256", event.messageSHA256)
        self.field("messageSize", event.messageSize)
        self.key("session", comma: true)
        self.raw("{")
        self.field("clientAddress", event.session.clientAddress)
        self.field("heloName", event.session.heloName)
        self.field("listener", event.session.listener)
        self.field("protocolName", event.session.protocolName)
        self.tls(event.session.tls)
        self.field("authenticatedAs", event.session.authenticatedAs)
        self.key("clientInTrustedNetwork", comma: true)
        self.raw(event.session.clientInTrustedNetwork ? "true" : "false")
        self.raw("}")
        if let reception = event.reception { self.reception(reception) }
        if let content = event.content { self.content(content) }
    }

    private mutating func content(_ content: ContentFacts) {
        self.key("content", comma: true)
        self.raw("{")
        self.field("messageID", content.messageID)
        self.field("subject", content.subject)
        self.key("parts", comma: true)
        self.raw("[")
        for (index, part) in content.parts.enumerated() {
            if index > 0 { self.raw(",") }
            self.raw("{")
            self.field("name", part.name)
            self.field("contentType", part.contentType)
            self.field("size", part.size)
            self.field("sha256", part.sha256)
            self.raw("}")
        }
        self.raw("]")
        self.raw("}")
    }

    private mutating func reception(_ reception: ReceptionFacts) {
        self.key("reception", comma: true)
        self.raw("{")
        self.strings("mailboxes", reception.mailboxes)
        self.field("account", reception.account)
        self.field("units", reception.units)
        self.field("headerFrom", reception.headerFrom)
        let authentication = reception.authentication
        self.key("authentication", comma: true)
        self.raw("{")
        self.field("fromDomain", authentication.fromDomain)
        self.field("spf", authentication.spf.rawValue)
        self.field("spfDomain", authentication.spfDomain)
        self.key("dkim", comma: true)
        self.raw("[")
        for (index, check) in authentication.dkim.enumerated() {
            if index > 0 { self.raw(",") }
            self.raw("{")
            self.field("result", check.result.rawValue)
            self.field("domain", check.domain)
            self.raw("}")
        }
        self.raw("]")
        self.field("dmarc", authentication.dmarc.rawValue)
        self.field("dmarcPolicy", authentication.dmarcPolicy)
        self.raw("}}")
    }

    private mutating func strings(_ name: String, _ values: [String]) {
        self.key(name, comma: true)
        self.raw("[")
        for (index, value) in values.enumerated() {
            if index > 0 { self.raw(",") }
            self.string(value)
        }
        self.raw("]")
    }

    private mutating func relay(_ event: RelayOutcome) {
        self.field("queueID", event.queueID)
        self.field("recipient", event.recipient)
        self.field("recipientRowID", event.recipientRowID)
        self.field("result", event.result.rawValue)
        self.field("failureReason", event.failureReason?.rawValue)
        self.key("reply", comma: true)
        self.raw("{")
        self.field("code", event.reply.code)
        self.field("enhancedCode", event.reply.enhancedCode)
        self.field("text", event.reply.text)
        self.raw("}")
        self.field("remoteHost", event.remoteHost)
        self.field("remoteIP", event.remoteIP)
        self.tls(event.tls)
        self.field("attempts", event.attempts)
        self.field("submittedAt", event.submittedAt)
        self.field("finishedAt", event.finishedAt)
        self.field("supersedes", event.supersedes)
    }

    private mutating func notice(_ event: NoticeQueued) {
        self.field("kind", event.kind.rawValue)
        self.field("noticeQueueID", event.noticeQueueID)
        self.field("messageSHA256", event.messageSHA256)
        self.field("messageSize", event.messageSize)
        self.field("aboutQueueID", event.aboutQueueID)
        self.field("aboutSubmittedAt", event.aboutSubmittedAt)
        self.field("noticeRecipient", event.noticeRecipient)
        self.strings("reportedRecipients", event.reportedRecipients)
        self.field("queuedAt", event.queuedAt)
    }

    private mutating func tls(_ tls: TLSFacts?) {
        guard let tls else { return }
        self.key("tls", comma: true)
        self.raw("{")
        self.field("version", tls.version)
        self.key("peerCertificateVerified", comma: true)
        self.raw(tls.peerCertificateVerified ? "true" : "false")
        self.raw("}")
    }

    // MARK: - Values

    private mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }  // absent, as `encodeIfPresent` leaves it
        self.key(name, comma: true)
        self.string(value)
    }

    private mutating func field<Integer: BinaryInteger>(_ name: String, _ value: Integer) {
        self.key(name, comma: true)
        self.raw(String(value))
    }

    /// Milliseconds since 1970, as `.millisecondsSince1970` writes and reads them.
    private mutating func field(_ name: String, _ value: Date) {
        self.key(name, comma: true)
        self.raw((value.timeIntervalSince1970 * 1000).description)
    }

    /// A key, with a comma before it unless it opens its object.
    private mutating func key(_ name: String, comma: Bool = false) {
        if comma, let last = self.bytes.last, last != UInt8(ascii: "{") { self.raw(",") }
        self.string(name)
        self.raw(":")
    }

    private mutating func string(_ text: String) {
        self.bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                self.bytes += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                self.bytes += Array("\\u00".utf8) + [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            default:
                self.bytes.append(byte)
            }
        }
        self.bytes.append(UInt8(ascii: "\""))
    }

    private mutating func raw(_ text: String) {
        self.bytes += text.utf8
    }
}
