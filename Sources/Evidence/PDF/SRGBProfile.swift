//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

/// A small ICC v2 display profile for sRGB (IEC 61966-2.1 primaries adapted to the D50 connection
/// space, a 2.2 tone curve): the output intent a PDF/A file names for its device RGB colours.
enum SRGBProfile {
    static let bytes: [UInt8] = {
        func u32(_ value: UInt32) -> [UInt8] {
            [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        /// s15Fixed16Number.
        func fixed(_ value: Double) -> [UInt8] { u32(UInt32(bitPattern: Int32((value * 65_536).rounded()))) }
        func xyz(_ x: Double, _ y: Double, _ z: Double) -> [UInt8] {
            Array("XYZ ".utf8) + [0, 0, 0, 0] + fixed(x) + fixed(y) + fixed(z)
        }
        func text(_ string: String) -> [UInt8] { Array("text".utf8) + [0, 0, 0, 0] + Array(string.utf8) + [0] }
        func description(_ string: String) -> [UInt8] {
            let ascii = Array(string.utf8) + [0]
            // textDescriptionType: ASCII, then empty Unicode and ScriptCode descriptions.
            return Array("desc".utf8) + [0, 0, 0, 0] + u32(UInt32(ascii.count)) + ascii + u32(0) + u32(0)
                + [0, 0, 0] + [UInt8](repeating: 0, count: 67)
        }
        let curve = Array("curv".utf8) + [0, 0, 0, 0] + u32(1) + [0x02, 0x33, 0, 0]  // gamma 2.2 (u8Fixed8), padded
        let tags: [(String, [UInt8])] = [
            ("desc", description("sRGB IEC61966-2.1 (Fefaent)")),
            ("cprt", text("No copyright, use freely")),
            ("wtpt", xyz(0.9642, 1.0, 0.8249)),
            ("rXYZ", xyz(0.4361, 0.2225, 0.0139)),
            ("gXYZ", xyz(0.3851, 0.7169, 0.0971)),
            ("bXYZ", xyz(0.1431, 0.0606, 0.7141)),
            ("rTRC", curve), ("gTRC", curve), ("bTRC", curve)
        ]
        var table = u32(UInt32(tags.count))
        var data: [UInt8] = []
        var offset = 128 + 4 + tags.count * 12
        for (signature, content) in tags {
            var padded = content
            while padded.count % 4 != 0 { padded.append(0) }
            table += Array(signature.utf8) + u32(UInt32(offset)) + u32(UInt32(content.count))
            data += padded
            offset += padded.count
        }
        var header = u32(UInt32(offset)) + [0, 0, 0, 0] + [0x02, 0x10, 0, 0]
        header += Array("mntrRGB XYZ ".utf8)
        header += [0x07, 0xEA, 0, 11, 0, 30, 0, 0, 0, 0, 0, 0]  // 2026-11-30 00:00:00
        header += Array("acsp".utf8) + [UInt8](repeating: 0, count: 24)
        header += u32(0)  // rendering intent: perceptual
        header += fixed(0.9642) + fixed(1.0) + fixed(0.8249)  // the PCS illuminant, D50
        header += [UInt8](repeating: 0, count: 128 - header.count)
        return header + table + data
    }()
}
