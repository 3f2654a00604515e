//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// The limits of the MailMessage module, each with its reason.
public enum MailMessageDefaults {
    /// RFC 5322 §2.1.1: a line must not be longer than 998 characters plus CRLF.
    public static let maximumLineLength = 998
    /// RFC 5322 §2.1.1: lines should be no longer than 78 characters plus CRLF.
    public static let preferredLineLength = 78
    /// RFC 2045 §6.7 (5) and §6.8: encoded lines are at most 76 characters.
    public static let encodedLineLength = 76
    /// Real header blocks are a few KiB; 1 MiB holds any honest one (long Received chains, ARC sets).
    public static let maximumHeaderBlockSize = 1 << 20
    /// Real mail nests a few levels (a forwarded message in a multipart/mixed in a multipart/signed…);
    /// Postfix's `mime_nesting_limit` is 100, and deeper mail is an attack on parsers.
    public static let maximumNestingDepth = 100
    /// RFC 2046 §5.1.1: a boundary is at most 70 characters; with `--`, `--` and padding a boundary line
    /// is short. Anything longer is content and is streamed on without being buffered.
    public static let longestBoundaryLine = 4096
}
