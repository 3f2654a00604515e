//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The outcome of an SPF check.
///
/// - SeeAlso: [RFC 7208 §2.6](https://www.rfc-editor.org/rfc/rfc7208#section-2.6)
public enum SPFResult: Hashable, Sendable, CustomStringConvertible {
    case none
    case neutral
    case pass
    case fail
    case softfail
    case temperror(String)
    case permerror(String)

    public var description: String {
        switch self {
        case .none: return "none"
        case .neutral: return "neutral"
        case .pass: return "pass"
        case .fail: return "fail"
        case .softfail: return "softfail"
        case .temperror(let why): return "temperror (\(why))"
        case .permerror(let why): return "permerror (\(why))"
        }
    }
}
