//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Evaluates a domain's SPF policy for a connecting IP address: `check_host()` of RFC 7208.
///
/// All of §4 and §5: `all`, `include`, `a`, `mx`, `ip4`, `ip6`, `exists`, `redirect`, qualifiers,
/// dual CIDR lengths, the macros of §7, the limit of 10 DNS-querying terms, 10 MX names per `mx`, and 2
/// void lookups (§4.6.4). `ptr` is deprecated (§5.5) and never matches here.
///
/// - SeeAlso: [RFC 7208 §4](https://www.rfc-editor.org/rfc/rfc7208#section-4)
public struct SPFEvaluator: Sendable {
    public let resolver: any MailDNSResolver

    public init(resolver: any MailDNSResolver) {
        self.resolver = resolver
    }

    /// Checks `ip` against the policy of `domain`; `sender` is the MAIL FROM (or postmaster@HELO).
    public func check(ip: IPAddress, domain: String, sender: String, helo: String = "") async -> SPFResult {
        var state = State()
        let context = MacroContext(ip: ip, sender: sender, helo: helo)
        return await self.checkHost(domain: domain.lowercased(), context: context, state: &state)
    }

    struct State {
        var lookups = 0
        var voidLookups = 0
    }

    enum Abort: Error {
        case result(SPFResult)
    }

    private func checkHost(domain: String, context: MacroContext, state: inout State) async -> SPFResult {
        guard Self.isValidDomain(domain) else { return .none }
        let records: [String]
        do {
            records = try await self.resolver.txtRecords(for: domain)
        } catch {
            return .temperror("TXT lookup of \(domain): \(error)")
        }
        let spf = records.filter { record in
            let lower = record.lowercased()
            return lower == "v=spf1" || lower.hasPrefix("v=spf1 ")
        }
        guard !spf.isEmpty else { return .none }
        guard spf.count == 1 else { return .permerror("\(domain) publishes \(spf.count) SPF records") }
        let terms = spf[0].split(separator: " ").dropFirst()
        var redirect: String? = nil
        var context = context
        context.domain = domain
        do {
            for term in terms {
                if let equals = term.firstIndex(of: "="), !term[..<equals].contains(":"), !term[..<equals].contains("/")
                {
                    let name = term[..<equals].lowercased()
                    let value = String(term[term.index(after: equals)...])
                    if name == "redirect" {
                        guard redirect == nil else { return .permerror("two redirect= modifiers") }
                        redirect = value
                    }
                    continue  // exp= and unknown modifiers do not change the result
                }
                var mechanism = Substring(term)
                var qualifier = SPFResult.pass
                switch mechanism.first {
                case "+": mechanism = mechanism.dropFirst()
                case "-":
                    qualifier = .fail
                    mechanism = mechanism.dropFirst()
                case "~":
                    qualifier = .softfail
                    mechanism = mechanism.dropFirst()
                case "?":
                    qualifier = .neutral
                    mechanism = mechanism.dropFirst()
                default: break
                }
                if try await self.matches(String(mechanism), context: context, state: &state) {
                    return qualifier
                }
            }
            if let redirect {
                try Self.countLookup(&state)
                let target = try Self.expand(redirect, context: context)
                let result = await self.checkHost(domain: target.lowercased(), context: context, state: &state)
                if case .none = result { return .permerror("redirect to \(target), which has no SPF record") }
                return result
            }
        } catch Abort.result(let result) {
            return result
        } catch {
            return .permerror("\(error)")
        }
        return .neutral
    }

