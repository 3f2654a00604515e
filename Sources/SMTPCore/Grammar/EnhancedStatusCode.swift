//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// An enhanced mail system status code, `class.subject.detail`.
///
///     S: 550 5.7.1 Relaying denied
///
/// - SeeAlso: [RFC 3463](https://www.rfc-editor.org/rfc/rfc3463), [RFC 2034](https://www.rfc-editor.org/rfc/rfc2034)
public struct EnhancedStatusCode: Hashable, Sendable, CustomStringConvertible {
    public var statusClass: Int
    public var subject: Int
    public var detail: Int

    public init(_ statusClass: Int, _ subject: Int, _ detail: Int) {
        precondition([2, 4, 5].contains(statusClass), "the class is 2, 4 or 5")
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(self.statusClass).\(self.subject).\(self.detail)" }
}
