//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// What a server said it supports in its EHLO reply.
///
///     S: 250-mx.example.test
///     S: 250-PIPELINING
///     S: 250-SIZE 10240000
///     S: 250 STARTTLS
///
/// - SeeAlso: [RFC 5321 §4.1.1.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1)
public struct ServerCapabilities: Hashable, Sendable {
    public var extended = false
    public var pipelining = false
    /// The SIZE limit; 0 means SIZE without a fixed limit, `nil` that SIZE was not offered.
    public var size: Int?
    public var eightBitMIME = false
    public var smtpUTF8 = false
    public var chunking = false
    public var startTLS = false
    public var dsn = false
    public var enhancedStatusCodes = false

    public init() {}

    /// Reads the keywords of an EHLO reply (every line after the first).
    public init(ehlo reply: Reply) {
        self.extended = true
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ")
            guard let keyword = words.first?.uppercased() else { continue }
            switch keyword {
            case "PIPELINING": self.pipelining = true
            case "SIZE": self.size = words.count > 1 ? Int(words[1]) ?? 0 : 0
            case "8BITMIME": self.eightBitMIME = true
            case "SMTPUTF8": self.smtpUTF8 = true
            case "CHUNKING": self.chunking = true
            case "STARTTLS": self.startTLS = true
            case "DSN": self.dsn = true
            case "ENHANCEDSTATUSCODES": self.enhancedStatusCodes = true
            default: break
            }
        }
    }
}
