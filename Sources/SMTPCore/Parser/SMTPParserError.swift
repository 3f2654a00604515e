//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A command line that does not follow the grammar, with what was wrong and where the parser noticed.
public struct SMTPParserError: Error, Hashable, Sendable {
    /// What the error is about; decides the reply the client gets.
    public enum Kind: Hashable, Sendable {
        /// The verb is not an SMTP command at all (`500 5.5.1`).
        case unrecognizedCommand
        /// The arguments do not follow the grammar (`501 5.5.4`).
        case syntax
        /// A path is not a valid address (`501 5.1.3` / `553 5.1.3`).
        case badAddress
        /// An ESMTP parameter the server does not know (`555 5.5.4`).
        case unknownParameter(String)
        /// A known parameter with a value out of its grammar (`501 5.5.4`).
        case badParameterValue(String)
    }

    public var kind: Kind
    public var hint: String
    public var file: String
    public var line: Int

    public init(_ kind: Kind, hint: String, file: String = #fileID, line: Int = #line) {
        self.kind = kind
        self.hint = hint
        self.file = file
        self.line = line
    }
}
