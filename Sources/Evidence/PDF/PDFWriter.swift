//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Crypto
import Foundation
import MailMessage
import SwiftASN1
public import X509

/// Writes an evidence PDF and signs it: text in embedded Unicode TrueType fonts (Type0/Identity-H with
/// a ToUnicode map, so the text can be searched and extracted), embedded files, and a detached CMS
/// signature (`/SubFilter /adbe.pkcs7.detached`) over the whole file but the signature value, carrying
/// an RFC 3161 time-stamp of the signature (PAdES B-T).
///
/// - SeeAlso: ISO 32000-1 §9.7 (composite fonts), §12.8 (digital signatures), §7.11.4 (embedded files)
public struct PDFWriter: Sendable {
    /// Fonts tried in order for each character; the first that has a glyph draws it.
    public let fonts: [TrueTypeFont]
    public let signer: CMSSigner
    public let stamper: any TimeStamping
    /// CRLs (DER) for the document security store: with them the PDF is PAdES B-LT, validatable
    /// without asking anyone whether a certificate was revoked.
    public let revocationLists: [[UInt8]]
    /// Certificates to put in the store besides the signer's and the TSA's (the CA).
    public let chainCertificates: [Certificate]

    static let pageWidth = 595.0
    static let pageHeight = 842.0
    static let margin = 50.0
    /// Bytes reserved for the CMS at first (hex doubles it): the signer's certificate and a time-stamp
    /// token of the built-in TSA take about 2.5 KiB; a CMS that does not fit gets the document written again
    /// with room for it (an external TSA with a long chain), so no notice carries 48 KiB of zeros.
    static let signatureSpace = 6_144

    public init(
        fonts: [TrueTypeFont],
        signer: CMSSigner,
        stamper: any TimeStamping,
        chainCertificates: [Certificate] = [],
        revocationLists: [[UInt8]] = []
    ) {
        self.fonts = fonts
        self.signer = signer
        self.stamper = stamper
        self.chainCertificates = chainCertificates
        self.revocationLists = revocationLists
    }

    /// The signed PDF.
    public func write(_ document: EvidenceDocument, at time: UTCDateTime = .now()) async throws -> [UInt8] {
        try await self.write(document, at: time, reserving: Self.signatureSpace)
    }

    /// The signed PDF, with `space` bytes reserved for the CMS at first.
    func write(_ document: EvidenceDocument, at time: UTCDateTime, reserving space: Int) async throws -> [UInt8] {
        do {
            return try await self.write(document, at: time, signatureSpace: space)
        } catch let tooSmall as SignatureTooLarge {
            return try await self.write(document, at: time, signatureSpace: tooSmall.size + 4_096)
        }
    }

    /// A CMS larger than the space reserved for it.
    struct SignatureTooLarge: Error {
        var size: Int
    }

