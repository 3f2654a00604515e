//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A configuration value that cannot be used: names the key and says what is wrong.
///
///     limits.message_size: must be an integer from 1024 to 1073741824, not "big"
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The dotted key, e.g. `listener[1].address`; empty for the file as a whole.
    public var key: String
    public var problem: String

    public init(key: String, _ problem: String) {
        self.key = key
        self.problem = problem
    }

    public var description: String { self.key.isEmpty ? self.problem : "\(self.key): \(self.problem)" }
}
