//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Evidence
import Foundation
public import Spool

/// The start-up check: the evidence log must hold the head the queue database anchored at its last
/// checkpoint. A log that is missing, shorter, or whose first records hash to another root was lost
/// or rewritten; the daemon refuses to start rather than write a new history over it.
public enum EvidenceIntegrity {
    /// What the check found.
    public enum Finding: Hashable, Sendable {
        /// Nothing anchored yet (a new spool), or the log extends the anchored head.
        case consistent
        /// The anchored log is not where the configuration says.
        case missing(anchored: EvidenceAnchor)
        /// The log has fewer records than the anchored head.
        case shorter(anchored: EvidenceAnchor, found: Int)
        /// The log's first `anchored.size` records hash to another root: rewritten.
        case rewritten(anchored: EvidenceAnchor, foundRoot: [UInt8])
    }

    /// Compares the anchor with the log (nil when its file does not exist).
    public static func check(anchor: EvidenceAnchor?, log: EvidenceLog?) throws -> Finding {
        guard let anchor, anchor.size > 0 else { return .consistent }
        guard let log else { return .missing(anchored: anchor) }
        guard let root = try log.root(ofFirst: anchor.size) else {
            return .shorter(anchored: anchor, found: log.head.size)
        }
        return root == anchor.root ? .consistent : .rewritten(anchored: anchor, foundRoot: root)
    }

    /// The refusal `serve` prints.
    public struct Refusal: Error, CustomStringConvertible {
        public var finding: Finding
        public var path: String

        public init(finding: Finding, path: String) {
            self.finding = finding
            self.path = path
        }

        public var description: String {
            self.summary(
                advice: "Restore the evidence database from a backup, or record the loss with "
                    + "`fefaent evidence recover --statement TEXT` (it never re-creates records)."
            )
        }

        /// What does not match, followed by `advice`.
        public func summary(advice: String) -> String {
            switch self.finding {
            case .consistent:
                return "the evidence log is consistent"
            case .missing(let anchored):
                return "evidence log missing: \(self.path) does not exist, but the queue database anchors a log of "
                    + "\(anchored.size) records (root \(Data(anchored.root).base64EncodedString())). \(advice)"
            case .shorter(let anchored, let found):
                return "evidence log shorter than anchored: \(self.path) holds \(found) records, the queue database "
                    + "anchors \(anchored.size) (root \(Data(anchored.root).base64EncodedString())). \(advice)"
            case .rewritten(let anchored, let root):
                return "evidence log rewritten: the first \(anchored.size) records of \(self.path) hash to root "
                    + "\(Data(root).base64EncodedString()), the queue database anchors "
                    + "\(Data(anchored.root).base64EncodedString()); the log is not an extension of it. \(advice)"
            }
        }
    }
}
