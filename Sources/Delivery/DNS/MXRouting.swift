//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import SMTPCore

/// A server to try for a domain: its name (for TLS and the log), an address and a port.
public struct DeliveryTarget: Hashable, Sendable {
    public var hostname: String
    public var address: String
    public var port: Int
}

/// What routing says for a domain: servers to try in order, or why there are none.
public enum RoutingResult: Hashable, Sendable {
    case targets([DeliveryTarget])
    /// Nothing to try; the reply decides whether the recipients bounce or wait.
    case failure(Reply)
}

/// RFC 5321 §5.1: MX records by preference (equal ones shuffled), each resolved to its addresses;
/// no MX means the domain itself (implicit MX); a null MX (RFC 7505) means the domain takes no mail.
public struct MXRouting: Sendable {
    let resolver: DNSResolver
    let port: Int
    /// At most this many addresses are tried per domain (Postfix's smtp_mx_address_limit is 5).
    let addressLimit = 5

    public init(resolver: DNSResolver, port: Int) {
        self.resolver = resolver
        self.port = port
    }

    public func route(_ domain: String) async -> RoutingResult {
        var exchanges: [(preference: Int, name: String)]
        switch await self.resolver.query(domain, type: DNSMessage.typeMX) {
        case .nameNotFound:
            return .failure(Reply(.mailboxUnavailable, EnhancedStatusCode(5, 1, 2), "domain \(domain) does not exist"))
        case .temporaryFailure(let why):
            return .failure(Reply(.localError, EnhancedStatusCode(4, 4, 3), "MX lookup for \(domain): \(why)"))
        case .noData:
            exchanges = [(0, domain)]
        case .records(let records):
            exchanges = records.compactMap { record in
                if case .mx(let preference, let exchange) = record { return (preference, exchange) }
                return nil
            }
            if exchanges.count == 1 && exchanges[0].name.isEmpty {
                return .failure(
                    Reply(ReplyCode(556), EnhancedStatusCode(5, 1, 10), "domain \(domain) accepts no mail (null MX)")
                )
            }
            exchanges.removeAll { $0.name.isEmpty }
            exchanges = Self.ordered(exchanges)
        }
        var targets: [DeliveryTarget] = []
        var lastProblem = "no address for the mail servers of \(domain)"
        for exchange in exchanges where targets.count < self.addressLimit {
            for type in [DNSMessage.typeA, DNSMessage.typeAAAA] {
                switch await self.resolver.query(exchange.name, type: type) {
                case .records(let records):
                    for record in records {
                        switch record {
                        case .a(let octets):
                            targets.append(
                                .init(
                                    hostname: exchange.name,
                                    address: octets.map(String.init).joined(separator: "."),
                                    port: self.port
                                )
                            )
                        case .aaaa(let octets):
                            targets.append(.init(hostname: exchange.name, address: Self.ipv6(octets), port: self.port))
                        case .mx, .txt, .other:
                            break
                        }
                    }
                case .temporaryFailure(let why):
                    lastProblem = why
                case .nameNotFound, .noData:
                    break
                }
            }
        }
        guard !targets.isEmpty else {
            return .failure(Reply(.localError, EnhancedStatusCode(4, 4, 3), lastProblem))
        }
        return .targets(Array(targets.prefix(self.addressLimit)))
    }

    /// By preference; servers of equal preference in random order (RFC 5321 §5.1).
    static func ordered(_ exchanges: [(preference: Int, name: String)]) -> [(preference: Int, name: String)] {
        Dictionary(grouping: exchanges, by: \.preference)
            .sorted { $0.key < $1.key }
            .flatMap { $0.value.shuffled() }
    }

    static func ipv6(_ octets: [UInt8]) -> String {
        stride(from: 0, to: 16, by: 2)
            .map { String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
