//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOCore
import Testing

@testable import SMTPCore

@Suite("Reply encoding")
struct ReplyTests {
    @Test func singleLineWithEnhancedCode() {
        #expect(Reply.relayDenied.description == "550 5.7.1 Relay access denied\r\n")
    }

    @Test func multiLineUsesDashesUntilTheLast() {
        let reply = Reply.ehlo("mx.test", greeting: "c.test", capabilities: ["PIPELINING", "8BITMIME"])
        #expect(reply.description == "250-mx.test greets c.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
    }

    @Test func controlCharactersCannotSplitAReply() {
        let reply = Reply(.ok, nil, "a\r\n250 fake")
        #expect(reply.description == "250 a  250 fake\r\n")
    }

    @Test func receivedHeaderIsFoldedAndDated() {
        let header = ReceivedHeader(
            heloName: "c.test;evil",
            clientAddress: "127.0.0.1",
            hostname: "mx.test",
            protocolName: "ESMTPS",
            queueID: "ID1",
            tls: "TLSv1.3",
            recipient: "a@mx.test",
            epochSeconds: 1_795_420_800
        )
        #expect(
            header.encoded
                == "Received: from c.test?evil ([127.0.0.1])\r\n\tby mx.test (Fefaent) with ESMTPS id ID1\r\n"
                + "\t(using TLSv1.3)\r\n\tfor <a@mx.test>;\r\n\tMon, 23 Nov 2026 08:00:00 +0000\r\n"
        )
    }

    @Test(arguments: [
        (Int64(0), "Thu, 1 Jan 1970 00:00:00 +0000"),
        (Int64(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000"),
        (Int64(4_133_980_799), "Fri, 31 Dec 2100 23:59:59 +0000")
    ])
    func rfc5322Dates(_ seconds: Int64, _ expected: String) {
        #expect(RFC5322Date.format(epochSeconds: seconds) == expected)
    }
}
