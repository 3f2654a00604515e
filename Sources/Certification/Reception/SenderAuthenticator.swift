//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import MailMessage
public import SMTPCore
public import Spool

/// Checks who sent a received mail: SPF for the envelope sender (or the HELO name), every DKIM
/// signature, and the From domain's DMARC policy (RFC 7489) over both.
public struct SenderAuthenticator: Sendable {
    public let resolver: any MailDNSResolver

    public init(resolver: any MailDNSResolver) {
        self.resolver = resolver
    }

    public func evaluate(
        content: [UInt8],
        fromDomain: String,
        envelope: Envelope,
        client: String,
        now: Date = Date()
    ) async -> AuthenticationFacts {
        let envelopeSender = envelope.reversePath.address
        let spfDomain =
            envelopeSender.isEmpty ? envelope.heloName.lowercased() : CertificationRules.domain(of: envelopeSender)
        async let dkimResults = DKIMVerifier(resolver: self.resolver, now: Int(now.timeIntervalSince1970))
            .verify(message: content)
        var spf = AuthenticationResult.none
        if let ip = IPAddress(client), !spfDomain.isEmpty {
            spf = Self.result(
                await SPFEvaluator(resolver: self.resolver).check(
                    ip: ip,
                    domain: spfDomain,
                    sender: envelopeSender.isEmpty ? "postmaster@\(spfDomain)" : envelopeSender,
                    helo: envelope.heloName
                )
            )
        }
        let dkim = await dkimResults.map(Self.check)
        var facts = AuthenticationFacts(
            fromDomain: fromDomain,
            spf: spf,
            spfDomain: spfDomain,
            dkim: dkim,
            dmarc: .none,
            dmarcPolicy: nil
        )
        (facts.dmarc, facts.dmarcPolicy) = await self.dmarc(facts)
        return facts
    }

    /// DMARC: the published policy, and a pass when an aligned DKIM or SPF pass exists (strict
    /// alignment when the policy asks for it).
    func dmarc(_ facts: AuthenticationFacts) async -> (AuthenticationResult, String?) {
        guard !facts.fromDomain.isEmpty else { return (.none, nil) }
        var record: DMARCRecord? = nil
        for name in DMARCRecord.lookupNames(fromDomain: facts.fromDomain) {
            do {
                let texts = try await self.resolver.txtRecords(for: name)
                let records = texts.compactMap(DMARCRecord.init)
                if records.count > 1 { return (.permerror, nil) }
                if let found = records.first {
                    record = found
                    break
                }
            } catch {
                return (.temperror, nil)
            }
        }
        guard let record else { return (.none, nil) }
        let from = facts.fromDomain
        let dkimAligned = facts.dkim.contains { check in
            guard check.result == .pass, let domain = check.domain else { return false }
            return record.strictDKIM ? domain == from : AuthenticationFacts.aligned(domain, with: from)
        }
        let spfAligned =
            facts.spf == .pass
            && (record.strictSPF ? facts.spfDomain == from : AuthenticationFacts.aligned(facts.spfDomain, with: from))
        return (dkimAligned || spfAligned ? .pass : .fail, record.policy.rawValue)
    }

    static func result(_ spf: SPFResult) -> AuthenticationResult {
        switch spf {
        case .none: return .none
        case .neutral: return .neutral
        case .pass: return .pass
        case .fail: return .fail
        case .softfail: return .softfail
        case .temperror: return .temperror
        case .permerror: return .permerror
        }
    }

    static func check(_ dkim: DKIMResult) -> AuthenticationFacts.DKIMCheck {
        switch dkim {
        // A signature that covers part of the body only (`l=`) is not counted as a pass.
        case .pass(let domain, _, let whole): return .init(result: whole ? .pass : .neutral, domain: domain)
        case .fail(let domain, _): return .init(result: .fail, domain: domain)
        case .permerror: return .init(result: .permerror, domain: nil)
        case .temperror: return .init(result: .temperror, domain: nil)
        }
    }
}

extension AuthenticationFacts {
    /// The `Authentication-Results` field (RFC 8601) for these results, ending in CRLF.
    public func header(authservID: String, envelopeSender: String) -> String {
        var parts = [
            "spf=\(self.spf.rawValue) smtp.mailfrom=\(envelopeSender.isEmpty ? self.spfDomain : envelopeSender)"
        ]
        if self.dkim.isEmpty {
            parts.append("dkim=none")
        }
        for check in self.dkim {
            parts.append("dkim=\(check.result.rawValue)" + (check.domain.map { " header.d=\($0)" } ?? ""))
        }
        parts.append(
            "dmarc=\(self.dmarc.rawValue)" + (self.dmarcPolicy.map { " (p=\($0))" } ?? "")
                + " header.from=\(self.fromDomain.isEmpty ? "unknown" : self.fromDomain)"
        )
        return "Authentication-Results: \(authservID);\r\n\t" + parts.joined(separator: ";\r\n\t") + "\r\n"
    }
}
