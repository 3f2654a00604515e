//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension EvidenceRecord {
    /// The record as canonical JSON (format version 1). Absent optional values are `null`, so every
    /// record of a kind has the same members.
    public var json: CanonicalJSON {
        func optional(_ value: String?) -> CanonicalJSON { value.map(CanonicalJSON.string) ?? .null }
        var members: [String: CanonicalJSON] = [
            "format": .string("fefaent-evidence/1"),
            "kind": .string(self.kind.rawValue),
            "time": .string(self.time.description),
            "timeMs": .integer(self.time.millisecondsSinceEpoch),
            "evidenceId": .string(self.evidenceID),
            "queueId": .string(self.queueID),
            "messageId": optional(self.messageID),
            "sender": .string(self.sender),
            "recipients": .array(self.recipients.map(CanonicalJSON.string)),
            "subject": optional(self.subject),
            "message": .object(["sha256": .string(self.messageSHA256), "size": .integer(self.messageSize)]),
            "attachments": .array(
                self.attachments.map { attachment in
                    .object([
                        "name": optional(attachment.name), "contentType": .string(attachment.contentType),
                        "size": .integer(attachment.size), "sha256": .string(attachment.sha256)
                    ])
                }
            ),
            "supersedes": optional(self.supersedes)
        ]
        switch self.details {
        case .relay(let host, let ip, let tls, let reply):
            members["event"] = .object([
                "type": .string("smtp-relay"), "remoteHost": .string(host), "remoteIp": .string(ip),
                "reply": .string(reply),
                "tls": tls.map { tls in
                    .object([
                        "version": .string(tls.version), "cipher": optional(tls.cipher),
                        "peerVerified": .bool(tls.peerVerified)
                    ])
                } ?? .null
            ])
        case .fetch(let ip, let agent, let classification):
            members["event"] = .object([
                "type": .string("http-fetch"), "clientIp": .string(ip), "userAgent": .string(agent),
                "classification": .string(classification)
            ])
        case .submission(let ip, let user, let reply):
            members["event"] = .object([
                "type": .string("smtp-submission"), "clientIp": .string(ip), "authenticatedAs": optional(user),
                "reply": .string(reply)
            ])
        case .none:
            members["event"] = .null
        }
        return .object(members)
    }

    /// The bytes that are signed and logged.
    public var canonicalBytes: [UInt8] { self.json.canonicalBytes }

    /// Reads a record back from its JSON.
    public init(json: CanonicalJSON) throws(EvidenceProblem) {
        func string(_ value: CanonicalJSON?, _ name: String) throws(EvidenceProblem) -> String {
            guard let text = value?.stringValue else { throw EvidenceProblem("the record has no \(name)") }
            return text
        }
        func optional(_ value: CanonicalJSON?) -> String? { value?.stringValue }
        guard json["format"]?.stringValue == "fefaent-evidence/1" else {
            throw EvidenceProblem("unknown record format")
        }
        guard let kind = Kind(rawValue: try string(json["kind"], "kind")) else {
            throw EvidenceProblem("unknown record kind")
        }
        guard let millis = json["timeMs"]?.integerValue else { throw EvidenceProblem("the record has no time") }
        let message = json["message"]
        var attachments: [Attachment] = []
        for item in json["attachments"]?.arrayValue ?? [] {
            attachments.append(
                Attachment(
                    name: optional(item["name"]),
                    contentType: try string(item["contentType"], "attachment type"),
                    size: item["size"]?.integerValue ?? 0,
                    sha256: try string(item["sha256"], "attachment hash")
                )
            )
        }
        var details = Details.none
        if let event = json["event"], let type = event["type"]?.stringValue {
            switch type {
            case "smtp-relay":
                var tls: TLSDetails? = nil
                if let value = event["tls"], case .object = value {
                    var verified = false
                    if case .bool(let flag) = value["peerVerified"] { verified = flag }
                    tls = TLSDetails(
                        version: try string(value["version"], "TLS version"),
                        cipher: optional(value["cipher"]),
                        peerVerified: verified
                    )
                }
                details = .relay(
                    remoteHost: try string(event["remoteHost"], "remote host"),
                    remoteIP: try string(event["remoteIp"], "remote IP"),
                    tls: tls,
                    reply: try string(event["reply"], "reply")
                )
            case "http-fetch":
                details = .fetch(
                    clientIP: try string(event["clientIp"], "client IP"),
                    userAgent: try string(event["userAgent"], "user agent"),
                    classification: try string(event["classification"], "classification")
                )
            case "smtp-submission":
                details = .submission(
                    clientIP: try string(event["clientIp"], "client IP"),
                    authenticatedAs: optional(event["authenticatedAs"]),
                    reply: try string(event["reply"], "reply")
                )
            default:
                throw EvidenceProblem("unknown event type \(type)")
            }
        }
        self.init(
            kind: kind,
            time: UTCDateTime(millisecondsSinceEpoch: millis),
            evidenceID: try string(json["evidenceId"], "evidence id"),
            queueID: try string(json["queueId"], "queue id"),
            messageID: optional(json["messageId"]),
            sender: try string(json["sender"], "sender"),
            recipients: (json["recipients"]?.arrayValue ?? []).compactMap(\.stringValue),
            subject: optional(json["subject"]),
            messageSHA256: try string(message?["sha256"], "message hash"),
            messageSize: message?["size"]?.integerValue ?? 0,
            attachments: attachments,
            details: details,
            supersedes: optional(json["supersedes"])
        )
    }
}
