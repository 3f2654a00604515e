//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import MailMessage

/// Measures the MIME parser: `MailMessageBenchmark big FILE [ROUNDS]` streams one large message from
/// disk in 256 KiB reads (throughput, and peak memory above the baseline); `MailMessageBenchmark corpus
/// ROUNDS FILE...` parses messages held in memory (messages and megabytes per second).
///
/// Driven by bench/message.sh, which also times Python's email package on the same corpus.
@main
enum MailMessageBenchmark {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3 else {
            print("usage: MailMessageBenchmark big FILE [ROUNDS] | corpus ROUNDS FILE...")
            exit(2)
        }
        switch arguments[1] {
        case "big":
            try self.big(path: arguments[2], rounds: arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5)
        case "corpus":
            try self.corpus(rounds: Int(arguments[2]) ?? 20, paths: Array(arguments.dropFirst(3)))
        default:
            print("unknown mode \(arguments[1])")
            exit(2)
        }
    }

    static func big(path: String, rounds: Int) throws {
        let chunkSize = 256 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        // Warm up first (libraries load, BoringSSL initialises, Foundation formats), so the baseline is the
        // process ready to parse and the difference is what the message itself costs.
        let warmUp = MessageParser.parse(Array("Subject: warm-up\r\n\r\nhello\r\n".utf8))
        _ = String(format: "%.1f %@", Double(warmUp.size), warmUp.leaves.first?.sha256Hex ?? "")
        let baseline = self.memory().rss
        var best = Double.infinity
        var size = 0
        var digest = ""
        for _ in 0..<rounds {
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw CocoaError(.fileNoSuchFile) }
            let start = DispatchTime.now().uptimeNanoseconds
            var parser = MessageParser()
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, chunkSize) }
                if count <= 0 { break }
                chunk.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            }
            let message = parser.finish()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            close(descriptor)
            best = min(best, seconds)
            size = message.size
            digest = message.leaves.map { "\($0.mimeType) \($0.decodedSize) \($0.sha256Hex.prefix(16))" }.joined(
                separator: ", "
            )
        }
        let peak = self.memory().peak
        print("parts: \(digest)")
        print(
            String(
                format:
                    "big: %.1f MB in %.3f s (best of %d) = %.0f MB/s; peak RSS %.2f MiB above the %.2f MiB baseline",
                Double(size) / 1e6,
                best,
                rounds,
                Double(size) / 1e6 / best,
                Double(peak - baseline) / 1_048_576,
                Double(baseline) / 1_048_576
            )
        )
    }

    static func corpus(rounds: Int, paths: [String]) throws {
        let messages = try paths.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let bytes = messages.reduce(0) { $0 + $1.count }
        var best = Double.infinity
        var parts = 0
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            parts = 0
            for message in messages {
                parts += MessageParser.parse(message).parts.count
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        print(
            String(
                format: "corpus: %d messages, %d parts, %.2f MB in %.4f s (best of %d) = %.0f messages/s, %.1f MB/s",
                messages.count,
                parts,
                Double(bytes) / 1e6,
                best,
                rounds,
                Double(messages.count) / best,
                Double(bytes) / 1e6 / best
            )
        )
    }

    /// Resident and peak resident set size (VmRSS, VmHWM) in bytes.
    static func memory() -> (rss: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func value(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0) * 1024
        }
        return (value("VmRSS:"), value("VmHWM:"))
    }
}
