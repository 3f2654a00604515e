//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The `Received:` trace field a server puts in front of every message it accepts.
///
///     Received: from client.example.test ([127.0.0.1])
///             by mx.fefaent.test (Fefaent) with ESMTPS id 0B4XZ3K9QJ2M1CD7F
///             (using TLSv1.3)
///             for <certify@fefaent.test>; Mon, 23 Nov 2026 07:30:00 +0000
///
/// `for` is given only for a single recipient, so one copy does not reveal the others (as Postfix does).
///
/// - SeeAlso: [RFC 5321 §4.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.4), [RFC 3848](https://www.rfc-editor.org/rfc/rfc3848)
public struct ReceivedHeader: Hashable, Sendable {
    public var heloName: String
    public var clientAddress: String
    public var hostname: String
    public var protocolName: String
    public var queueID: String
    public var tls: String?
    public var recipient: String?
    public var epochSeconds: Int64

    public init(
        heloName: String,
        clientAddress: String,
        hostname: String,
        protocolName: String,
        queueID: String,
        tls: String?,
        recipient: String?,
        epochSeconds: Int64
    ) {
        self.heloName = heloName
        self.clientAddress = clientAddress
        self.hostname = hostname
        self.protocolName = protocolName
        self.queueID = queueID
        self.tls = tls
        self.recipient = recipient
        self.epochSeconds = epochSeconds
    }

    /// The field, folded, ending in CRLF. Octets that could break the header (controls, and
    /// non-ASCII in the client's HELO name) are replaced by `?`.
    public var encoded: String {
        var field = "Received: from \(Self.sanitized(self.heloName)) ([\(self.clientAddress)])\r\n"
        field += "\tby \(self.hostname) (Fefaent) with \(self.protocolName) id \(self.queueID)"
        if let tls = self.tls {
            field += "\r\n\t(using \(tls))"
        }
        if let recipient = self.recipient {
            field += "\r\n\tfor <\(recipient)>"
        }
        field += ";\r\n\t\(RFC5322Date.format(epochSeconds: self.epochSeconds))\r\n"
        return field
    }

    static func sanitized(_ text: String) -> String {
        String(
            decoding: text.utf8.prefix(255).map {
                $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ";") ? $0 : UInt8(ascii: "?")
            },
            as: UTF8.self
        )
    }
}

/// RFC 5322 §3.3 date-time in UTC, computed without Foundation: `Mon, 23 Nov 2026 07:30:00 +0000`.
public enum RFC5322Date {
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func format(epochSeconds: Int64) -> String {
        let dayNumber = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondOfDay = Int(epochSeconds - dayNumber * 86_400)
        let (year, month, day) = self.civilDate(daysSinceEpoch: dayNumber)
        let weekday = self.days[Int(((dayNumber % 7) + 7) % 7)]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(day) \(self.months[month - 1]) \(year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) +0000"
    }

    // Howard Hinnant's days-to-civil algorithm.
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthPrime + 2) / 5 + 1)
        let month = Int(monthPrime < 10 ? monthPrime + 3 : monthPrime - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
