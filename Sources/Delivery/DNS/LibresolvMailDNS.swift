//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import MailMessage

/// The DNS lookups of DKIM and SPF, answered through ``DNSResolver`` (libresolv).
public struct LibresolvMailDNS: MailDNSResolver {
    public let resolver: DNSResolver

    public init(resolver: DNSResolver) {
        self.resolver = resolver
    }

    public func txtRecords(for name: String) async throws -> [String] {
        try Self.records(await self.resolver.query(name, type: DNSMessage.typeTXT)).compactMap { record in
            if case .txt(let text) = record { return String(decoding: text, as: UTF8.self) }
            return nil
        }
    }

    public func addresses(for name: String) async throws -> [String] {
        var addresses: [String] = []
        for type in [DNSMessage.typeA, DNSMessage.typeAAAA] {
            for record in try Self.records(await self.resolver.query(name, type: type)) {
                switch record {
                case .a(let octets): addresses.append(octets.map(String.init).joined(separator: "."))
                case .aaaa(let octets): addresses.append(MXRouting.ipv6(octets))
                case .mx, .txt, .other: break
                }
            }
        }
        return addresses
    }

    public func mailExchangers(for name: String) async throws -> [String] {
        try Self.records(await self.resolver.query(name, type: DNSMessage.typeMX)).compactMap { record in
            if case .mx(let preference, let exchange) = record { return (preference, exchange) }
            return nil
        }
        .sorted { $0.0 < $1.0 }
        .map(\.1)
    }

    private static func records(_ answer: DNSResolver.Answer) throws -> [DNSMessage.Record] {
        switch answer {
        case .records(let records): return records
        case .nameNotFound, .noData: return []
        case .temporaryFailure(let why): throw MailDNSError(why)
        }
    }
}
