//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOCore
import SMTPCore

// libFuzzer entry point over the framer, the command parser and the server state machine.
//
// Build and run (see README, "Fuzzing"):
//   swift build --product SMTPFuzzer --scratch-path .build-fuzz \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING
//   .build-fuzz/debug/SMTPFuzzer -max_total_time=60 Fuzz/corpus
//
// The input is a client's byte stream, cut into reads at every 0xFF octet so that split
// commands and split DATA are exercised too. The driver acts as the channel handler does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMe(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
        _ = try? CommandParser.parseCommand(line: ByteBuffer(bytes: line))
    }
    var configuration = ServerSessionConfiguration(
        hostname: "mx.fuzz",
        maximumRecipients: 5,
        maximumMessageSize: 4096,
        maximumErrors: 50,
        startTLSAvailable: true,
        policy: IngressPolicy(certifierAddresses: ["certify@fefaent.fuzz"])
    )
    configuration.authenticationEnabled = count % 2 == 0
    configuration.plaintextAuthenticationAllowed = count % 3 == 0
    var machine = ServerSessionStateMachine(configuration: configuration)
    var framer = InboundFramer()
    var queued = 0
    _ = machine.connected()

    func perform(_ action: ServerSessionStateMachine.Action) {
        switch action {
        case .none, .reply, .delayedReply, .sendChallenge, .abortMessage:
            break
        case .replyAndClose, .repliesAndClose:
            break
        case .startTLS:
            framer.discardBufferedInput()
            perform(machine.tlsEstablished())
        case .startData:
            framer.enterData()
        case .readChunk(let size, let newMessage):
            if newMessage != nil { framer.beginChunkedMessage() }
            framer.enterChunk(size: size)
        case .commitMessage:
            queued += 1
            perform(queued % 4 == 0 ? machine.messageCommitFailed() : machine.messageCommitted(queueID: "Q\(queued)"))
        case .verifyCredentials(let credentials):
            perform(machine.credentialsVerified(user: credentials.password == "pw" ? credentials.username : nil))
        }
    }

    for read in bytes.split(separator: 0xFF, omittingEmptySubsequences: false) {
        framer.append(ByteBuffer(bytes: read))
        while !machine.isClosed, let frame = framer.nextFrame() {
            switch frame {
            case .line(let line):
                perform(machine.receivedLine(line))
                framer.lineLimit = machine.isAuthenticating ? SMTPDefaults.authLineLimit : SMTPDefaults.commandLineLimit
            case .badLine(let bad):
                perform(machine.receivedBadLine(bad))
            case .messageBytes(let bytes):
                _ = machine.receivedMessageBytes(count: bytes.readableBytes)
            case .endOfMessage(let defects):
                perform(machine.receivedEndOfMessage(defects))
            case .endOfChunk(let defects):
                perform(machine.receivedEndOfChunk(defects))
            }
        }
        if machine.isClosed { break }
    }
    _ = machine.shutdownRequested()
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

@_cdecl("SMTPFuzzer_main")
public func fuzzerMain(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzMe)
}
#endif
