//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Delivery
import Foundation
import MailMessage
import NIOPosix

extension MessageCommand {
    /// `fefaent message dkim-sign FILE --key PEM --domain D --selector S`.
    struct DKIMSign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dkim-sign",
            abstract:
                "Write the message with a DKIM-Signature (relaxed/relaxed; rsa-sha256 or ed25519-sha256 by key type)."
        )

        @Argument(help: "An RFC 5322 message file (.eml), CRLF line ends.")
        var file: String

        @Option(help: "The private key, PEM: RSA (2048 bits or more) or Ed25519.")
        var key: String

        @Option(help: "The signing domain (d=).")
        var domain: String

        @Option(help: "The selector (s=).")
        var selector: String

        func run() throws {
            let pem: String
            do {
                pem = try String(contentsOfFile: self.key, encoding: .utf8)
            } catch {
                throw CLIError("cannot read the key \(self.key)")
            }
            let signer: DKIMSigner
            do {
                signer = DKIMSigner(domain: self.domain, selector: self.selector, key: try DKIMSigner.Key(pem: pem))
            } catch {
                throw CLIError("\(self.key): \(error.description)")
            }
            let message = try MessageFile.parse(path: self.file)
            let source = try MessageFile.Source(path: self.file)
            var hasher = DKIMBodyHasher(canonicalization: .relaxed)
            try source.stream(from: message.parts[0].bodyStart, to: message.size) { hasher.update($0) }
            let field = try signer.signatureField(
                headers: message.headers,
                bodyHash: hasher.finalize(),
                timestamp: Int(Date().timeIntervalSince1970)
            )
            FileHandle.standardOutput.write(Data(field.raw))
            try source.stream(from: 0, to: message.size) { FileHandle.standardOutput.write(Data($0)) }
        }
    }

    /// `fefaent message dkim-verify FILE [--nameserver HOST:PORT]`.
    struct DKIMVerify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dkim-verify",
            abstract: "Check every DKIM signature of a message; exit 0 only if one passes."
        )

        @Argument(help: "An RFC 5322 message file (.eml).")
        var file: String

        @Option(help: "A DNS server to ask instead of the system's, as HOST:PORT.")
        var nameserver: String?

        func run() async throws {
            let message = try MessageFile.parse(path: self.file)
            let source = try MessageFile.Source(path: self.file)
            let server = try parseNameserver(self.nameserver)
            let dns = LibresolvMailDNS(resolver: DNSResolver(nameserver: server, threadPool: .singleton))
            let verifier = DKIMVerifier(resolver: dns, now: Int(Date().timeIntervalSince1970))
            var readError: (any Error)? = nil
            let results = await verifier.verify(headers: message.headers) { hasher in
                do {
                    try source.stream(from: message.parts[0].bodyStart, to: message.size) { hasher.update($0) }
                } catch {
                    readError = error
                }
            }
            if let readError { throw readError }
            if results.isEmpty {
                print("dkim=none (the message has no DKIM-Signature)")
                throw ExitCode(1)
            }
            for result in results {
                print("dkim=\(result)")
            }
            if !results.contains(where: {
                guard case .pass = $0 else { return false }
                return true
            }) {
                throw ExitCode(1)
            }
        }
    }
}

extension MessageFile.Source {
    /// Hands the bytes of `start..<end` to `body` in chunks.
    func stream(from start: Int, to end: Int, _ body: ([UInt8]) throws -> Void) throws {
        var offset = start
        while offset < end {
            let count = min(MessageFile.chunkSize, end - offset)
            try body(try self.read(offset..<(offset + count)))
            offset += count
        }
    }
}

extension MessageCommand {
    /// `fefaent message spf --ip IP --domain D [--sender S] [--helo H] [--nameserver HOST:PORT]`.
    struct SPF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "spf",
            abstract: "Evaluate a domain's SPF policy for a client IP (RFC 7208); exit 0 only on pass."
        )

        @Option(help: "The client's IP address.")
        var ip: String

        @Option(help: "The domain whose policy applies (the MAIL FROM domain).")
        var domain: String

        @Option(help: "The MAIL FROM address (for macros); default postmaster@DOMAIN.")
        var sender: String?

        @Option(help: "The HELO name (for macros).")
        var helo: String = ""

        @Option(help: "A DNS server to ask instead of the system's, as HOST:PORT.")
        var nameserver: String?

        func run() async throws {
            guard let address = IPAddress(self.ip) else {
                throw CLIError("\(self.ip) is not an IPv4 or IPv6 address")
            }
            let resolver = DNSResolver(nameserver: try parseNameserver(self.nameserver), threadPool: .singleton)
            let result = await SPFEvaluator(resolver: LibresolvMailDNS(resolver: resolver))
                .check(
                    ip: address,
                    domain: self.domain,
                    sender: self.sender ?? "postmaster@\(self.domain)",
                    helo: self.helo
                )
            print("spf=\(result) (ip=\(address) domain=\(self.domain.lowercased()))")
            if result != .pass {
                throw ExitCode(1)
            }
        }
    }
}

/// `HOST:PORT` of the --nameserver options.
func parseNameserver(_ text: String?) throws -> (host: String, port: Int)? {
    guard let text else { return nil }
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
        throw CLIError("--nameserver must be HOST:PORT")
    }
    return (String(text[..<colon]), port)
}
