//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
public import SMTPNIO

/// The client's address behind reverse proxies: `X-Forwarded-For` is believed only when the peer is
/// a configured proxy, and read from the right (the entries the proxies appended), skipping the
/// proxies themselves; the first address no proxy is trusted for is the client. A client cannot
/// forge its address by sending the header itself: a proxy appends to it, and without a proxy in
/// front the header is ignored.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [IPNetwork]

    public init(trustedProxies: [IPNetwork]) {
        self.trustedProxies = trustedProxies
    }

    public func client(peer: String, forwardedFor: [String]) -> String {
        guard !self.trustedProxies.isEmpty, self.isProxy(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            // Not an address: none of the header is believed.
            guard !hop.isEmpty, !hop.contains("/"), IPNetwork(hop) != nil else { return peer }
            if !self.isProxy(hop) { return hop }
        }
        return hops.first ?? peer
    }

    private func isProxy(_ address: String) -> Bool {
        self.trustedProxies.contains { $0.contains(address) }
    }
}
