//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension GrammarParser {
    // Mail-parameters = esmtp-param *(SP esmtp-param)
    // esmtp-param = esmtp-keyword ["=" esmtp-value]
    static func parseESMTPParameters(buffer: inout ParseBuffer) throws -> [(keyword: String, value: String?)] {
        var parameters: [(keyword: String, value: String?)] = []
        while !buffer.isAtEnd {
            guard !buffer.consume(while: { $0 == UInt8(ascii: " ") }).isEmpty else {
                throw SMTPParserError(.syntax, hint: "expected a space before a parameter")
            }
            if buffer.isAtEnd { break }  // trailing spaces are tolerated, as every MTA does
            let keyword = buffer.consume(while: SMTPCharacterClass.isKeywordCharacter)
            guard let first = keyword.first, first != UInt8(ascii: "-") else {
                throw SMTPParserError(.syntax, hint: "bad parameter keyword")
            }
            var value: String?
            if buffer.consume(UInt8(ascii: "=")) {
                let octets = buffer.consume(while: SMTPCharacterClass.isESMTPValueCharacter)
                guard !octets.isEmpty else {
                    throw SMTPParserError(.syntax, hint: "empty parameter value")
                }
                value = try String(validatingSMTP: octets, .syntax)
            }
            parameters.append((String(decoding: keyword, as: UTF8.self).uppercased(), value))
        }
        return parameters
    }

    static func parseMailParameters(buffer: inout ParseBuffer) throws -> MailParameters {
        var parameters = MailParameters()
        var seen = Set<String>()
        for (keyword, value) in try self.parseESMTPParameters(buffer: &buffer) {
            guard seen.insert(keyword).inserted else {
                throw SMTPParserError(.badParameterValue(keyword), hint: "parameter given twice")
            }
            switch keyword {
            case "SIZE":
                guard let value, value.utf8.count <= 20, let size = Int(value), size >= 0 else {
                    throw SMTPParserError(.badParameterValue(keyword), hint: "SIZE needs a number")
                }
                parameters.size = size
            case "BODY":
                guard let value, let body = BodyType(rawValue: value.uppercased()) else {
                    throw SMTPParserError(.badParameterValue(keyword), hint: "BODY is 7BIT or 8BITMIME")
                }
                parameters.body = body
            case "SMTPUTF8":
                guard value == nil else {
                    throw SMTPParserError(.badParameterValue(keyword), hint: "SMTPUTF8 takes no value")
                }
                parameters.smtpUTF8 = true
            case "RET":
                guard let value, let ret = DSNReturn(rawValue: value.uppercased()) else {
                    throw SMTPParserError(.badParameterValue(keyword), hint: "RET is FULL or HDRS")
                }
                parameters.dsnReturn = ret
            case "ENVID":
                guard let value, let envelopeID = XText.decode(value), envelopeID.utf8.count <= 100 else {
                    throw SMTPParserError(.badParameterValue(keyword), hint: "ENVID is xtext of at most 100 octets")
                }
                parameters.envelopeID = envelopeID
            case "AUTH":
                guard let value, let identity = XText.decode(value) else {
                    throw SMTPParserError(.badParameterValue(keyword), hint: "AUTH is xtext")
                }
                parameters.authorizedIdentity = identity
            default:
                throw SMTPParserError(.unknownParameter(keyword), hint: "unknown MAIL parameter")
            }
        }
        return parameters
    }

    static func parseRcptParameters(buffer: inout ParseBuffer) throws -> RcptParameters {
        var parameters = RcptParameters()
        var seen = Set<String>()
        for (keyword, value) in try self.parseESMTPParameters(buffer: &buffer) {
            guard seen.insert(keyword).inserted else {
                throw SMTPParserError(.badParameterValue(keyword), hint: "parameter given twice")
            }
            switch keyword {
            case "NOTIFY":
                parameters.notify = try self.parseNotify(value)
            case "ORCPT":
                // ORCPT = addr-type ";" xtext
                guard let value, let separator = value.firstIndex(of: ";"),
                    let address = XText.decode(String(value[value.index(after: separator)...])),
                    !value[..<separator].isEmpty
                else {
                    throw SMTPParserError(.badParameterValue(keyword), hint: "ORCPT is addr-type;xtext")
                }
                parameters.originalRecipient = OriginalRecipient(
                    addressType: String(value[..<separator]).lowercased(),
                    address: address
                )
            default:
                throw SMTPParserError(.unknownParameter(keyword), hint: "unknown RCPT parameter")
            }
        }
        return parameters
    }

    // NOTIFY = "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )
    static func parseNotify(_ value: String?) throws -> Set<DSNNotify> {
        guard let value else {
            throw SMTPParserError(.badParameterValue("NOTIFY"), hint: "NOTIFY needs a value")
        }
        let items = value.uppercased().split(separator: ",", omittingEmptySubsequences: false)
        if items == ["NEVER"] {
            return []
        }
        var conditions = Set<DSNNotify>()
        for item in items {
            guard let condition = DSNNotify(rawValue: String(item)) else {
                throw SMTPParserError(.badParameterValue("NOTIFY"), hint: "NOTIFY is NEVER or SUCCESS,FAILURE,DELAY")
            }
            conditions.insert(condition)
        }
        return conditions
    }
}

/// The xtext encoding of DSN parameters: `+HH` for octets outside `!`–`~`, `+` and `=`.
///
/// - SeeAlso: [RFC 3461 §4](https://www.rfc-editor.org/rfc/rfc3461#section-4)
public enum XText {
    public static func decode(_ text: String) -> String? {
        var octets: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16),
                    [high, low].allSatisfy({ !(UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
                else { return nil }
                octets.append(value)
            } else {
                octets.append(byte)
            }
        }
        return String(validating: octets, as: UTF8.self)
    }

    public static func encode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            if byte >= 33 && byte <= 126 && byte != UInt8(ascii: "+") && byte != UInt8(ascii: "=") {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "+" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return encoded
    }
}