    private func write(_ document: EvidenceDocument, at time: UTCDateTime, signatureSpace: Int) async throws -> [UInt8]
    {
        var layout = PDFLayout(fonts: self.fonts)
        layout.add(document)
        var objects = PDFObjects()
        let catalog = objects.reserve()
        let pages = objects.reserve()
        let signatureValue = objects.reserve()
        let widget = objects.reserve()

        // Fonts (only those that drew something).
        var fontReferences: [Int: Int] = [:]
        for (index, font) in self.fonts.enumerated() where layout.usedGlyphs[index]?.isEmpty == false {
            fontReferences[index] = try self.writeFont(font, glyphs: layout.usedGlyphs[index]!, into: &objects)
        }
        let resources =
            "<< /Font << "
            + fontReferences.sorted { $0.key < $1.key }.map { "/F\($0.key) \($0.value) 0 R" }.joined(separator: " ")
            + " >> >>"
        var pageReferences: [Int] = []
        for (number, content) in layout.pages.enumerated() {
            let stream = objects.add(stream: Array(content.utf8), dictionary: "")
            let page = objects.reserve()
            let annotations = number == 0 ? " /Annots [\(widget) 0 R]" : ""
            objects.set(
                page,
                "<< /Type /Page /Parent \(pages) 0 R /MediaBox [0 0 595 842] /Resources \(resources) /Contents \(stream) 0 R\(annotations) >>"
            )
            pageReferences.append(page)
        }
        objects.set(
            pages,
            "<< /Type /Pages /Kids [\(pageReferences.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pageReferences.count) >>"
        )

        // PDF/A-3b: XMP metadata that says so (and repeats the document information), and the sRGB
        // output intent the device RGB colours refer to.
        let metadata = objects.add(
            stream: Array(Self.xmp(title: document.title, time: time).utf8),
            dictionary: "/Type /Metadata /Subtype /XML"
        )
        let outputProfile = objects.add(stream: SRGBProfile.bytes, dictionary: "/N 3")

        // Embedded files, in a name tree sorted by name.
        var names: [(String, Int)] = []
        for attachment in document.attachments {
            let file = objects.add(
                stream: attachment.data,
                dictionary:
                    "/Type /EmbeddedFile /Subtype /\(PDFText.name(attachment.mimeType)) /Params << /Size \(attachment.data.count) >>"
            )
            let spec = objects.add(
                "<< /Type /Filespec /F \(PDFText.string(attachment.name)) /UF \(PDFText.string(attachment.name)) /EF << /F \(file) 0 R >> /Desc \(PDFText.string(attachment.description)) /AFRelationship /Source >>"
            )
            names.append((attachment.name, spec))
        }
        names.sort { $0.0.utf16.lexicographicallyPrecedes($1.0.utf16) }
        let embedded = names.map { "\(PDFText.string($0.0)) \($0.1) 0 R" }.joined(separator: " ")
        let specs = names.map { "\($0.1) 0 R" }.joined(separator: " ")
        objects.set(
            catalog,
            "<< /Type /Catalog /Pages \(pages) 0 R /AcroForm << /Fields [\(widget) 0 R] /SigFlags 3 >> /Names << /EmbeddedFiles << /Names [\(embedded)] >> >> /AF [\(specs)] /PageMode /UseAttachments"
                + " /Metadata \(metadata) 0 R /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) /DestOutputProfile \(outputProfile) 0 R >>] >>"
        )
        objects.set(
            widget,
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Evidence) /V \(signatureValue) 0 R /Rect [0 0 0 0] /F 132 /P \(pageReferences[0]) 0 R >>"
        )
        let byteRangePlaceholder = "/ByteRange [0 0000000000 0000000000 0000000000]"
        let contentsPlaceholder = "/Contents <" + String(repeating: "0", count: signatureSpace * 2) + ">"
        objects.set(
            signatureValue,
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached \(byteRangePlaceholder) \(contentsPlaceholder) /M \(PDFText.date(time)) /Name \(PDFText.string("Fefaent")) /Reason \(PDFText.string(document.title)) >>"
        )
        let info = objects.add(
            "<< /Title \(PDFText.string(document.title)) /Producer (Fefaent) /CreationDate \(PDFText.date(time)) >>"
        )
        var file = objects.serialize(root: catalog, info: info)

        // Sign everything but the /Contents hex string.
        let contentsStart = file.firstRange(of: Array("/Contents <".utf8))!.upperBound - 1
        let contentsEnd = contentsStart + signatureSpace * 2 + 2
        let ranges = [0, contentsStart, contentsEnd, file.count - contentsEnd]
        var byteRange = "/ByteRange [" + ranges.map(String.init).joined(separator: " ") + "]"
        byteRange += String(repeating: " ", count: byteRangePlaceholder.count - byteRange.count)
        let byteRangeStart = file.firstRange(of: Array(byteRangePlaceholder.utf8))!.lowerBound
        file.replaceSubrange(
            byteRangeStart..<(byteRangeStart + byteRangePlaceholder.count),
            with: Array(byteRange.utf8)
        )
        // PAdES baseline (EN 319 142-1): no signing-time attribute; the time is /M and the time-stamp.
        let signature = try self.signer.sign(
            contentDigest: Self.digest(file, excluding: contentsStart..<contentsEnd),
            time: nil
        )
        let token = try await self.stamper.timeStamp(digest: Array(SHA256.hash(data: signature.signature)))
        let cms = try self.signer.assemble(
            signature,
            unsignedAttributes: [CMSSigner.signatureTimeStampAttribute(token: token)]
        )
        guard cms.count <= signatureSpace else {
            throw SignatureTooLarge(size: cms.count)
        }
        let hex = Array(Hex.encode(cms).utf8)
        file.replaceSubrange((contentsStart + 1)..<(contentsStart + 1 + hex.count), with: hex)
        guard !self.revocationLists.isEmpty else { return file }

