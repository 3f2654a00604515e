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
    /// What the account's webhooks hear of it (queued in the same transaction).
    var webhook: WebhookNotice?

    init(_ event: AttestedEvent, evidenceID: String = EvidenceID.make()) {
        self.evidenceID = evidenceID
        self.queueID = event.queueID
        self.kind = event.kindName
        self.payload = EventJSONWriter.handles(event) ? Data(EventJSONWriter(event).bytes) : Self.encode(event)
        self.webhook = WebhookNotice.of(event, evidenceID: evidenceID)
    }

    /// The events the hand-written writer does not cover (rarer than acceptances and outcomes).
    private static func encode(_ event: AttestedEvent) -> Data {
        // Every member is a string, number, Bool, Date or a struct of those: encoding cannot fail.
        try! Self.encoder.encode(event)
    }

    /// One encoder for all (sorted keys, millisecond times), as ``OutboxEntry`` has one decoder.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()
}

/// Evidence ids: `E` and 26 Crockford base32 digits of 130 random bits. Random, so an id says
/// nothing about the message and a record cannot be re-created under its old id.
public enum EvidenceID {
    public static func make() -> String {
        "E" + RandomIdentifier.base32(digits: 26)
    }
}

/// Tracking tokens of certified copies: 26 base32 digits (130 random bits), lower-case, so that a
/// token in a pixel URL cannot be guessed from another.
public enum TrackingToken {
    public static func make() -> String {
        RandomIdentifier.base32(digits: 26).lowercased()
    }

    /// Whether `text` has a token's shape (checked before any lookup).
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 26
            && text.utf8.allSatisfy { byte in
                let upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte
                return QueueID.alphabet.contains(upper)
            }
    }
}

/// Random identifiers in the queue id's Crockford base32 alphabet, from the system's generator.
enum RandomIdentifier {
    static func base32(digits count: Int) -> String {
        // Each draw (a getrandom call) gives twelve five-bit digits.
        var generator = SystemRandomNumberGenerator()
        var characters: [UInt8] = []
        characters.reserveCapacity(count)
        while characters.count < count {
            var bits: UInt64 = generator.next()
            for _ in 0..<min(12, count - characters.count) {
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