    private func matches(_ mechanism: String, context: MacroContext, state: inout State) async throws -> Bool {
        let (name, argument) = Self.split(mechanism)
        switch name {
        case "all":
            return true
        case "include":
            try Self.countLookup(&state)
            guard let argument else { throw Abort.result(.permerror("include without a domain")) }
            let target = try Self.expand(argument, context: context).lowercased()
            switch await self.checkHost(domain: target, context: context, state: &state) {
            case .pass: return true
            case .fail, .softfail, .neutral: return false
            case .temperror(let why): throw Abort.result(.temperror(why))
            case .permerror(let why): throw Abort.result(.permerror(why))
            case .none: throw Abort.result(.permerror("include:\(target) has no SPF record"))
            }
        case "a", "mx":
            try Self.countLookup(&state)
            let (domainSpec, cidr4, cidr6) = try Self.splitCIDR(argument)
            let target = try domainSpec.map { try Self.expand($0, context: context) } ?? context.domain
            var hosts = [target]
            if name == "mx" {
                hosts = try await self.lookup(state: &state) { try await self.resolver.mailExchangers(for: target) }
                guard hosts.count <= 10 else { throw Abort.result(.permerror("more than 10 MX names for \(target)")) }
            }
            for host in hosts {
                let addresses = try await self.lookup(state: &state) { try await self.resolver.addresses(for: host) }
                for address in addresses.compactMap(IPAddress.init) {
                    if context.ip.matches(address, prefix: context.ip.isIPv4 ? cidr4 : cidr6) { return true }
                }
            }
            return false
        case "ip4", "ip6":
            guard let argument else { throw Abort.result(.permerror("\(name) without an address")) }
            let pieces = argument.split(separator: "/", maxSplits: 1)
            guard let network = IPAddress(pieces[0]), network.isIPv4 == (name == "ip4") else {
                throw Abort.result(.permerror("bad address in \(mechanism)"))
            }
            let maximum = network.isIPv4 ? 32 : 128
            let prefix = pieces.count > 1 ? Int(pieces[1]) : maximum
            guard let prefix, prefix >= 0, prefix <= maximum else {
                throw Abort.result(.permerror("bad CIDR in \(mechanism)"))
            }
            return context.ip.matches(network, prefix: prefix)
        case "exists":
            try Self.countLookup(&state)
            guard let argument else { throw Abort.result(.permerror("exists without a domain")) }
            let target = try Self.expand(argument, context: context)
            let addresses = try await self.lookup(state: &state) { try await self.resolver.addresses(for: target) }
            return addresses.contains { IPAddress($0)?.isIPv4 == true }
        case "ptr":
            try Self.countLookup(&state)
            return false
        default:
            throw Abort.result(.permerror("unknown mechanism \(name)"))
        }
    }

    /// A lookup that counts towards the void-lookup limit when it finds nothing.
    private func lookup(state: inout State, _ query: () async throws -> [String]) async throws -> [String] {
        do {
            let answers = try await query()
            if answers.isEmpty {
                state.voidLookups += 1
                if state.voidLookups > 2 { throw Abort.result(.permerror("more than 2 void DNS lookups")) }
            }
            return answers
        } catch let error as MailDNSError {
            throw Abort.result(.temperror(error.description))
        }
    }

    private static func countLookup(_ state: inout State) throws {
        state.lookups += 1
        if state.lookups > 10 { throw Abort.result(.permerror("more than 10 DNS-querying terms")) }
    }

    private static func split(_ mechanism: String) -> (String, String?) {
        if let colon = mechanism.firstIndex(of: ":") {
            return (mechanism[..<colon].lowercased(), String(mechanism[mechanism.index(after: colon)...]))
        }
        if let slash = mechanism.firstIndex(of: "/") {
            return (mechanism[..<slash].lowercased(), String(mechanism[slash...]))
        }
        return (mechanism.lowercased(), nil)
    }

    // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
    private static func splitCIDR(_ argument: String?) throws -> (String?, Int, Int) {
        guard let argument else { return (nil, 32, 128) }
        var domain = Substring(argument)
        var cidr4 = 32
        var cidr6 = 128
        if let range = domain.range(of: "//") {
            guard let value = Int(domain[range.upperBound...]), value <= 128 else {
                throw Abort.result(.permerror("bad ip6 CIDR"))
            }
            cidr6 = value
            domain = domain[..<range.lowerBound]
        }
        if let slash = domain.lastIndex(of: "/") {
            guard let value = Int(domain[domain.index(after: slash)...]), value <= 32 else {
                throw Abort.result(.permerror("bad ip4 CIDR"))
            }
            cidr4 = value
            domain = domain[..<slash]
        }
        return (domain.isEmpty ? nil : String(domain), cidr4, cidr6)
    }

    static func isValidDomain(_ domain: String) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && domain.utf8.count <= 253 && labels.allSatisfy { !$0.isEmpty && $0.utf8.count <= 63 }
    }
}

extension Substring {
    fileprivate func range(of needle: String) -> Range<Substring.Index>? {
        var index = self.startIndex
        while index < self.endIndex {
            if self[index...].hasPrefix(needle) {
                return index..<self.index(index, offsetBy: needle.count)
            }
            index = self.index(after: index)
        }
        return nil
    }
}
