//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// An SMTP mailbox, `Local-part "@" ( Domain / address-literal )`.
///
///     C: RCPT TO:<"john doe"@example.test>
///
/// The local part is kept as the client wrote it (without the quotes' escaping), the domain in
/// lower case. Both may hold UTF-8 (RFC 6531) when the transaction declared SMTPUTF8.
///
/// - SeeAlso: [RFC 5321 §4.1.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2),
///   [RFC 6531 §3.3](https://www.rfc-editor.org/rfc/rfc6531#section-3.3)
public struct Mailbox: Hashable, Sendable {
    /// The local part, unquoted: `john doe` for `"john doe"`.
    public var localPart: String
    /// The domain, lower-cased, or an address literal such as `[127.0.0.1]`.
    public var domain: String

    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain.lowercased()
    }

    /// Whether either part needs SMTPUTF8 to be transported.
    public var isInternationalized: Bool {
        self.localPart.utf8.contains { $0 >= 0x80 } || self.domain.utf8.contains { $0 >= 0x80 }
    }

    /// The address as it goes on the wire: the local part quoted when it is not a dot-string.
    public var address: String {
        "\(Self.encodeLocalPart(self.localPart))@\(self.domain)"
    }

    /// The local part in the form written on the wire.
    static func encodeLocalPart(_ localPart: String) -> String {
        if Self.isDotString(localPart) {
            return localPart
        }
        var quoted = "\""
        for scalar in localPart.unicodeScalars {
            if scalar == "\"" || scalar == "\\" {
                quoted.append("\\")
            }
            quoted.unicodeScalars.append(scalar)
        }
        quoted.append("\"")
        return quoted
    }

    // Dot-string = Atom *("."  Atom)
    static func isDotString(_ string: String) -> Bool {
        let atoms = string.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !atoms.isEmpty else { return false }
        return atoms.allSatisfy { atom in !atom.isEmpty && atom.allSatisfy(SMTPCharacterClass.isAtext) }
    }
}

extension Mailbox: CustomStringConvertible {
    public var description: String { self.address }
}
