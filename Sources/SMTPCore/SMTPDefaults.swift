//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Every protocol limit of the SMTP server in one place, each with its RFC reason.
public enum SMTPDefaults {
    /// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets, CRLF included.
    public static let commandLineLimit = 512

    /// RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets, CRLF included.
    public static let textLineLimit = 1_000

    /// RFC 5321 §4.5.3.1.8 requires at least 100 recipients to be buffered; more get `452 4.5.3`.
    public static let maximumRecipients = 100

    /// The advertised and enforced message size (RFC 1870), 20 MiB like Postfix's `message_size_limit` scaled up.
    public static let maximumMessageSize = 20 * 1024 * 1024

    /// Errors (unknown, malformed or out-of-sequence commands) before the server says `421` and closes,
    /// like Postfix's `smtpd_hard_error_limit`.
    public static let maximumErrors = 20

    /// Errors answered at once; each later one waits a growing while (Postfix's `smtpd_soft_error_limit`
    /// and `smtpd_error_sleep_time`): a client that probes addresses or guesses commands slows down.
    public static let softErrorLimit = 3

    /// The wait added per error beyond ``softErrorLimit`` (one second more each time, ten at most).
    public static let errorSleepMilliseconds = 1_000
    public static let longestErrorSleepMilliseconds = 10_000

    /// NOOP, RSET, HELP, VRFY and EXPN a session may send before each one counts as an error
    /// (Postfix's `smtpd_junk_command_limit`); a transaction that commits starts the count again.
    public static let maximumJunkCommands = 100

    /// RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for the next command.
    public static let commandTimeoutSeconds = 300

    /// RFC 5321 §4.5.3.2.5: the client's data block timeout is 3 minutes; the server waits as long for the next block.
    public static let dataBlockTimeoutSeconds = 180

    /// RFC 4954 §4: an AUTH exchange line may be 12288 octets, longer than a command line.
    public static let authLineLimit = 12_288

    /// RFC 3030: the largest BDAT chunk accepted in one command (the message limit applies on top).
    public static let maximumChunkSize = 64 * 1024 * 1024
}