        // PAdES B-LT: a later revision adds the document security store (ISO 32000-2 §12.8.4.3):
        // every certificate of the signer's and the TSA's chains and the CRLs, so the signature can be
        // validated long after, without asking anyone.
        var certificates: [[UInt8]] = [self.signer.certificateDER]
        certificates += try SignedDataReader(der: token).certificates.map { try Self.der($0) }
        certificates += try self.chainCertificates.map(Self.der)
        var update = PDFObjects.Update(firstNumber: objects.count + 1)
        var seen: Set<[UInt8]> = []
        let certificateStreams = certificates.filter { seen.insert($0).inserted }.map {
            update.add(stream: $0, dictionary: "")
        }
        let crlStreams = self.revocationLists.map { update.add(stream: $0, dictionary: "") }
        let store = update.add(
            "<< /Type /DSS /Certs [\(certificateStreams.map { "\($0) 0 R" }.joined(separator: " "))] /CRLs [\(crlStreams.map { "\($0) 0 R" }.joined(separator: " "))] >>"
        )
        let catalogWithStore = String(objects.body(catalog).dropLast(2)) + " /DSS \(store) 0 R >>"
        update.replace(catalog, with: catalogWithStore)
        let withStore = update.append(to: file, root: catalog, info: info)

        // PAdES B-LTA: a document time-stamp over every revision, the store included, so the whole
        // can be re-stamped before the time-stamp certificate expires.
        return try await self.addDocumentTimeStamp(
            to: withStore,
            next: update.next,
            catalog: (catalog, catalogWithStore),
            page: (pageReferences[0], objects.body(pageReferences[0])),
            firstField: widget,
            info: info
        )
    }

    /// Appends a revision with a `/DocTimeStamp` signature field (ETSI.RFC3161) whose token covers
    /// the whole file but the token itself.
    func addDocumentTimeStamp(
        to base: [UInt8],
        next: Int,
        catalog: (number: Int, body: String),
        page: (number: Int, body: String),
        firstField: Int,
        info: Int,
        space: Int = 4_096
    ) async throws -> [UInt8] {
        let byteRangePlaceholder = "/ByteRange [0 0000000000 0000000000 0000000000]"
        var update = PDFObjects.Update(firstNumber: next)
        let value = update.add(
            "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 \(byteRangePlaceholder) /Contents <"
                + String(repeating: "0", count: space * 2) + "> >>"
        )
        let field = update.add(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Archive time-stamp) /V \(value) 0 R /Rect [0 0 0 0] /F 132 /P \(page.number) 0 R >>"
        )
        let fields = "/Fields [\(firstField) 0 R]"
        let annotations = "/Annots [\(firstField) 0 R]"
        guard catalog.body.contains(fields), page.body.contains(annotations) else {
            throw EvidenceProblem("the first revision has no signature field to add a time-stamp beside")
        }
        update.replace(
            catalog.number,
            with: catalog.body.replacingOccurrences(of: fields, with: "/Fields [\(firstField) 0 R \(field) 0 R]")
        )
        update.replace(
            page.number,
            with: page.body.replacingOccurrences(of: annotations, with: "/Annots [\(firstField) 0 R \(field) 0 R]")
        )
        var file = update.append(to: base, root: catalog.number, info: info)

        let contentsStart = file[base.count...].firstRange(of: Array("/Contents <".utf8))!.upperBound - 1
        let contentsEnd = contentsStart + space * 2 + 2
        let ranges = [0, contentsStart, contentsEnd, file.count - contentsEnd]
        var byteRange = "/ByteRange [" + ranges.map(String.init).joined(separator: " ") + "]"
        byteRange += String(repeating: " ", count: byteRangePlaceholder.count - byteRange.count)
        let byteRangeStart = file[base.count...].firstRange(of: Array(byteRangePlaceholder.utf8))!.lowerBound
        file.replaceSubrange(
            byteRangeStart..<(byteRangeStart + byteRangePlaceholder.count),
            with: Array(byteRange.utf8)
        )
        let token = try await self.stamper.timeStamp(digest: Self.digest(file, excluding: contentsStart..<contentsEnd))
        guard token.count <= space else {
            // A TSA with a long chain: the revision again, with room for its token.
            return try await self.addDocumentTimeStamp(
                to: base,
                next: next,
                catalog: catalog,
                page: page,
                firstField: firstField,
                info: info,
                space: token.count + 2_048
            )
        }
        let hex = Array(Hex.encode(token).utf8)
        file.replaceSubrange((contentsStart + 1)..<(contentsStart + 1 + hex.count), with: hex)
        return file
    }

    /// The SHA-256 of `file` without the octets in `gap` (a signature's /Contents): the two byte
    /// ranges hashed where they lie, not copied together (for a PDF that embeds a large mail).
    static func digest(_ file: [UInt8], excluding gap: Range<Int>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: file[..<gap.lowerBound])
        hasher.update(data: file[gap.upperBound...])
        return Array(hasher.finalize())
    }

    /// The XMP packet of a PDF/A-3b file: conformance, and the Info dictionary's title, producer and date.
    static func xmp(title: String, time: UTCDateTime) -> String {
        let escaped = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        let date = String(time.description.prefix(19)) + "Z"  // 2026-11-30T10:00:00Z, as /CreationDate
        return """
            <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
            <pdfaid:part>3</pdfaid:part>
            <pdfaid:conformance>B</pdfaid:conformance>
            <dc:format>application/pdf</dc:format>
            <dc:title><rdf:Alt><rdf:li xml:lang="x-default">\(escaped)</rdf:li></rdf:Alt></dc:title>
            <xmp:CreateDate>\(date)</xmp:CreateDate>
            <pdf:Producer>Fefaent</pdf:Producer>
            </rdf:Description>
            </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="w"?>
            """
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    private func writeFont(
        _ font: TrueTypeFont,
        glyphs: [UInt16: Unicode.Scalar],
        into objects: inout PDFObjects
    ) throws -> Int {
        // Only the glyphs the document draws (the PDF keeps the font's glyph ids).
        let program = try font.subset(keeping: Set(glyphs.keys))
        let name = TrueTypeFont.subsetTag(Set(glyphs.keys)) + "+" + font.postScriptName
        let file = objects.add(stream: program, dictionary: "/Length1 \(program.count)")
        let box = font.boundingBox
        let descriptor = objects.add(
            "<< /Type /FontDescriptor /FontName /\(name) /Flags 32 /FontBBox [\(font.scaled(box.0)) \(font.scaled(box.1)) \(font.scaled(box.2)) \(font.scaled(box.3))] /ItalicAngle 0 /Ascent \(font.scaled(font.ascent)) /Descent \(font.scaled(font.descent)) /CapHeight \(font.scaled(font.capHeight)) /StemV 80 /FontFile2 \(file) 0 R >>"
        )
        let sorted = glyphs.keys.sorted()
        let widths = sorted.map { "\($0) [\(font.width(of: $0))]" }.joined(separator: " ")
        let cidFont = objects.add(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /\(name) /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor \(descriptor) 0 R /W [\(widths)] /CIDToGIDMap /Identity >>"
        )
        var cmap = """
            /CIDInit /ProcSet findresource begin 12 dict begin begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def /CMapType 2 def
            1 begincodespacerange <0000> <FFFF> endcodespacerange

            """
        for chunk in stride(from: 0, to: sorted.count, by: 100) {
            let slice = sorted[chunk..<min(chunk + 100, sorted.count)]
            cmap += "\(slice.count) beginbfchar\n"
            for glyph in slice {
                let utf16 = String(Character(glyphs[glyph]!)).utf16.map { String(format: "%04X", $0) }.joined()
                cmap += "<\(String(format: "%04X", glyph))> <\(utf16)>\n"
            }
            cmap += "endbfchar\n"
        }
        cmap += "endcmap CMapName currentdict /CMap defineresource pop end end\n"
        let toUnicode = objects.add(stream: Array(cmap.utf8), dictionary: "")
        return objects.add(
            "<< /Type /Font /Subtype /Type0 /BaseFont /\(name) /Encoding /Identity-H /DescendantFonts [\(cidFont) 0 R] /ToUnicode \(toUnicode) 0 R >>"
        )
    }
}

