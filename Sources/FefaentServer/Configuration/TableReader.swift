//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import TOMLKit

/// Reads typed values out of a TOML table and names the full key in every error.
struct TableReader {
    let table: TOMLTable
    let prefix: String

    private func key(_ name: String) -> String { self.prefix.isEmpty ? name : "\(self.prefix).\(name)" }

    /// Refuses keys the configuration does not know: a typo must not be silently ignored.
    func allowOnly(_ keys: Set<String>) throws {
        for key in self.table.keys.sorted() where !keys.contains(key) {
            throw ConfigurationError(
                key: self.key(key),
                "unknown key (known here: \(keys.sorted().joined(separator: ", ")))"
            )
        }
    }

    func table(_ name: String) throws -> TableReader {
        guard let value = self.table[name] else {
            return TableReader(table: TOMLTable(), prefix: self.key(name))
        }
        guard let table = value.table else {
            throw ConfigurationError(key: self.key(name), "must be a table")
        }
        return TableReader(table: table, prefix: self.key(name))
    }

    func optionalString(_ name: String) throws -> String? {
        guard let value = self.table[name] else { return nil }
        guard let string = value.string else {
            throw ConfigurationError(key: self.key(name), "must be a string")
        }
        guard !string.isEmpty else {
            throw ConfigurationError(key: self.key(name), "must not be empty")
        }
        return string
    }

    func string(_ name: String, default defaultValue: String) throws -> String {
        try self.optionalString(name) ?? defaultValue
    }

    func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let value = self.table[name] else { return defaultValue }
        guard let int = value.int, range.contains(int) else {
            throw ConfigurationError(
                key: self.key(name),
                "must be an integer from \(range.lowerBound) to \(range.upperBound), not \(value.debugDescription)"
            )
        }
        return int
    }

    func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let value = self.table[name] else { return defaultValue }
        guard let bool = value.bool else {
            throw ConfigurationError(key: self.key(name), "must be true or false, not \(value.debugDescription)")
        }
        return bool
    }

    /// A list of strings, lower-cased unless `keepingCase` (URLs, paths).
    func strings(_ name: String, default defaultValue: [String], keepingCase: Bool = false) throws -> [String] {
        guard let value = self.table[name] else { return defaultValue }
        guard let array = value.array else {
            throw ConfigurationError(key: self.key(name), "must be an array of strings")
        }
        return try (0..<array.count).map { index in
            guard let string = array[index].string, !string.isEmpty else {
                throw ConfigurationError(key: "\(self.key(name))[\(index)]", "must be a non-empty string")
            }
            return keepingCase ? string : string.lowercased()
        }
    }

    /// A list of integers, each in `range`.
    func ints(_ name: String, default defaultValue: [Int], in range: ClosedRange<Int>) throws -> [Int] {
        guard let value = self.table[name] else { return defaultValue }
        guard let array = value.array else {
            throw ConfigurationError(key: self.key(name), "must be an array of integers")
        }
        return try (0..<array.count).map { index in
            guard let int = array[index].int, range.contains(int) else {
                throw ConfigurationError(
                    key: "\(self.key(name))[\(index)]",
                    "must be an integer from \(range.lowerBound) to \(range.upperBound)"
                )
            }
            return int
        }
    }

    func addresses(_ name: String, default defaultValue: [String]) throws -> [String] {
        let values = try self.strings(name, default: defaultValue)
        for (index, address) in values.enumerated() {
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !address.contains(" ") else {
                throw ConfigurationError(key: "\(self.key(name))[\(index)]", "\"\(address)\" is not an address")
            }
        }
        return values
    }

    /// The `[[listener]]` tables.
    func listeners() throws -> [FefaentConfiguration.Listener] {
        guard let value = self.table["listener"] else {
            return [
                .init(name: "mx", kind: "mx", host: "127.0.0.1", port: 2525)
            ]
        }
        guard let array = value.array else {
            throw ConfigurationError(key: "listener", "must be an array of tables ([[listener]])")
        }
        var listeners: [FefaentConfiguration.Listener] = []
        for index in 0..<array.count {
            let key = "listener[\(index)]"
            guard let table = array[index].table else {
                throw ConfigurationError(key: key, "must be a table")
            }
            let reader = TableReader(table: table, prefix: key)
            try reader.allowOnly(["name", "kind", "address", "require_tls"])
            let kind = try reader.string("kind", default: "mx")
            guard ["mx", "submission", "submissions"].contains(kind) else {
                throw ConfigurationError(key: "\(key).kind", "must be mx, submission or submissions, not \"\(kind)\"")
            }
            let name = try reader.string("name", default: kind)
            guard let address = try reader.optionalString("address") else {
                throw ConfigurationError(key: "\(key).address", "is required, e.g. \"127.0.0.1:2525\"")
            }
            let (host, port) = try Self.hostAndPort(address, key: "\(key).address")
            guard !listeners.contains(where: { $0.name == name }) else {
                throw ConfigurationError(key: "\(key).name", "\"\(name)\" is used by another listener")
            }
            let requireTLS = try reader.bool("require_tls", default: false)
            listeners.append(.init(name: name, kind: kind, host: host, port: port, requireTLS: requireTLS))
        }
        return listeners
    }

    /// `127.0.0.1:25`, `[::1]:25`.
    static func hostAndPort(_ address: String, key: String) throws -> (String, Int) {
        let host: Substring
        let portText: Substring
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]"), address[address.index(after: close)...].hasPrefix(":") else {
                throw ConfigurationError(key: key, "\"\(address)\" is not host:port")
            }
            host = address[address.index(after: address.startIndex)..<close]
            portText = address[address.index(close, offsetBy: 2)...]
        } else {
            guard let colon = address.lastIndex(of: ":") else {
                throw ConfigurationError(key: key, "\"\(address)\" is not host:port")
            }
            host = address[..<colon]
            portText = address[address.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65_535).contains(port) else {
            throw ConfigurationError(key: key, "\"\(address)\" is not host:port with a port from 0 to 65535")
        }
        return (String(host), port)
    }
}
