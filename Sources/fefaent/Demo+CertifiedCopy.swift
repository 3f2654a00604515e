//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import FefaentServer
import Foundation
import MailMessage

extension Demo {
    /// Steps 6 and 7: the spooled mail read as mail, and the certified copy built from it.
    static func certifiedCopySteps(
        stored content: [UInt8],
        queueID: String,
        configuration: FefaentConfiguration
    ) async throws {
        step(6, "Fefaent reads the certified mail as mail (streaming MIME parser, SHA-256 of each part)")
        var parser = MessageParser()
        var offset = 0
        while offset < content.count {  // in 4 KiB pieces, as it streams from the spool
            parser.parse(content[offset..<min(offset + 4096, content.count)])
            offset += 4096
        }
        let message = parser.finish()
        say("  from         \(message.from.map(\.description).joined(separator: ", "))")
        say("  to           \(message.to.map(\.description).joined(separator: ", "))  <- the recipients to certify")
        say("  cc           \(message.cc.map(\.description).joined(separator: ", "))")
        say("  subject      \(message.subject ?? "")")
        for part in message.leaves {
            say(
                "  part \(part.index)       \(part.mimeType) \(part.charset ?? "") \(part.decodedSize) bytes, sha256 \(part.sha256Hex)"
            )
        }

        step(7, "The certified copy: From the certifier, a tracking pixel, DKIM-signed (not sent yet)")
        guard let dkim = configuration.dkim, let sender = message.from.first else {
            throw DemoError("the demo config names a DKIM key and the mail has a From")
        }
        let pixelURL = "https://\(configuration.hostname)/p/\(queueID).png"
        let injector = PixelInjector(pixelHTML: PixelInjector.imageElement(url: pixelURL))
        let name = sender.displayName ?? sender.address
        let plan = injector.plan(
            for: message,
            headerEdits: [
                .set(
                    name: "From",
                    value: EncodedWordEncoder.displayName("\(name) via Fefaent")
                        + " <\(configuration.certifierAddresses[0])>"
                ),
                .set(name: "Reply-To", value: EncodedWordEncoder.mailbox(sender))
            ]
        ) { Array(content[$0]) }
        let copy = plan.apply(to: content)
        let key = try DKIMSigner.Key(pem: try String(contentsOfFile: dkim.keyPath, encoding: .utf8))
        let signer = DKIMSigner(domain: dkim.domain, selector: dkim.selector, key: key)
        let signed = try signer.sign(message: copy, timestamp: Int(Date().timeIntervalSince1970))
        let rewritten = MessageParser.parse(signed)
        for field in rewritten.headers {
            let text = String(decoding: field.raw, as: UTF8.self).split(separator: "\r\n").first ?? ""
            say("    \(text.count > 100 ? text.prefix(97) + "..." : text)")
        }
        say("  From, decoded: \(rewritten.from.first?.description ?? "")")
        say("  parts        " + rewritten.parts.map(\.mimeType).joined(separator: ", "))
        let plain = rewritten.leaves.first { $0.mimeType == "text/plain" }
        say(
            "  the text part is the sender's, byte for byte: "
                + (plain?.sha256 == message.leaves.first?.sha256 ? "yes" : "NO")
        )
        say("  the HTML part carries <img src=\"\(pixelURL)\">: \(plan.pixelsInserted == 1 ? "yes" : "NO")")
        let dns = DemoDNS(records: ["\(dkim.selector)._domainkey.\(dkim.domain)": [key.publicKeyRecord]])
        let results = await DKIMVerifier(resolver: dns, now: Int(Date().timeIntervalSince1970)).verify(message: signed)
        say(
            "  DKIM, checked against the key record of keys/dkim.txt: \(results.map(\.description).joined(separator: "; "))"
        )
        guard plain?.sha256 == message.leaves.first?.sha256, plan.pixelsInserted == 1,
            results.first?.passedDomain == dkim.domain
        else {
            throw DemoError("the certified copy is not what it should be")
        }
    }
}

/// The DNS of the demo: the DKIM key record `fefaent keys init` wrote, as a real zone would publish it.
struct DemoDNS: MailDNSResolver {
    var records: [String: [String]]

    func txtRecords(for name: String) async throws -> [String] { self.records[name.lowercased()] ?? [] }
    func addresses(for name: String) async throws -> [String] { [] }
    func mailExchangers(for name: String) async throws -> [String] { [] }
}
