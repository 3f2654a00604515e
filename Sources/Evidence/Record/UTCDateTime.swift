//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// A UTC instant to the millisecond, with the text forms evidence uses.
public struct UTCDateTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(_ date: Date) {
        // Whole microseconds first: a time read back from a database as 04.535 is 04.534999… in binary.
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        self.millisecondsSinceEpoch = microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
    }

    public static func now() -> UTCDateTime { UTCDateTime(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(self.millisecondsSinceEpoch) / 1000) }

    public static func < (lhs: UTCDateTime, rhs: UTCDateTime) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    private var parts: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        // Civil-from-days (H. Hinnant), valid for the proleptic Gregorian calendar.
        let seconds = Int(self.millisecondsSinceEpoch.floorDivided(by: 1000))
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }

    var year: Int { self.parts.year }
    var milliseconds: Int {
        Int(self.millisecondsSinceEpoch - self.millisecondsSinceEpoch.floorDivided(by: 1000) * 1000)
    }

    /// `MMDDHHMMSS` (after the year) for ASN.1 times.
    var compactTime: String {
        let p = self.parts
        return format2(p.month) + format2(p.day) + format2(p.hour) + format2(p.minute) + format2(p.second)
    }

    /// RFC 3339 with milliseconds: `2026-11-23T10:00:00.123Z`.
    public var description: String {
        let p = self.parts
        let millis = String(self.milliseconds + 1000).dropFirst()
        return
            "\(p.year)-\(format2(p.month))-\(format2(p.day))T\(format2(p.hour)):\(format2(p.minute)):\(format2(p.second)).\(millis)Z"
    }
}

extension BinaryInteger {
    fileprivate func floorDivided(by divisor: Self) -> Self {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
