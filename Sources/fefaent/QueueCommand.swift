//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import FefaentServer
import Foundation
import Spool

/// `fefaent queue list` / `queue show ID`: read the queue, also while the daemon runs.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Inspect the queue.",
        subcommands: [List.self, Show.self, Flush.self, Hold.self, Release.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List queued messages, oldest first.")

        @OptionGroup var options: ConfigOption
        @Flag(help: "Print JSON, one object per message.") var json = false

        func run() async throws {
            let (database, _) = try openQueue(self.options.config)
            let messages = try database.messages()
            if self.json {
                let rows = try messages.map { message in
                    messageJSON(message, recipients: try database.recipients(of: message.id))
                }
                print(try jsonString(rows))
                return
            }
            print("QUEUE ID           SIZE  ARRIVAL (UTC)        STATE   SENDER / RECIPIENTS")
            for message in messages {
                let recipients = try database.recipients(of: message.id)
                print(
                    message.id.padding(toLength: 17, withPad: " ", startingAt: 0),
                    String(message.size).leftPad(6),
                    utc(message.receivedAt),
                    message.state.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0),
                    message.sender.isEmpty ? "<>" : DisplaySafe.escape(message.sender)
                )
                for recipient in recipients {
                    // Addresses and replies come from the network: printed escaped (control and bidi characters).
                    var line =
                        String(repeating: " ", count: 56)
                        + "\(DisplaySafe.escape(recipient.address))  \(recipient.state.rawValue)"
                    if recipient.state == .deferred, let next = recipient.nextAttemptAt {
                        line += ", next try \(utc(next))"
                    }
                    print(line)
                    if let reply = recipient.lastReply {
                        print(String(repeating: " ", count: 58) + "(\(DisplaySafe.escape(reply)))")
                    }
                }
            }
            print("-- \(messages.count) message\(messages.count == 1 ? "" : "s")")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one message: envelope, recipients, storage.")

        @OptionGroup var options: ConfigOption
        @Argument(help: "The queue id.") var id: String
        @Flag(help: "Print the stored message (Received header included) instead.") var raw = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (database, layout) = try openQueue(self.options.config)
            guard let message = try database.message(id: self.id) else {
                throw CLIError("no message \(self.id) in the queue")
            }
            let recipients = try database.recipients(of: message.id)
            if self.raw {
                FileHandle.standardOutput.write(Data(try layout.contents(of: message)))
                return
            }
            if self.json {
                print(try jsonString(messageJSON(message, recipients: recipients)))
                return
            }
            print("queue id      \(message.id)")
            print(
                "received      \(utc(message.receivedAt)) from \(DisplaySafe.escape(message.helo)) [\(message.clientAddress)]"
            )
            print("              on \(message.listener), \(message.protocolName)\(message.tls.map { ", \($0)" } ?? "")")
            if let user = message.authUser { print("account       \(user)") }
            print("sender        <\(DisplaySafe.escape(message.sender))>")
            print("size          \(message.size) octets, sha256 \(message.sha256)")
            print(
                "stored        \(message.path) at \(message.offset), \(message.length) octets (\(message.storage.rawValue))"
            )
            print("state         \(message.state.rawValue)")
            for recipient in recipients {
                var line =
                    "recipient     <\(DisplaySafe.escape(recipient.address))> \(recipient.kind) \(recipient.state.rawValue)"
                if let notify = recipient.notify { line += " NOTIFY=\(notify)" }
                if let orcpt = recipient.orcpt { line += " ORCPT=\(DisplaySafe.escape(orcpt))" }
                print(line)
            }
        }
    }

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Try deferred recipients now: of one message, or of all (like postqueue -f / -i)."
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "A queue id; all messages when left out.") var id: String?

        func run() async throws {
            let (database, _) = try openQueue(self.options.config)
            let count = try database.flush(messageID: self.id, now: Date())
            print("\(count) recipient\(count == 1 ? "" : "s") due now")
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep a message from being delivered (postsuper -h).")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The queue id.") var id: String

        func run() async throws {
            let (database, _) = try openQueue(self.options.config)
            guard try database.hold(messageID: self.id) else { throw CLIError("no queued message \(self.id)") }
            print("\(self.id) on hold")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a held message (postsuper -H).")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The queue id.") var id: String

        func run() async throws {
            let (database, _) = try openQueue(self.options.config)
            guard try database.release(messageID: self.id) else { throw CLIError("no held message \(self.id)") }
            print("\(self.id) released")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a message from the active queue without delivering it (postsuper -d)."
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The queue id.") var id: String

        func run() async throws {
            let (database, _) = try openQueue(self.options.config)
            guard try database.delete(messageID: self.id, now: Date()) else {
                throw CLIError("no active message \(self.id)")
            }
            print("\(self.id) deleted")
        }
    }
}

func openQueue(_ configPath: String) throws -> (SpoolDatabase, SpoolLayout) {
    let configuration = try loadConfiguration(configPath)
    let layout = SpoolLayout(root: configuration.spoolDirectory)
    let path = layout.path(SpoolLayout.databaseFile)
    guard FileManager.default.fileExists(atPath: path) else {
        throw CLIError("no queue at \(path): the daemon has not run with this configuration yet")
    }
    return (try SpoolDatabase.open(path: path), layout)
}

func messageJSON(_ message: QueuedMessage, recipients: [QueuedRecipient]) -> [String: Any] {
    var object: [String: Any] = [
        "id": message.id, "received_at": utc(message.receivedAt), "sender": message.sender, "size": message.size,
        "sha256": message.sha256, "header_length": message.headerLength, "storage": message.storage.rawValue,
        "path": message.path, "offset": message.offset, "length": message.length, "helo": message.helo,
        "client_address": message.clientAddress, "listener": message.listener, "protocol": message.protocolName,
        "smtputf8": message.smtputf8, "state": message.state.rawValue
    ]
    object["auth_user"] = message.authUser
    object["tls"] = message.tls
    object["body"] = message.body
    object["dsn_ret"] = message.dsnRet
    object["dsn_envid"] = message.dsnEnvid
    object["recipients"] = recipients.map { recipient -> [String: Any] in
        var row: [String: Any] = [
            "address": recipient.address, "kind": recipient.kind, "state": recipient.state.rawValue
        ]
        row["notify"] = recipient.notify
        row["orcpt"] = recipient.orcpt
        row["attempts"] = recipient.attempts
        row["next_attempt_at"] = recipient.nextAttemptAt.map(utc)
        row["last_reply"] = recipient.lastReply
        row["remote_ip"] = recipient.remoteIp
        return row
    }
    return object
}

func jsonString(_ object: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    return String(decoding: data, as: UTF8.self)
}

func utc(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: date)
}

extension String {
    func leftPad(_ width: Int) -> String {
        self.count >= width ? self : String(repeating: " ", count: width - self.count) + self
    }
}
