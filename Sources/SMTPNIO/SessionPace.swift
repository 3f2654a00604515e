//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// How slow a client may be: message data must come at `minimumDataRate` octets a second on
/// average once `dataRateGrace` has passed (a client that trickles a byte a second holds a session
/// and a file for hours otherwise: Postfix's `smtpd_min_data_rate`), and a session may last
/// `sessionTimeLimit` in all (checked between commands; a message being received is finished).
public struct SessionPace: Hashable, Sendable {
    public var minimumDataRate: Int
    public var dataRateGraceSeconds: Double
    public var sessionTimeLimitSeconds: Double

    public init(minimumDataRate: Int = 500, dataRateGraceSeconds: Double = 30, sessionTimeLimitSeconds: Double = 1_800)
    {
        self.minimumDataRate = minimumDataRate
        self.dataRateGraceSeconds = dataRateGraceSeconds
        self.sessionTimeLimitSeconds = sessionTimeLimitSeconds
    }

    /// Whether `octets` received in `seconds` since DATA (or the first BDAT) began is too slow.
    public func dataTooSlow(octets: Int, seconds: Double) -> Bool {
        seconds > self.dataRateGraceSeconds && Double(octets) < Double(self.minimumDataRate) * seconds
    }

    /// Whether a session that began `seconds` ago has had its time.
    public func sessionTooLong(seconds: Double) -> Bool {
        seconds > self.sessionTimeLimitSeconds
    }
}