/// Numbered PDF objects and their serialisation with a cross-reference table.
struct PDFObjects {
    private var bodies: [[UInt8]?] = []

    var count: Int { self.bodies.count }

    /// An object's dictionary as written.
    func body(_ number: Int) -> String {
        String(decoding: self.bodies[number - 1] ?? [], as: UTF8.self)
    }

    /// An incremental update (ISO 32000-1 §7.5.6): new objects numbered from `firstNumber`, objects
    /// replaced under their old numbers, their cross-reference sections, and a trailer that points
    /// back at the previous one. The bytes before it, and so the signature over them, stay as they are.
    struct Update {
        private(set) var next: Int
        private var objects: [(number: Int, body: [UInt8])] = []

        init(firstNumber: Int) { self.next = firstNumber }

        mutating func add(_ dictionary: String) -> Int {
            self.objects.append((self.next, Array(dictionary.utf8)))
            self.next += 1
            return self.next - 1
        }

        mutating func add(stream: [UInt8], dictionary: String) -> Int {
            self.objects.append((self.next, PDFObjects.streamBody(stream, dictionary: dictionary)))
            self.next += 1
            return self.next - 1
        }

        mutating func replace(_ number: Int, with dictionary: String) {
            self.objects.append((number, Array(dictionary.utf8)))
        }

