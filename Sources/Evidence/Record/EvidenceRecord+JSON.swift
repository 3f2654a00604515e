//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension EvidenceRecord {
    /// The record as canonical JSON (format version 2). Absent optional values are `null`, so every
    /// record of a kind has the same members.
    public var json: CanonicalJSON {
        func optional(_ value: String?) -> CanonicalJSON { value.map(CanonicalJSON.string) ?? .null }
        var members: [String: CanonicalJSON] = [
            "format": .string("fefaent-evidence/2"),
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
            "supersedes": optional(self.supersedes),
            "submissionTime": optional(self.submissionTime?.description),
            "submissionTimeMs": self.submissionTime.map { .integer($0.millisecondsSinceEpoch) } ?? .null,
            "reason": optional(self.reason?.rawValue),
            "etsiReason": optional(self.reason?.etsiFailure),
            "digestAlgorithm": .string(Self.digestAlgorithm),
            "issuer": self.issuer.map { issuer in
                .object([
                    "name": .string(issuer.name), "policyId": .string(issuer.policyID),
                    "policyUrl": optional(issuer.policyURL)
                ])
            } ?? .null,
            "senderAuthentication": self.senderAuthentication.map { authentication in
                var identity: String? = nil
                switch authentication {
                case .smtpAuth(let name), .apiKey(let name), .dkim(let name), .spf(let name): identity = name
                case .trustedNetwork, .none: break
                }
                return .object(["method": .string(authentication.method), "identity": optional(identity)])
            } ?? .null,
            "certification": self.certification.map { certification in
                var fields: [String: CanonicalJSON] = [
                    "account": .string(certification.account), "mode": .string(certification.mode),
                    "certifier": .string(certification.certifier), "invoice": .bool(certification.invoice),
                    "invoiceFiles": .array(
                        certification.invoiceFiles.map { file in
                            .object([
                                "name": .string(file.name), "format": .string(file.format),
                                "sha256": .string(file.sha256)
                            ])
                        }
                    ),
                    "certifiedRecipients": .array(certification.certifiedRecipients.map(CanonicalJSON.string)),
                    "units": .integer(Int64(certification.units))
                ]
                if let document = certification.document {
                    fields["document"] = .object([
                        "name": .string(document.name), "contentType": .string(document.contentType),
                        "size": .integer(document.size), "sha256": .string(document.sha256),
                        "expiresAt": .string(document.expiresAt.description),
                        "expiresAtMs": .integer(document.expiresAt.millisecondsSinceEpoch)
                    ])
                }
                return .object(fields)
            } ?? .null,
            "reception": self.reception.map { reception in
                func check(_ check: Reception.Check) -> CanonicalJSON {
                    .object(["result": .string(check.result), "domain": optional(check.domain)])
                }
                return .object([
                    "mailboxes": .array(reception.mailboxes.map(CanonicalJSON.string)),
                    "account": optional(reception.account), "units": .integer(Int64(reception.units)),
                    "headerFrom": optional(reception.headerFrom), "fromDomain": .string(reception.fromDomain),
                    "spf": check(reception.spf), "dkim": .array(reception.dkim.map(check)),
                    "dmarc": check(reception.dmarc), "dmarcPolicy": optional(reception.dmarcPolicy)
                ])
            } ?? .null
        ]
        func tlsJSON(_ tls: TLSDetails?) -> CanonicalJSON {
            tls.map { tls in
                .object([
                    "version": .string(tls.version), "cipher": optional(tls.cipher),
                    "peerVerified": .bool(tls.peerVerified)
                ])
            } ?? .null
        }
        switch self.details {
        case .relay(let host, let ip, let tls, let reply):
            members["event"] = .object([
                "type": .string("smtp-relay"), "remoteHost": .string(host), "remoteIp": .string(ip),
                "reply": .string(reply), "tls": tlsJSON(tls)
            ])
        case .fetch(let ip, let agent, let classification, let prefetch):
            members["event"] = .object([
                "type": .string("http-fetch"), "clientIp": .string(ip), "userAgent": .string(agent),
                "classification": .string(classification), "likelyPrefetch": .bool(prefetch)
            ])
        case .submission(let ip, let helo, let user, let tls, let reply):
            members["event"] = .object([
                "type": .string("smtp-submission"), "clientIp": .string(ip), "helo": .string(helo),
                "authenticatedAs": optional(user), "tls": tlsJSON(tls), "reply": .string(reply)
            ])
        case .notice(let kind, let about, let reported):
            members["event"] = .object([
                "type": .string("notice"), "notice": .string(kind), "aboutQueueId": .string(about),
                "reportedRecipients": .array(reported.map(CanonicalJSON.string))
            ])
        case .incident(let anchoredSize, let anchoredRoot, let foundSize, let foundRoot, let statement):
            members["event"] = .object([
                "type": .string("log-incident"), "anchoredSize": .integer(Int64(anchoredSize)),
                "anchoredRoot": .string(anchoredRoot), "foundSize": .integer(Int64(foundSize)),
                "foundRoot": .string(foundRoot), "statement": .string(statement)
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
        guard let format = json["format"]?.stringValue, ["fefaent-evidence/1", "fefaent-evidence/2"].contains(format)
        else {
            throw EvidenceProblem("unknown record format")
        }
        func tls(_ value: CanonicalJSON?) throws(EvidenceProblem) -> TLSDetails? {
            guard let value, case .object = value else { return nil }
            var verified = false
            if case .bool(let flag) = value["peerVerified"] { verified = flag }
            return TLSDetails(
                version: try string(value["version"], "TLS version"),
                cipher: optional(value["cipher"]),
                peerVerified: verified
            )
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
                details = .relay(
                    remoteHost: try string(event["remoteHost"], "remote host"),
                    remoteIP: try string(event["remoteIp"], "remote IP"),
                    tls: try tls(event["tls"]),
                    reply: try string(event["reply"], "reply")
                )
            case "http-fetch":
                details = .fetch(
                    clientIP: try string(event["clientIp"], "client IP"),
                    userAgent: try string(event["userAgent"], "user agent"),
                    classification: try string(event["classification"], "classification"),
                    likelyPrefetch: event["likelyPrefetch"] == .bool(true)
                )
            case "smtp-submission":
                details = .submission(
                    clientIP: try string(event["clientIp"], "client IP"),
                    heloName: optional(event["helo"]) ?? "",
                    authenticatedAs: optional(event["authenticatedAs"]),
                    tls: try tls(event["tls"]),
                    reply: try string(event["reply"], "reply")
                )
            case "notice":
                details = .notice(
                    kind: try string(event["notice"], "notice kind"),
                    aboutQueueID: try string(event["aboutQueueId"], "queue id of the message"),
                    reportedRecipients: (event["reportedRecipients"]?.arrayValue ?? []).compactMap(\.stringValue)
                )
            case "log-incident":
                details = .incident(
                    anchoredSize: Int(event["anchoredSize"]?.integerValue ?? 0),
                    anchoredRoot: optional(event["anchoredRoot"]) ?? "",
                    foundSize: Int(event["foundSize"]?.integerValue ?? 0),
                    foundRoot: optional(event["foundRoot"]) ?? "",
                    statement: try string(event["statement"], "statement")
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
            supersedes: optional(json["supersedes"]),
            submissionTime: json["submissionTimeMs"]?.integerValue.map(UTCDateTime.init(millisecondsSinceEpoch:)),
            reason: optional(json["reason"]).flatMap(Reason.init(rawValue:)),
            issuer: try json["issuer"]?["name"].map { _ throws(EvidenceProblem) in
                Issuer(
                    name: try string(json["issuer"]?["name"], "issuer name"),
                    policyID: try string(json["issuer"]?["policyId"], "issuer policy"),
                    policyURL: optional(json["issuer"]?["policyUrl"])
                )
            },
            senderAuthentication: json["senderAuthentication"]?["method"]?.stringValue.flatMap { method in
                switch method {
                case "smtp-auth":
                    return .smtpAuth(identity: json["senderAuthentication"]?["identity"]?.stringValue ?? "")
                case "api-key": return .apiKey(identity: json["senderAuthentication"]?["identity"]?.stringValue ?? "")
                case "trusted-network": return .trustedNetwork
                case "dkim": return .dkim(domain: json["senderAuthentication"]?["identity"]?.stringValue ?? "")
                case "spf": return .spf(domain: json["senderAuthentication"]?["identity"]?.stringValue ?? "")
                case "none": return SenderAuthentication.none
                default: return nil
                }
            },
            certification: Self.certification(json["certification"]),
            reception: Self.reception(json["reception"])
        )
    }

    private static func reception(_ json: CanonicalJSON?) -> Reception? {
        guard let json, let mailboxes = json["mailboxes"]?.arrayValue else { return nil }
        func check(_ json: CanonicalJSON?) -> Reception.Check {
            Reception.Check(result: json?["result"]?.stringValue ?? "", domain: json?["domain"]?.stringValue)
        }
        return Reception(
            mailboxes: mailboxes.compactMap(\.stringValue),
            account: json["account"]?.stringValue,
            units: Int(json["units"]?.integerValue ?? 0),
            headerFrom: json["headerFrom"]?.stringValue,
            fromDomain: json["fromDomain"]?.stringValue ?? "",
            spf: check(json["spf"]),
            dkim: (json["dkim"]?.arrayValue ?? []).map(check),
            dmarc: check(json["dmarc"]),
            dmarcPolicy: json["dmarcPolicy"]?.stringValue
        )
    }

    private static func certification(_ json: CanonicalJSON?) -> Certification? {
        guard let json, let account = json["account"]?.stringValue else { return nil }
        return Certification(
            account: account,
            mode: json["mode"]?.stringValue ?? "",
            certifier: json["certifier"]?.stringValue ?? "",
            invoice: json["invoice"] == .bool(true),
            invoiceFiles: (json["invoiceFiles"]?.arrayValue ?? []).map { file -> Certification.InvoiceFile in
                let name: String = file["name"]?.stringValue ?? ""
                let format: String = file["format"]?.stringValue ?? ""
                let digest: String = file["sha256"]?.stringValue ?? ""
                return Certification.InvoiceFile(name: name, format: format, sha256: digest)
            },
            certifiedRecipients: (json["certifiedRecipients"]?.arrayValue ?? []).compactMap(\.stringValue),
            units: Int(json["units"]?.integerValue ?? 0),
            document: json["document"].flatMap { document -> Certification.Document? in
                guard let name = document["name"]?.stringValue, let digest = document["sha256"]?.stringValue else {
                    return nil
                }
                return Certification.Document(
                    name: name,
                    contentType: document["contentType"]?.stringValue ?? "",
                    size: document["size"]?.integerValue ?? 0,
                    sha256: digest,
                    expiresAt: UTCDateTime(millisecondsSinceEpoch: document["expiresAtMs"]?.integerValue ?? 0)
                )
            }
        )
    }
}
