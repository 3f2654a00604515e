//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Synchronization
import X509

/// Fefaent's built-in time-stamping authority: RFC 3161 tokens signed by the TSA certificate that
/// `fefaent keys init` makes (critical EKU timeStamping), for the default setup. Production setups
/// name an external TSA instead (``TimeStampClient``).
///
/// - SeeAlso: [RFC 3161 §2.4.2](https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2)
public final class TimeStampAuthority: Sendable {
    let signer: CMSSigner
    private let serial = Mutex<UInt64>(0)
    private let serialPrefix: UInt64

    public init(signer: CMSSigner) {
        self.signer = signer
        // Serial numbers must be unique per TSA: the start time in milliseconds, then a counter.
        self.serialPrefix = UInt64(UTCDateTime.now().millisecondsSinceEpoch)
    }

    /// A `TimeStampToken` (a CMS ContentInfo) over `digest`, stamped now.
    public func token(for digest: [UInt8], nonce: [UInt8]? = nil, at time: UTCDateTime = .now()) throws -> [UInt8] {
        let counter = self.serial.withLock { value -> UInt64 in
            value += 1
            return value
        }
        var serialBytes: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) {
            serialBytes.append(UInt8(truncatingIfNeeded: self.serialPrefix >> UInt64(shift)))
        }
        for shift in stride(from: 24, through: 0, by: -8) {
            serialBytes.append(UInt8(truncatingIfNeeded: counter >> UInt64(shift)))
        }
        // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, accuracy, [ordering], [nonce] }
        var tstInfo =
            DERWriter.integer(1)
            + DERWriter.objectIdentifier(OID.fefaentTimeStampPolicy)
            + TimeStampRequest.messageImprint(digest)
            + DERWriter.unsignedInteger(serialBytes)
            + DERWriter.generalizedTime(time)
            + DERWriter.sequence(DERWriter.tlv(0x80, [0x01]))  // accuracy: millis [0] IMPLICIT 1
        if let nonce { tstInfo += DERWriter.unsignedInteger(nonce) }
        let content = DERWriter.tlv(0x30, tstInfo)
        let signature = try self.signer.sign(content: content, contentType: OID.tstInfo, time: time)
        return try self.signer.assemble(signature, contentType: OID.tstInfo, encapsulated: content)
    }

    /// Answers a DER `TimeStampReq` with a DER `TimeStampResp` (status granted), or a rejection.
    public func respond(to requestDER: [UInt8]) -> [UInt8] {
        do {
            let request = try TimeStampRequest(der: requestDER)
            let token = try self.token(for: request.digest, nonce: request.nonce)
            return DERWriter.sequence(DERWriter.sequence(DERWriter.integer(0)), token)
        } catch {
            // PKIStatus rejection(2), failInfo badDataFormat(5).
            return DERWriter.sequence(DERWriter.sequence(DERWriter.integer(2), DERWriter.tlv(0x03, [0x02, 0x04])))
        }
    }
}
