//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Where mail for a domain goes: the static route table, Postfix's transport map and relayhost.
///
///     [delivery.routes]
///     "example.test" = "127.0.0.1:2626"     # this domain
///     "*" = "smarthost.example:587"         # everything else
///
/// A domain matches its own entry, then its parent domains' (`.example.test`), then `*`.
public struct RouteTable: Hashable, Sendable {
    /// A next hop: host and port.
    public struct Hop: Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String {
            self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
        }
    }

    public var routes: [String: Hop]

    public init(routes: [String: Hop] = [:]) {
        self.routes = Dictionary(uniqueKeysWithValues: routes.map { ($0.key.lowercased(), $0.value) })
    }

    /// The hop for `domain`, or `nil` when mail for it goes by MX.
    public func hop(for domain: String) -> Hop? {
        let domain = domain.lowercased()
        if let hop = self.routes[domain] { return hop }
        var labels = domain.split(separator: ".")
        while labels.count > 1 {
            labels.removeFirst()
            if let hop = self.routes["." + labels.joined(separator: ".")] { return hop }
        }
        return self.routes["*"]
    }
}
