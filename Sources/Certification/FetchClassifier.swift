//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation
public import Spool

/// Tells who fetched a tracking pixel from the request, as far as it can be told.
public enum FetchClassifier {
    /// A fetch this soon after the delivery is more likely a machine than a person.
    public static let prefetchWindow: TimeInterval = 10

    public static func classify(userAgent: String) -> TrackingFetched.Fetcher {
        let agent = userAgent.lowercased()
        if agent.contains("googleimageproxy") || agent.contains("ggpht.com") { return .googleImageProxy }
        if agent.contains("yahoomailproxy") || agent.contains("yahoo! slurp") { return .yahooImageProxy }
        // Apple Mail Privacy Protection fetches with a bare browser string from Apple's proxies.
        if userAgent.trimmingCharacters(in: .whitespaces) == "Mozilla/5.0" { return .applePrivacyPrefetch }
        let scanners = [
            "barracuda", "mimecast", "proofpoint", "symantec", "trendmicro", "trend micro", "zscaler", "forcepoint",
            "sophos", "fortinet", "safelinks", "scanner", "bot", "crawler", "python-requests", "curl/", "wget/",
            "go-http-client", "java/", "okhttp", "libwww"
        ]
        if agent.isEmpty || scanners.contains(where: agent.contains) { return .securityScanner }
        return .mailClient
    }

    /// Whether a fetch at `fetchedAt` is within ``prefetchWindow`` of the delivery at `deliveredAt`.
    public static func isLikelyPrefetch(fetchedAt: Date, deliveredAt: Date?) -> Bool {
        guard let deliveredAt else { return true }  // fetched before the delivery was even recorded
        return fetchedAt.timeIntervalSince(deliveredAt) < Self.prefetchWindow
    }
}

/// Records fetches of the certified copies' pixels (the HTTP front calls it).
public struct PixelTracker: Sendable {
    public let database: SpoolDatabase

    public init(database: SpoolDatabase) {
        self.database = database
    }

    /// Records a fetch of the pixel with `token`; `nil` for a token no copy carries (nothing recorded).
    public func fetched(
        token: String,
        clientIP: String,
        userAgent: String,
        at now: Date = Date()
    ) throws
        -> TrackingFetched?
    {
        guard TrackingToken.isWellFormed(token) else { return nil }
        return try self.database.recordFetch(token: token.lowercased()) { recipient, first in
            TrackingFetched(
                queueID: recipient.queueID,
                recipient: recipient.address,
                recipientRowID: recipient.rowID,
                fetchedAt: now,
                clientIP: clientIP,
                userAgent: String(userAgent.prefix(512)),
                fetcher: FetchClassifier.classify(userAgent: userAgent),
                likelyPrefetch: FetchClassifier.isLikelyPrefetch(
                    fetchedAt: now,
                    deliveredAt: recipient.state == .delivered ? recipient.finishedAt : nil
                ),
                firstFetch: first,
                deliveryEvidenceID: recipient.state == .delivered ? recipient.outcomeEvidenceID : nil
            )
        }
    }
}
