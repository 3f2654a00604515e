//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

public import Foundation

/// An attested event waiting in the outbox for the evidence writer, with the evidence id it was given
/// when it happened (so a notice can name its evidence before the record is signed).
public struct OutboxEntry: Hashable, Sendable {
    /// The outbox row id: the evidence writer signs entries in this order.
    public var sequence: Int64
    public var evidenceID: String
    public var event: AttestedEvent

    public init(sequence: Int64, evidenceID: String, event: AttestedEvent) {
        self.sequence = sequence
        self.evidenceID = evidenceID
        self.event = event
    }

    static func decode(_ data: Data) throws -> AttestedEvent {
        try self.decoder.decode(AttestedEvent.self, from: data)
    }

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}

/// An event encoded for the outbox with its evidence id, before the transaction that inserts it:
/// the spool's committer holds the database's write lock for the insert only.
struct EncodedEvent: Sendable {
    var evidenceID: String
    var queueID: String
    var kind: String
    /// The stored form: JSON with sorted keys and millisecond times.
    var payload: Data

    init(_ event: AttestedEvent) {
        self.evidenceID = EvidenceID.make()
        self.queueID = event.queueID
        self.kind = event.kindName
        self.payload = Data(EventJSONWriter(event).bytes)
    }
}

/// Evidence ids: `E` and 26 Crockford base32 digits of 130 random bits. Random, so an id says
/// nothing about the message and a record cannot be re-created under its old id.
public enum EvidenceID {
    public static func make() -> String {
        // Three draws from the system's generator (each a getrandom call), five bits a digit: twelve
        // digits from each of the first two, two from the third.
        var generator = SystemRandomNumberGenerator()
        var characters: [UInt8] = [UInt8(ascii: "E")]
        characters.reserveCapacity(27)
        for digits in [12, 12, 2] {
            var bits: UInt64 = generator.next()
            for _ in 0..<digits {
                characters.append(QueueID.alphabet[Int(bits & 31)])
                bits >>= 5
            }
        }
        return String(decoding: characters, as: UTF8.self)
    }
}

/// The log head the queue database last saw checkpointed: the start-up check compares the evidence
/// log against it, so a deleted, shortened or rewritten log stops the daemon instead of being rebuilt.
public struct EvidenceAnchor: Hashable, Sendable {
    public var size: Int
    public var root: [UInt8]
    /// The signed checkpoint note itself.
    public var note: String
    public var updatedAt: Date

    public init(size: Int, root: [UInt8], note: String, updatedAt: Date) {
        self.size = size
        self.root = root
        self.note = note
        self.updatedAt = updatedAt
    }
}