        func append(to file: [UInt8], root: Int, info: Int) -> [UInt8] {
            var output: [UInt8] = []
            output.reserveCapacity(file.count + self.objects.reduce(4_096) { $0 + $1.body.count + 32 })
            output += file
            var offsets: [(Int, Int)] = []
            for (number, body) in self.objects.sorted(by: { $0.number < $1.number }) {
                offsets.append((number, output.count))
                PDFObjects.append(object: number, body: body, to: &output)
            }
            let previous = Self.startxref(of: file)
            let xref = output.count
            var table = "xref\n0 1\n0000000000 65535 f \n"
            for (number, offset) in offsets {  // one subsection per object: simple and valid
                table += "\(number) 1\n" + String(format: "%010d 00000 n \n", offset)
            }
            table +=
                "trailer\n<< /Size \(self.next) /Root \(root) 0 R /Info \(info) 0 R /Prev \(previous) >>\nstartxref\n\(xref)\n%%EOF\n"
            output += table.utf8
            return output
        }

        /// The byte offset after the last `startxref`.
        static func startxref(of file: [UInt8]) -> Int {
            guard let marker = file.lastRange(of: Array("startxref\n".utf8)) else { return 0 }
            var value = 0
            var index = marker.upperBound
            while index < file.count, file[index] >= UInt8(ascii: "0"), file[index] <= UInt8(ascii: "9") {
                value = value * 10 + Int(file[index] - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }
    }

    mutating func reserve() -> Int {
        self.bodies.append(nil)
        return self.bodies.count
    }

    mutating func set(_ number: Int, _ dictionary: String) {
        self.bodies[number - 1] = Array(dictionary.utf8)
    }

    mutating func add(_ dictionary: String) -> Int {
        let number = self.reserve()
        self.set(number, dictionary)
        return number
    }

    mutating func add(stream: [UInt8], dictionary: String) -> Int {
        let number = self.reserve()
        self.bodies[number - 1] = Self.streamBody(stream, dictionary: dictionary)
        return number
    }

    /// A stream object's body, built in one allocation (a stream may be a whole mail).
    static func streamBody(_ stream: [UInt8], dictionary: String) -> [UInt8] {
        let head = "<< /Length \(stream.count) \(dictionary) >>\nstream\n".utf8
        let tail = "\nendstream".utf8
        var body: [UInt8] = []
        body.reserveCapacity(head.count + stream.count + tail.count)
        body += head
        body += stream
        body += tail
        return body
    }

    /// Appends `number 0 obj`, the body and `endobj` to `output`, with no copy of the body in between.
    static func append(object number: Int, body: [UInt8], to output: inout [UInt8]) {
        output += "\(number) 0 obj\n".utf8
        output += body
        output += "\nendobj\n".utf8
    }

    func serialize(root: Int, info: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(self.bodies.reduce(4_096 + 32 * self.bodies.count) { $0 + ($1?.count ?? 4) })
        output += "%PDF-1.7\n%".utf8
        output += [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (index, body) in self.bodies.enumerated() {
            offsets.append(output.count)
            Self.append(object: index + 1, body: body ?? Array("null".utf8), to: &output)
        }
        let xref = output.count
        var table = "xref\n0 \(self.bodies.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        let id = Hex.encode(SHA256.hash(data: output).prefix(16))
        table +=
            "trailer\n<< /Size \(self.bodies.count + 1) /Root \(root) 0 R /Info \(info) 0 R /ID [<\(id)> <\(id)>] >>\nstartxref\n\(xref)\n%%EOF\n"
        output += table.utf8
        return output
    }
}

/// PDF string, name and date syntax.
enum PDFText {
    /// A text string: literal when printable ASCII, else UTF-16BE with a byte-order mark, in hex.
    static func string(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            var escaped = ""
            for character in text {
                if character == "(" || character == ")" || character == "\\" { escaped.append("\\") }
                escaped.append(character)
            }
            return "(\(escaped))"
        }
        return "<FEFF" + text.utf16.map { String(format: "%04X", $0) }.joined() + ">"
    }

    /// A name, with `#xx` for anything but regular characters.
    static func name(_ text: String) -> String {
        text.utf8.map { byte in
            (byte > 0x20 && byte < 0x7F && !"#/()<>[]{}%".utf8.contains(byte))
                ? String(UnicodeScalar(byte)) : String(format: "#%02X", byte)
        }.joined()
    }

    static func date(_ time: UTCDateTime) -> String {
        let text = time.description  // 2026-11-23T10:00:00.000Z
        let digits = text.filter(\.isNumber).prefix(14)
        return "(D:\(digits)Z)"
    }
}
