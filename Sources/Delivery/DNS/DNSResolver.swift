//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import CResolv
public import NIOPosix

/// DNS lookups through libresolv (`res_nquery` with a resolver state of its own), off the event loops.
///
/// A configured name server (e.g. a `dnsmasq` on 127.0.0.1 in tests) replaces the system's for
/// Fefaent only; without one the system's `/etc/resolv.conf` applies.
public struct DNSResolver: Sendable {
    /// How a lookup ended.
    public enum Answer: Hashable, Sendable {
        case records([DNSMessage.Record])
        /// NXDOMAIN: the name does not exist.
        case nameNotFound
        /// The name exists but has no record of that type.
        case noData
        /// SERVFAIL, a timeout, or a server that refused: try again later.
        case temporaryFailure(String)
    }

    public var nameserver: (host: String, port: Int)?
    let threadPool: NIOThreadPool

    public init(nameserver: (host: String, port: Int)?, threadPool: NIOThreadPool) {
        self.nameserver = nameserver
        self.threadPool = threadPool
    }

    public func query(_ name: String, type: Int) async -> Answer {
        let nameserver = self.nameserver
        do {
            return try await self.threadPool.runIfActive {
                Self.blockingQuery(name, type: type, nameserver: nameserver)
            }
        } catch {
            return .temporaryFailure("resolver unavailable: \(error)")
        }
    }

    static func blockingQuery(_ name: String, type: Int, nameserver: (host: String, port: Int)?) -> Answer {
        guard let state = fefaent_resolver_open(nameserver?.host, Int32(nameserver?.port ?? 53), 2, 2) else {
            return .temporaryFailure("cannot set up the resolver")
        }
        defer { fefaent_resolver_close(state) }
        var answer = [UInt8](repeating: 0, count: 65_535)
        var hostError: Int32 = 0
        let length = answer.withUnsafeMutableBufferPointer { buffer in
            fefaent_resolver_query(state, name, Int32(type), buffer.baseAddress, Int32(buffer.count), &hostError)
        }
        guard length >= 0 else {
            switch hostError {
            case HOST_NOT_FOUND: return .nameNotFound
            case NO_DATA: return .noData
            default: return .temporaryFailure("lookup of \(name) failed (h_errno \(hostError))")
            }
        }
        do {
            let message = try DNSMessage(parsing: Array(answer[0..<Int(length)]))
            let records = message.answers.filter { record in
                switch record {
                case .other: false
                case .mx, .a, .aaaa, .txt: true
                }
            }
            return records.isEmpty ? .noData : .records(records)
        } catch {
            return .temporaryFailure("malformed answer for \(name)")
        }
    }
}
