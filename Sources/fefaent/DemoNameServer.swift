//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import NIOCore
import NIOPosix

/// The demo's DNS: a loopback UDP server that answers TXT queries from a fixed zone (the outside
/// sender's SPF and DMARC records), so the daemon checks them through its real resolver.
struct DemoNameServer {
    let zone: [String: [String]]

    /// Starts on a free loopback port; returns the channel and the port.
    func start(group: any EventLoopGroup) async throws -> (any Channel, Int) {
        let zone = self.zone
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Responder(zone: zone))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return (channel, channel.localAddress?.port ?? 0)
    }

    final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let zone: [String: [String]]

        init(zone: [String: [String]]) { self.zone = zone }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let query = self.unwrapInboundIn(data)
            guard let answer = DemoNameServer.answer(Array(query.data.readableBytesView), zone: self.zone) else {
                return
            }
            context.writeAndFlush(
                self.wrapOutboundOut(
                    AddressedEnvelope(remoteAddress: query.remoteAddress, data: ByteBuffer(bytes: answer))
                ),
                promise: nil
            )
        }
    }

    /// The response to one query (RFC 1035 §4.1): the TXT records of the name when asked for TXT,
    /// no data for other types of a name the zone has, NXDOMAIN otherwise; `nil` for a malformed query.
    static func answer(_ query: [UInt8], zone: [String: [String]]) -> [UInt8]? {
        guard query.count >= 12, query[2] & 0x80 == 0 else { return nil }
        var index = 12
        var labels: [String] = []
        while index < query.count, query[index] != 0 {
            let length = Int(query[index])
            guard length < 64, index + 1 + length < query.count else { return nil }
            labels.append(String(decoding: query[(index + 1)...(index + length)], as: UTF8.self))
            index += 1 + length
        }
        guard index + 4 < query.count else { return nil }
        let questionEnd = index + 5
        let type = UInt16(query[index + 1]) << 8 | UInt16(query[index + 2])
        let name = labels.joined(separator: ".").lowercased()
        let records = zone[name]
        let known = records != nil || zone.keys.contains { $0.hasSuffix("." + name) }
        var response = Array(query[0..<2])
        response += [0x84 | (query[2] & 0x01), known ? 0x80 : 0x83]  // QR, AA, RD copied; RA; NXDOMAIN
        let answers = type == 16 ? (records ?? []) : []
        response += [0, 1, UInt8(answers.count >> 8), UInt8(answers.count & 0xFF), 0, 0, 0, 0]
        response += query[12..<questionEnd]
        for text in answers {
            var data: [UInt8] = []
            var bytes = Array(text.utf8)[...]
            repeat {
                let chunk = bytes.prefix(255)
                data.append(UInt8(chunk.count))
                data += chunk
                bytes = bytes.dropFirst(chunk.count)
            } while !bytes.isEmpty
            response += [0xC0, 0x0C, 0, 16, 0, 1, 0, 0, 0, 60, UInt8(data.count >> 8), UInt8(data.count & 0xFF)]
            response += data
        }
        return response
    }
}
