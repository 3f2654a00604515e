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

/// `fefaent webhook add|list|test|log|remove`: an account's webhooks and what was sent to them.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Manage webhooks: signed HTTP calls to an account's application when its mail moves.",
        discussion: """
            Events: \(WebhookEvent.allCases.filter { $0 != .test }.map(\.rawValue).joined(separator: ", ")).
            Each call is signed as Standard Webhooks says (webhook-id, webhook-timestamp,
            webhook-signature: HMAC-SHA256 with the secret `add` prints). A call answered with
            anything but 2xx is tried again for a day.
            """,
        subcommands: [Add.self, List.self, Test.self, Log.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a webhook and print its secret once.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The account whose events are sent.") var account: String
        @Argument(help: "The https:// (or http://) URL the events are POSTed to.") var url: String
        @Option(parsing: .upToNextOption, help: "The events to send (default: all).") var events: [String] = []

        func run() async throws {
            guard let parsed = URL(string: self.url), ["http", "https"].contains(parsed.scheme ?? ""),
                parsed.host != nil
            else { throw CLIError("\(self.url) is not an http:// or https:// URL") }
            let names = self.events.flatMap { $0.split(separator: ",").map(String.init) }
            var chosen: [WebhookEvent] = []
            for name in names {
                guard let event = WebhookEvent(rawValue: name), event != .test else {
                    throw CLIError(
                        "no event \(name); choose from accepted, delivered, failed, fetched, received, opened-document"
                    )
                }
                chosen.append(event)
            }
            if chosen.isEmpty { chosen = WebhookEvent.allCases.filter { $0 != .test } }
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard try database.account(named: self.account) != nil else { throw CLIError("no account \(self.account)") }
            let hook = try database.addWebhook(account: self.account, url: self.url, events: chosen)
            print("webhook \(hook.id ?? 0) of \(self.account): \(hook.url) (\(hook.events))")
            print("secret: \(hook.secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhooks (without their secrets).")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Only this account's webhooks.") var account: String?

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            let hooks = try database.webhooks(account: self.account)
            guard !hooks.isEmpty else { return print("no webhooks") }
            for hook in hooks {
                let state = hook.disabledAt == nil ? "active" : "removed"
                print("\(hook.id ?? 0)  \(hook.account)  \(state)  \(hook.url)  \(hook.events)")
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a webhook.test event and show what the receiver answered (the running server sends it)."
        )
        @OptionGroup var options: ConfigOption
        @Argument(help: "The webhook's id.") var id: Int64
        @Option(help: "How long to wait for the first attempt, in seconds.") var wait: Int = 15

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard let hook = try database.webhook(id: self.id), hook.disabledAt == nil else {
                throw CLIError("no active webhook \(self.id)")
            }
            let delivery = try database.queueWebhookTest(id: self.id)
            let deadline = Date().addingTimeInterval(TimeInterval(self.wait))
            while Date() < deadline {
                if let (_, attempts) = try database.webhookLog(id: self.id, limit: 20).first(where: {
                    $0.0.id == delivery
                }),
                    let first = attempts.first
                {
                    print("test event sent to \(hook.url): " + describe(first))
                    if !first.succeeded { throw ExitCode(1) }
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            print("test event queued; no attempt within \(self.wait) s (is fefaent serve running?)")
            throw ExitCode(1)
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a webhook's events and every attempt.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The webhook's id.") var id: Int64
        @Option(help: "How many events, newest first.") var limit: Int = 50

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard try database.webhook(id: self.id) != nil else { throw CLIError("no webhook \(self.id)") }
            let format = ISO8601DateFormatter()
            for (delivery, attempts) in try database.webhookLog(id: self.id, limit: self.limit) {
                let next = delivery.nextAttemptAt.map { ", next attempt " + format.string(from: $0) } ?? ""
                print("\(delivery.eventID)  \(delivery.eventType)  \(delivery.state.rawValue)\(next)")
                for attempt in attempts {
                    print("    " + describe(attempt))
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a webhook (its log stays).")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The webhook's id.") var id: Int64

        func run() async throws {
            let database = try openOrCreateQueue(try loadConfiguration(self.options.config))
            guard try database.disableWebhook(id: self.id) else { throw CLIError("no active webhook \(self.id)") }
            print("webhook \(self.id) removed")
        }
    }
}

private func describe(_ attempt: WebhookAttempt) -> String {
    let when = ISO8601DateFormatter().string(from: attempt.at)
    let outcome = attempt.status.map { "HTTP \($0)" } ?? "no answer: \(attempt.error ?? "")"
    return "\(when)  \(outcome)  \(attempt.durationMilliseconds) ms\(attempt.succeeded ? "  delivered" : "")"
}
