//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The DNS lookups DKIM and SPF need, behind a protocol so the checks stay pure and testable.
public protocol MailDNSResolver: Sendable {
    /// The TXT records at `name`, each with its strings joined. Empty when the name has none (NXDOMAIN
    /// or NODATA); throws ``MailDNSError`` on a temporary failure.
    func txtRecords(for name: String) async throws -> [String]
    /// IPv4 and IPv6 addresses of `name` (for SPF `a`, `mx`), as text.
    func addresses(for name: String) async throws -> [String]
    /// MX host names of `name`, by preference (for SPF `mx`).
    func mailExchangers(for name: String) async throws -> [String]
}

/// A DNS lookup that failed for now (SERVFAIL, timeout): the check is a `temperror`, to retry.
public struct MailDNSError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
