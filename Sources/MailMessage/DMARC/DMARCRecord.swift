//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A domain's DMARC policy record (RFC 7489 §6.3): `v=DMARC1; p=reject; adkim=s; aspf=r`.
public struct DMARCRecord: Hashable, Sendable {
    /// What the domain asks receivers to do with mail that fails.
    public enum Policy: String, Hashable, Sendable {
        case none
        case quarantine
        case reject
    }

    public var policy: Policy
    /// Whether DKIM alignment is strict (the exact From domain) rather than relaxed.
    public var strictDKIM: Bool
    public var strictSPF: Bool

    /// Parses a TXT record; `nil` when it is not a DMARC record or has no valid `p=`.
    public init?(_ text: String) {
        var tags: [String: String] = [:]
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = pair[0].trimmingSpaces().lowercased()
            if tags[name] == nil { tags[name] = pair[1].trimmingSpaces() }
        }
        // `v=DMARC1` must come first (§6.4).
        guard let first = text.split(separator: ";").first,
            first.split(separator: "=", maxSplits: 1).map({ $0.trimmingSpaces() }) == ["v", "DMARC1"],
            let policy = tags["p"].flatMap({ Policy(rawValue: $0.lowercased()) })
        else { return nil }
        self.policy = policy
        self.strictDKIM = tags["adkim"]?.lowercased() == "s"
        self.strictSPF = tags["aspf"]?.lowercased() == "s"
    }

    /// The names to look the policy up at, in order: the From domain, then its organizational
    /// domain (approximated as its last two labels: no public-suffix list here).
    public static func lookupNames(fromDomain: String) -> [String] {
        let labels = fromDomain.lowercased().split(separator: ".")
        var names = ["_dmarc." + labels.joined(separator: ".")]
        if labels.count > 2 {
            names.append("_dmarc." + labels.suffix(2).joined(separator: "."))
        }
        return names
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(
            self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()
        )
    }
}
