//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// What SPF macros expand from.
struct MacroContext: Sendable {
    var ip: IPAddress
    var sender: String
    var helo: String
    var domain = ""

    init(ip: IPAddress, sender: String, helo: String) {
        self.ip = ip
        self.sender = sender.isEmpty ? "postmaster@\(helo)" : sender
        self.helo = helo
    }
}

extension SPFEvaluator {
    // macro-string = *( macro-expand / macro-literal ); macro-expand = "%{" letter [digits] ["r"] [delimiters] "}"
    //   / "%%" / "%_" / "%-"   (RFC 7208 §7.1)
    static func expand(_ spec: String, context: MacroContext) throws -> String {
        var output = ""
        var characters = Array(spec)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "%" else {
                output.append(character)
                index += 1
                continue
            }
            guard index + 1 < characters.count else { throw Abort.result(.permerror("bad macro in \(spec)")) }
            switch characters[index + 1] {
            case "%":
                output.append("%")
                index += 2
                continue
            case "_":
                output.append(" ")
                index += 2
                continue
            case "-":
                output.append("%20")
                index += 2
                continue
            case "{": break
            default: throw Abort.result(.permerror("bad macro in \(spec)"))
            }
            guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                throw Abort.result(.permerror("unclosed macro in \(spec)"))
            }
            let body = Array(characters[(index + 2)..<close])
            output += try Self.expandMacro(body, context: context, spec: spec)
            index = close + 1
        }
        characters = []
        return output
    }

    private static func expandMacro(_ body: [Character], context: MacroContext, spec: String) throws -> String {
        guard let letter = body.first?.lowercased() else { throw Abort.result(.permerror("empty macro in \(spec)")) }
        let localPart = context.sender.split(separator: "@").dropLast().joined(separator: "@")
        let senderDomain = context.sender.split(separator: "@").last.map(String.init) ?? context.helo
        let value: String
        switch letter {
        case "s": value = context.sender
        case "l": value = localPart.isEmpty ? "postmaster" : localPart
        case "o": value = senderDomain
        case "d": value = context.domain
        case "i": value = context.ip.macroForm
        case "v": value = context.ip.isIPv4 ? "in-addr" : "ip6"
        case "h": value = context.helo
        case "p": value = "unknown"
        default: throw Abort.result(.permerror("unknown macro letter \(letter) in \(spec)"))
        }
        var rest = body.dropFirst()
        var digits = ""
        while let next = rest.first, next.isNumber {
            digits.append(next)
            rest = rest.dropFirst()
        }
        var reverse = false
        if let next = rest.first, next == "r" || next == "R" {
            reverse = true
            rest = rest.dropFirst()
        }
        let delimiters = rest.isEmpty ? Set<Character>(["."]) : Set(rest)
        guard delimiters.isSubset(of: [".", "-", "+", ",", "/", "_", "="]) else {
            throw Abort.result(.permerror("bad delimiter in \(spec)"))
        }
        var parts = value.split(omittingEmptySubsequences: false) { delimiters.contains($0) }.map(String.init)
        if reverse { parts.reverse() }
        if !digits.isEmpty {
            guard let keep = Int(digits), keep > 0 else {
                throw Abort.result(.permerror("zero macro length in \(spec)"))
            }
            parts = Array(parts.suffix(keep))
        }
        return parts.joined(separator: ".")
    }
}
