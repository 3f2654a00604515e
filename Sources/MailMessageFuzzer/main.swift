//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import MailMessage

// libFuzzer entry point over the MIME parser and the pixel rewriter.
//
//   swift build --product MailMessageFuzzer --scratch-path .build-fuzz \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING
//   .build-fuzz/debug/MailMessageFuzzer -max_total_time=60 CORPUS_DIR   (seed: ../shared/corpus/mail-gem)
//
/// libFuzzer entry point over the MIME parser and the pixel rewriter.
///
/// Checks, for any input: no crash or hang; parsing takes time linear in the size (at most
/// ``secondsPerByte`` a byte over a fixed allowance, with room for the sanitizers, so a quadratic path
/// such as closing 100,000 nested multiparts shows up as a failure, not a slow run); parsing in chunks
/// gives what parsing whole gives; the
/// rewritten message parses again, keeps every attachment's decoded bytes, and has no more
/// structural defects than the original.
/// The parser does a few hundred MB/s optimised and some MB/s under ASan and coverage: 2 µs a byte
/// is slower than any linear path, and far faster than a quadratic one on inputs of a few KB.
let secondsPerByte = 2e-6

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMe(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let clock = ContinuousClock()
    let began = clock.now
    let whole = MessageParser.parse(bytes)
    let elapsed = clock.now - began
    let allowance = Duration.milliseconds(50) + .nanoseconds(Int64(secondsPerByte * 1e9) * Int64(count))
    precondition(elapsed < allowance, "parsing \(count) bytes took \(elapsed): not linear in the size")

    let chunkSize = 1 + Int(bytes.first ?? 0) % 61
    var chunked = MessageParser()
    var index = 0
    while index < bytes.count {
        chunked.parse(bytes[index..<min(index + chunkSize, bytes.count)])
        index += chunkSize
    }
    precondition(chunked.finish() == whole, "chunked parse differs from whole parse")

    guard whole.isMail else { return 0 }
    _ = (whole.from, whole.to, whole.cc, whole.subject)
    let injector = PixelInjector(pixelHTML: PixelInjector.imageElement(url: "https://f.test/p.png"))
    let plan = injector.plan(for: whole, headerEdits: [.set(name: "Subject", value: "fuzz")]) { Array(bytes[$0]) }
    let rewritten = MessageParser.parse(plan.apply(to: bytes))
    precondition(rewritten.isMail, "the rewritten message is not mail")
    let attachments = { (message: ParsedMessage) in
        message.leaves.filter { $0.isAttachment && $0.mimeType != "text/html" }.map(\.sha256).sorted {
            $0.lexicographicallyPrecedes($1)
        }
    }
    precondition(attachments(rewritten) == attachments(whole), "the rewrite changed an attachment")
    return 0
}

#if FUZZING
// SwiftPM links an executable's entry point as `<Target>_main`, which hides libFuzzer's own `main`;
// this entry point hands control to libFuzzer's driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer, Int) -> CInt
) -> CInt

@_cdecl("MailMessageFuzzer_main")
public func fuzzerMain(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzMe)
}
#endif
