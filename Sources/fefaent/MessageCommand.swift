//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Foundation
import MailMessage

/// `fefaent message inspect|inject-pixel`: the message parser and rewriter, from the outside.
struct MessageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "message",
        abstract: "Read a message as Fefaent reads it, or rewrite it as a certified copy.",
        subcommands: [Inspect.self, InjectPixel.self, DKIMSign.self, DKIMVerify.self, SPF.self]
    )

    /// `fefaent message inspect FILE`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the parsed message as JSON: addresses, subject, and every part with its SHA-256."
        )

        @Argument(help: "An RFC 5322 message file (.eml).")
        var file: String

        func run() throws {
            let message = try MessageFile.parse(path: self.file)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let json = try encoder.encode(MessageReport(message))
            FileHandle.standardOutput.write(json + Data("\n".utf8))
        }
    }

    /// `fefaent message inject-pixel FILE --url URL`.
    struct InjectPixel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inject-pixel",
            abstract: "Write the message with a tracking pixel in its HTML (or a new HTML part) to standard output."
        )

        @Argument(help: "An RFC 5322 message file (.eml).")
        var file: String

        @Option(help: "The pixel's URL.")
        var url: String

        func run() throws {
            let message = try MessageFile.parse(path: self.file)
            let source = try MessageFile.Source(path: self.file)
            let injector = PixelInjector(pixelHTML: PixelInjector.imageElement(url: self.url))
            let plan = try injector.plan(for: message) { try source.read($0) }
            try source.write(plan, to: FileHandle.standardOutput)
            if plan.pixelsInserted == 0 {
                FileHandle.standardError.write(
                    Data("warning: no text part to carry a pixel; message copied unchanged\n".utf8)
                )
            }
        }
    }
}

/// Reading message files for the message commands: streamed through the parser, never read whole.
enum MessageFile {
    static let chunkSize = 256 * 1024

    static func parse(path: String) throws -> ParsedMessage {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CLIError("cannot open \(path)")
        }
        defer { try? handle.close() }
        var parser = MessageParser()
        while let chunk = try handle.read(upToCount: Self.chunkSize), !chunk.isEmpty {
            parser.parse(chunk)
        }
        let message = parser.finish()
        guard message.isMail else {
            throw CLIError("\(path) is not a mail message: it does not start with header fields (RFC 5322 §2.2)")
        }
        return message
    }

    /// Random access to the original bytes, for the parts a rewrite copies or re-encodes.
    struct Source {
        let handle: FileHandle

        init(path: String) throws {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CLIError("cannot open \(path)")
            }
            self.handle = handle
        }

        func read(_ range: Range<Int>) throws -> [UInt8] {
            try self.handle.seek(toOffset: UInt64(range.lowerBound))
            return [UInt8](try self.handle.read(upToCount: range.count) ?? Data())
        }

        func write(_ plan: RewritePlan, to output: FileHandle) throws {
            for step in plan.steps {
                switch step {
                case .insert(let bytes):
                    output.write(Data(bytes))
                case .copy(let range):
                    try self.stream(from: range.lowerBound, to: range.upperBound) { output.write(Data($0)) }
                }
            }
        }
    }
}

/// What `message inspect` prints.
struct MessageReport: Encodable {
    struct AddressReport: Encodable {
        var address: String
        var name: String?
    }

    struct PartReport: Encodable {
        var index: Int
        var parent: Int?
        var contentType: String
        var charset: String?
        var transferEncoding: String
        var disposition: String?
        var fileName: String?
        var isContainer: Bool
        var size: Int?
        var sha256: String?
    }

    var from: [AddressReport]
    var to: [AddressReport]
    var cc: [AddressReport]
    var subject: String?
    var messageId: String?
    var size: Int
    var parts: [PartReport]
    var defects: [String]

    init(_ message: ParsedMessage) {
        func report(_ addresses: [Address]) -> [AddressReport] {
            addresses.map { AddressReport(address: $0.address, name: $0.displayName) }
        }
        self.from = report(message.from)
        self.to = report(message.to)
        self.cc = report(message.cc)
        self.subject = message.subject
        self.messageId = message.messageID
        self.size = message.size
        self.parts = message.parts.map { part in
            PartReport(
                index: part.index,
                parent: part.parent,
                contentType: part.mimeType,
                charset: part.charset,
                transferEncoding: part.transferEncoding.name,
                disposition: part.disposition?.value,
                fileName: part.fileName,
                isContainer: part.isContainer,
                size: part.isContainer ? nil : part.decodedSize,
                sha256: part.isContainer ? nil : part.sha256Hex
            )
        }
        self.defects = message.defects.map(\.description)
    }
}
