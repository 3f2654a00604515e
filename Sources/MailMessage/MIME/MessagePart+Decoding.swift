//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

extension MessagePart {
    /// The part's body decoded from its transfer encoding (base64, quoted-printable, or as it is),
    /// read from `content`, the message the part was parsed from: the octets whose SHA-256 is ``sha256``.
    public func decodedBody(in content: [UInt8]) -> [UInt8] {
        let start = min(self.bodyStart, content.count)
        let end = min(max(self.bodyEnd, start), content.count)
        var decoder = BodyDecoderState(encoding: self.transferEncoding, captureLimit: Int.max)
        content.withUnsafeBufferPointer { buffer in
            var lineStart = start
            var index = start
            while index < end {
                guard buffer[index] == 0x0A else {
                    index += 1
                    continue
                }
                let crlf = index > lineStart && buffer[index - 1] == 0x0D
                let lineEnd = crlf ? index - 1 : index
                decoder.feedContent(UnsafeBufferPointer(rebasing: buffer[lineStart..<lineEnd]))
                // The body's last line ending belongs to the boundary that follows (RFC 2046 §5.1.1),
                // except at the end of a message: it is fed only when more of the body follows.
                if index + 1 < end || self.bodyEnd >= content.count {
                    decoder.feedTerminator(crlf ? .carriageReturnLineFeed : .lineFeed)
                }
                index += 1
                lineStart = index
            }
            if lineStart < end {
                decoder.feedContent(UnsafeBufferPointer(rebasing: buffer[lineStart..<end]))
            }
        }
        return decoder.finish().captured
    }
}
