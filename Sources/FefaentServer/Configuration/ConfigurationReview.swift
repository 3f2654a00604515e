//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import SMTPNIO

/// What `config check` finds beyond what loading checks: settings that load but cannot work as meant
/// (problems) or that are risky (warnings).
public struct ConfigurationReview: Sendable {
    public var problems: [String] = []
    public var warnings: [String] = []

    public init(_ configuration: FefaentConfiguration) {
        var bound: [String: String] = [:]
        var endpoints = configuration.listeners.map { ("listener \($0.name)", $0.host, $0.port) }
        if let http = configuration.http { endpoints.append(("[http] listen", http.host, http.port)) }
        for (name, host, port) in endpoints {
            if port == 0 {
                self.problems.append("\(name): port 0 (any free port) cannot be told to clients or to DNS")
            }
            let key = "\(host.lowercased()):\(port)"
            if let other = bound[key] {
                self.problems.append("\(name) and \(other) both listen on \(host):\(port)")
            }
            bound[key] = name
        }
        var roles: [String: String] = [:]
        for (role, addresses) in [
            ("certifier_addresses", configuration.certifierAddresses),
            ("reception_mailboxes", configuration.receptionMailboxes)
        ] {
            for address in addresses.map({ $0.lowercased() }) {
                if let other = roles[address] {
                    self.problems.append(
                        other == role
                            ? "\(address) is listed twice in \(role)" : "\(address) is both in \(other) and in \(role)"
                    )
                }
                roles[address] = role
            }
        }
        for text in configuration.trustedNetworks {
            guard let network = IPNetwork(text) else { continue }
            if network.prefixLength < (network.isIPv6 ? 48 : 16) {
                self.warnings.append(
                    "trusted network \(text) is wider than a /\(network.isIPv6 ? 48 : 16): every host in it may relay"
                )
            }
        }
        for exposure in KeyFilePermissions.exposures(of: configuration) {
            self.warnings.append("\(exposure)\(exposure.worldReadable ? " (serve refuses to start)" : "")")
        }
    }
}
