//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// Queue ids: 12 characters of time (microseconds, Crockford base 32) and 5 random ones.
///
/// They sort by arrival like Postfix's long queue ids, are unique without coordination,
/// and use only characters safe in file names, logs and SMTP replies.
public enum QueueID {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)  // Crockford base32

    public static func make(now: Date = Date()) -> String {
        var value = UInt64(max(0, now.timeIntervalSince1970 * 1_000_000))
        var characters = [UInt8](repeating: 0, count: 12)
        for index in stride(from: 11, through: 0, by: -1) {
            characters[index] = self.alphabet[Int(value & 31)]
            value >>= 5
        }
        for _ in 0..<5 {
            characters.append(self.alphabet[Int.random(in: 0..<32)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Whether `id` has the shape of a queue id (so it is safe to use in a path).
    public static func isValid(_ id: String) -> Bool {
        id.utf8.count == 17 && id.utf8.allSatisfy { self.alphabet.contains($0) }
    }
}
