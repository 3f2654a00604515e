//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// Folds a header field so no line is longer than 78 characters where it can break at whitespace,
/// and never longer than 998.
///
/// - SeeAlso: [RFC 5322 §2.1.1 and §2.2.3](https://www.rfc-editor.org/rfc/rfc5322#section-2.1.1)
enum HeaderFolding {
    static let preferredLineLength = 78
    static let maximumLineLength = 998

    static func fold(name: String, value: String, lineEnding: [UInt8] = [0x0D, 0x0A]) -> [UInt8] {
        var output = Array(name.utf8)
        output.append(UInt8(ascii: ":"))
        var lineLength = output.count
        let words = value.split(separator: " ", omittingEmptySubsequences: true)
        for word in words {
            var word = Array(word.utf8)
            if lineLength + 1 + word.count > Self.preferredLineLength, lineLength > name.utf8.count + 1 {
                output.append(contentsOf: lineEnding)
                lineLength = 0
            }
            output.append(UInt8(ascii: " "))
            lineLength += 1
            // A single word longer than a line can hold is cut; this only happens to opaque tokens.
            while lineLength + word.count > Self.maximumLineLength {
                let room = Self.maximumLineLength - lineLength
                output.append(contentsOf: word[..<room])
                output.append(contentsOf: lineEnding + [UInt8(ascii: " ")])
                word.removeFirst(room)
                lineLength = 1
            }
            output.append(contentsOf: word)
            lineLength += word.count
        }
        output.append(contentsOf: lineEnding)
        return output
    }
}
