//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

@testable import MailMessage

@Suite struct PixelInjectorTests {
    static let pixel = PixelInjector.imageElement(url: "https://c.test/p/1.png?a=1&b=2")
    static let injector = PixelInjector(pixelHTML: pixel)

    static func rewrite(_ text: String, edits: [HeaderEdit] = []) -> (ParsedMessage, [UInt8], RewritePlan) {
        let bytes = Array(text.utf8)
        let message = MessageParser.parse(bytes)
        let plan = Self.injector.plan(for: message, headerEdits: edits) { Array(bytes[$0]) }
        return (message, plan.apply(to: bytes), plan)
    }

    static func decodedHTML(_ bytes: [UInt8]) -> String {
        var options = MessageParser.Options()
        options.capturedTextLimit = 1 << 20
        let parsed = MessageParser.parse(bytes, options: options)
        return parsed.leaves.filter { $0.mimeType == "text/html" }.map {
            String(decoding: $0.capturedText, as: UTF8.self)
        }
        .joined()
    }

    @Test func quotedPrintableHTMLGainsOnlyThePixel() {
        let (_, output, plan) = Self.rewrite(
            "Subject: x\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "<html><body><p style=3D\"a\">caf=C3=A9</p></body></html>\r\n"
        )
        #expect(plan.pixelsInserted == 1)
        #expect(
            Self.decodedHTML(output) == "<html><body><p style=\"a\">café</p>\(Self.pixel)</body></html>\r\n"
        )
        #expect(String(decoding: output, as: UTF8.self).split(separator: "\r\n").allSatisfy { $0.utf8.count <= 76 })
    }

    @Test func base64HTMLIsReencoded() {
        let html = "<html><BODY>hello</BODY></html>"
        let encoded = Base64.encode(Array(html.utf8))
        let (_, output, _) = Self.rewrite(
            "Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n"
        )
        #expect(Self.decodedHTML(output) == "<html><BODY>hello\(Self.pixel)</BODY></html>")
    }

    @Test func htmlWithoutBodyTagGetsThePixelAtTheEnd() {
        let (_, output, _) = Self.rewrite(
            "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n"
        )
        #expect(Self.decodedHTML(output) == "<p>x</p>\(Self.pixel)")
    }

    @Test func plainTextBecomesAlternativeKeepingThePlainPartByteForByte() {
        let body = "Caf\u{e9} notice.\r\nSecond <line> & more.\r\n"
        let (original, output, plan) = Self.rewrite(
            "From: a@b.test\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)",
            edits: [.set(name: "Subject", value: "s (certified)"), .prepend(name: "X-Fefaent-Id", value: "abc")]
        )
        #expect(plan.pixelsInserted == 1)
        var options = MessageParser.Options()
        options.capturedTextLimit = 1 << 20
        let rewritten = MessageParser.parse(output, options: options)
        #expect(rewritten.parts.map(\.mimeType) == ["multipart/alternative", "text/plain", "text/html"])
        #expect(rewritten.parts[1].sha256 == original.parts[0].sha256)
        #expect(rewritten.subject == "s (certified)")
        #expect(rewritten.headers.first?.name == "X-Fefaent-Id")
        let html = String(decoding: rewritten.parts[2].capturedText, as: UTF8.self)
        #expect(html.contains("Caf\u{e9} notice.\r\nSecond &lt;line&gt; &amp; more."))
        #expect(html.contains(Self.pixel))
        #expect(rewritten.defects.isEmpty)
    }

    @Test func plainPartInsideMixedIsWrappedInPlace() {
        let text =
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
            + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\nxyz\r\n--b--\r\n"
        let (original, output, _) = Self.rewrite(text)
        let rewritten = MessageParser.parse(output)
        #expect(
            rewritten.parts.map(\.mimeType) == [
                "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/octet-stream"
            ]
        )
        #expect(rewritten.parts[2].sha256 == original.parts[1].sha256)
        #expect(rewritten.parts[4].sha256 == original.parts[2].sha256)
        #expect(rewritten.defects.isEmpty)
    }

    @Test func attachmentOnlyMessageIsCopied() {
        let text = "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=x.pdf\r\n\r\n%PDF\r\n"
        let (_, output, plan) = Self.rewrite(text)
        #expect(plan.pixelsInserted == 0)
        #expect(output == Array(text.utf8))
    }

    /// Inputs the fuzzer found (base64): the rewrite must keep every attachment's decoded bytes.
    @Test(arguments: [
        "RnJvbTogIkpSZXR1cm4tUGF0aDogPGh6d2Zya3FAaGludG9udGlsZS5jb20+DQpEZWxpdmVyZWQtVG86IHJhaXRAYoaKnJrSmIqabnRlci5keW5kbnMub3JnDQpSZWNlaXZlZDogKHFtYWlsIDEyOTc3IGludm9rZWQgZnJvbSBub3UgcmVmaW5hbmNlIHlvdXIgaG9tZS4NCkRhdGU6IEZyaSwgMDYgTWF5IDIwMDUgMTU6NTU6MDEgKzA0MDANCk1JTUUtVmVyc2lvbjogMS4wDQpDb250ZW50LVR5cGU6IG11bHRpcGFydC9hbHRlcm5hdGl2ZTsNCglib3VuZGFyeT0iLS02NTE3OTBfMjY5MzM0LjAxNTcwIg0KQ29udGVudC1MZW5ndGg6IDYzNg0KTGluZXM6IDIyDQoNCi0tLS02NTE3OTBfMjY5MzM0LjAxNTcwDQpDb250ZW50LVR5cGU6IHRleHQvaHRtbDsNCgljaGFyc2V0PSJpczAiDQpDb250ZW50LUxlbmd0aDoBACA2MzYNCkxpbmVzOsO2aG4gRG9lIiA8amTDw6RyeUBleMOkbXBsZS5uZXRpbiAyMg0KDQotLS0tNjUxNzkwXzI2OTMzNC4wMTU3MA0KQ29yOiBscGV0ZXJzQG1haWwucGFjaWZpZXIuY29tDQpSZWZlcmVuY2VzOiA8MTE2OEJBRjI1MkI3RDQxMTk0ODEwMDAxMDI4RDc0MzEwODkxM0NAU0VSVkVSPg0KQ29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7DQogICAgICAgICAgICAgIGJvdW5kYXJ5PSI9PT09PT09PT09PT1fLTEyMDE0MjI0OTQ9PV89PT09PT09PT09PT0iDQpNZXNzYWdlLUlEOiAgPHAwNTEwMDMwN2I4NjNiZWZkZmI2N0BbMjA3LjIwMi4xMzYuMjE2XT4NCkRhdGU6ICAgICAgICAgVGh1LCAxMCBKYW4gMjAwMiAxMzo1OTo1MyAtMDgwMA0KU2VuZGVyOiBSVE8gV2VzdCBSZWdpb25hbCBSZXByZXNlbnRhdGl2ZXMgR3JvdXAgPFJSR0EtTEBMSVNULlJUT1dFU1QuT1JHPg0KRnJvbTogIkxvbiBMLiBQZXRlcnMiIDxscGV0ZXJzQFBBQ0lGSUVSLkNPTT4NClN1YmplY3Q6ICAgICAgUEdQIENvbW1lbnRzIG9uIFJUTyBXZXN0IFJlbGVhc2Ugb2YgRGVjLiAxNA0KQ29tbWVudHM6IGNjOiBsdG9wYXpAZ2NwdWQub3JnLCBnYXJ5LnphcmtlckBjaS5zZWF0dGxlLndhLnVzLA0KICAgICAgICAgIGRnb2RhcmRAZ2NwdWQub3JnLCB3ZG9iYmluc0BkY3B1ZC5vcmcsIGRyb2JpbnNvbkBjb3dsaXR6cHVkLm9yZywNCiAgICAgICAgICBiZ2VkZGVzQHBvcHVkLmNvbSwgIkN1bGJlcnRzb24sIFRpbSIgPHRjdWxiZXJAZ2NwdWQub3JnPiwNCiAgICAgICAgICBra25pdHRlQGdjcHVkLm9yZywgcGF1bGEuZ3JlZW5AY2kuc2VhdHRsZS53YS51cywNCiAgICAgICAgICBqaW0uaGFyZGluZ0BjaS5zZWF0dGxlLndhLnVzLCBnaHVodGFAY293bGl0enB1ZC5vcmcsDQogICAgICAgICAgZG9zYm9ybkBnY3B1ZC5vcmcsIGpzY2hlZWxAcG9wdWQuY29tLCBqaW0udG9kZEBjaS5zZWF0dGxlLndhLnVzLA0KICAgICAgICAgIENXQUdFUlNAZGNwdWQub3JnLCBhbGkucm9kb2xAY2kuc2VhdHRsZS53YS51cywNCiAgICAgICAgICBrZXZpbi5jbGFya0BjaS5zZWF0dGxlLndhLnVzLCBiZXNzZXhAY293bGl0enB1ZC5vcmcsDQogICAgICAgICAgQ2luZHkuV3JpZ2h0QGNpLnNlYXR0bGUud2EudXMsICJKdWosIEhhcmRldiIgDQogICAgICAgICAgPEhhcmRldi5KdWpAY2kuc2VhdHRsZS53YS51cz4sDQogICAgICAgICAgIkNvbmdlciwgS3VydCIgPGtjb25nZXJAZW5lcmd5ZXhwZXJ0c3Zjcy5jb20+LA0KICAgICAgICAgICJLaW5kbGV5LCBSYXkiIDxya2luZGxleUBzY2h3YWJlLmNvbT4NClRvOiBSUkdBLUxATElTVC5SVE9XRVNULk9SRw0KSW4tUmVwbHktVG86ICA8MTE2OEJBRjI1MkI3RDQxMTk0ODEwMDAxMDI4RDc0MzEwODkxM0NAU0VSVkVSPg0KUmV0dXJuLVBhdGg6IG93bmVyLXJyZ2EtbEBsaXN0LnJ0b3dlc3Qub3JnDQoNCi0tPT09PT09PT09PT09Xy0xMjAxNDIyNDk0PT1fPT09PT09PT09PT09DQpDb250ZW50LVR5cGU6IHRleHQvcGxhaW47IGNoYXJzZXQ9InVzLWFzY2lpIiA7IGZvcm1hdD0iZmxvd2VkIg0KDQpBdHRhY2hlZCBhcmUgdGhlIGNvbW1lbnRzIG9mIHRoZSBQdWJsaWMgR2VuZXJhdGluZyBQb29sLg0KLS0NCl9fX19fX19fX19fX19fX19fX19fX19fX19fX19fX19fXw0KTG9uIEwuIFBldGVycw0KTm9ydGh3ZXN0IEVjb25vbWljIFJlc2VhcmNoLCBJbmMuDQo2NzY1IFMuVy4gUHJlc2x5bm4gRHJpdmUNClBvcnRsYW5kLCBPcmVnb24gOTcyMjUtMjY2OA0KNTAzLTIwMy0xNTM5ICh2b2ljZSkNCjUwMy0yMDMtMTU2OSAoZmF4KQ0KNTAzLTcwOS01OTQyIChtb2JpbGUpDQpscGV0ZXJzQHBhY2lmaWVyLmNvbQ0KDQpOT1RJQ0U6ICBUaGlzIGNvbW11bmljYXRpb24gYW5kIGl0cyBhdHRhY2htZW50cywgaWYgYW55LCBtYXkgY29udGFpbg0Kc2Vuc2l0aXZlLCBwcml2aWxlZ2VkLCBvciBvdGhlciBjb25maWRlbnRpYWwgaW5mb3JtYXRpb24uICBJZiB5b3UgYXJlDQpub3QgdGhlIGludGVuZGVkIHJlY2lwaWVudCBvciBiZWxpZXZlIHRoYXQgeW91IGhhdmUgcmVjZWl2ZWQgdGhpcw0KY29tbXVuaWNhdGlvbiBpbiBlcnJvciwgcGxlYXNlIG5vdGlmeSB0aGUgc2VuZGVyIG9mIHRoaXMNCmNvbW11bmljYXRpb24gYW5kIGRlbGV0ZSB0aGUgY29weSB5b3UgcmVjZWl2ZWQgZnJvbSBhbGwgc3RvcmFnZQ0KZGV2aWNlcy4gIEluIGFkZGl0aW9uLCBwbGVhc2UgZG8gbm90IHByaW50LCBjb3B5LCByZXRyYW5zbWl0LA0KZm9yd2FyZCwgZGlzc2VtaW5hdGUsIG9yIG90aGVyd2lzZSB1c2UgdGhpcyBjb21tdW5pY2F0aW9uIG9yIGl0cw0KYXR0YWNobWVudHMsIGlmIGFueS4gY29tPg0KICAgICAgICAgIGZvciA8dUBjaS5jb20+OyBUdWUsIDI5IEp1biAyMDEwIDEwOjQyOjM3IC0wNTAwDQpSZWNlaXZlZDogZnJvbSBibGFoLmNvbSAoWzEuMS4xLjFdKQ0KICAgICAgICAgIGJ5IHNjaGVtYWlsZWRnZWd4MDQuY2kuY29tDQogICAgICAgICAgKEludGVyTWFpbCB2Ry4xLjAyLjAwLjA0IDIwMS0yMTM2LTEwNC0xMDQtMjAwNTAzMjMpIHdpdGggRVNNVFANCiAgICAgICAgICBpZCA8MjAxMDA2MjkxNTQyMjUuV0VGQjE3MDA5LnNjaGVtYWlsZWRnZWd4MDQuY2kuY29tQGJsYWguY29tPg0KICAgICAgICAgIGZvciA8dUBjaS5jb20+OyBUdWUsIDI5IEp1biAyMDEwIDEwOjQyOjI1IC0wNTAwDQpSZWNlaXZlZDogZnJvbSBibGFoLmNvbSAoc25vb2tpIFsxMC4xMi4xMjYuNjhdKQ0KICAgIGJ5IGJsYWguY29tIChQb3N0Zml4KSB3aXRoIEVTTVRQIGlkIDRCREFFMTlGNTQ2DQogICAgZm9yIDx1QGNpLmNvbT47IFR1ZSwgMjkgSnVuIDIwMTAgMTU6NDI6MjUgKzAwMDAgKFVUQykNCkRLSU0tU2lnbmF0dXJlOiB2PTE7IGE9cnNhLXNoYTI1NjsgYz1zaW1wbGUvc2ltcGxlOyBkPWJsYWguY29tOw0KICAgIHM9MjAxMDsgdD0xMjc3ODI2MTQ1OyBiaD13QzNoSEFoUWdBcGNUbXdRc2kyRjRPSmY0MHJieUllay9Xd0l1elNjM1YNCiAgICBNPTsgaD1EYXRlOkZyb206UmVwbHktVG86VG86TWVzc2FnZS1JRDpTdWJqZWN0Ok1JTUUtVmVyc2lvbjoNCiAgICAgQ29udGVudC1UeXBlOkNvbnRlbnQtVHJhbnNmZXItRW5jb2Rpbmc6TGlzdC1VbnN1YnNjcmliZTsgYj1hdytCaGQ4DQogICAgdDFnb1pVWFdCQUhTckhhTTFJZHFoa1hxRjVXVk13R1JZY255YTRGSE53MDVYIFRoYW5rIHlvdS4NCg0KLS09PT09PT09PT09PT1fLTEyMDE0MjI0OTQ9PV89PT09PT09PT09PT0NCkNvbnRlbnQtSWQ6IDxwMDUxMDAzMDdiODYzYmVmZGZiNjdAWzIwNy4yMDIuMTM2LjIxNl0uMC4wPg0KQ29udGVudC1UeXBlOiBhcHBsaWNhdGlvbi9tc3dvcmQ7IG5hbWU9IlBHUF9DbXRzX29uXzEyLTE0LTAxX1BrZy5kb2MiDQogOyB4LW1hYy10eXBlPSI1NzM4NDI0RSINCiA7IHgtbWFjLWNyZWF0b3I9IjRENTM1NzQ0Ig0KQ29udGVudC1EaXNwb3NpdGlvbjogYXR0YWNobWVudDsgZmlsZW5hbWU9IlBHUF9DbXRzX29uXzEyLTE0LTAxX1BrZy5kb2MiDWZwQjNUVHBURmRhMTNEZmh0emlGUmsNCiAgICB6SFNmaU5iTWFwdjdWeitEM0EvOU5IZzVuS2FoU01vc1pWVGEwQmZhallXTmQxYVk4SlVXVWx4ZFFIeFFRNHlnQ0JqDQogICAgL01uZEpvaHRTbTZLM2dzcWRJdjg4RE5YZEJHQkV3PQ0KRGF0ZTogVHVlLCAyOSBKdW4gMjAxMCAxNTo0MjoyNSArMDAwMA0KRnJvbTogSG9tZVJ1biA8bm90aWZpY2F0aW9uQGJsYWguY29tPg0KUmVwbHktVG86IEhvbWVSdW4gPG5vdGlmaWNhdGlvbis0NWIwZDM4MEBibGFoLmNvbT4NClRvOiB1QGNpLmNvbQ0KTWVzc2FnZS1JRDogPDRjMmExNDYxNDdhYzhfNjFmZjE1N2M0ZWMxNjUyZGZAcy5oLmMubWFpbD4NClN1YmplY3Q6IFlvdXIgRnJpZW5kIEYgTSB3YW50cyB5b3UgdG8gam9pbiBIb21lUnVuDQpNSU1FLVZlcnNpb246IDEuMA0KQ29udGVudC1UeXBlOiBtdWx0aXBhcnQvYWx0ZXJuYXRpdmU7DQogYm91bmRhcnk9Ii0tPT1fbWltZXBhcnRfNGMyYTE0NjE0MTc1Nl82MWZmMTU3YzRlYzE2NDlhOCI7DQogY2hhcnNldD1VVEYtOA0KQ29udGVudC1UcmFuc2Zlci1FbmNvZGluZzogN2JpdA0KTGlzdC1VbnN1YnNjcmliZTogPG1haWx0bzp1bnN1YnNjcmliZSs0NWIwZDM4MEBibGFoLmNvbT4NCg0KDQoNCi0tLS09PV9taW1lcGFydF80YzJhMTQ2MTQxNzU2XzYxZmYxNTdjNGVjMTY0OWE4DQpEYXRlOiBUdWUsIDI5IEp1biAyMDEwIDE1OjQyOjI1ICswMDAwDQpNSU1FLVZlcnNpb246IDEuMA0KQ29udGVudC1UeXBlOiB0ZXh0L3BsYWluOw0KIGNoYXJzZW50ZW50LVRnIEhlbGxvDQoNtmVAbcOkY3RoIiA8bcOkcnlAZXlwZTogdGV4dC9odG1sOw0KCWNoYXJzZXQ9Imlzby04ODU5LTEiDQpDb250ZW50LVRyYW5zZmVyLUVuY29kaW5nOiB0ZXh0L2h0bWwNCg0KSGVsbG8sPHA+DQoNCllvdSBoYXZlIHF1YWxpZmllZCBmb3IgdGhlIGxvd2VzdCByYXRlIGluIHllYXJzLjxicj4NCllvdSBjb3VsZCBnZXQgb3ZlciAkNDAwLDAwMCBmb3IgYXMgbGl0dGxlIGFzICQ1MDEgYSBtb250aC48YnI+DQpMb3cgcmF0ZXMgYXJlIGZpeGVkIG5vIG1hdHRlciB3aGF0LjxwPg0KDQpQbGVhc2UgdmlzaXQgdGhlIGxpbmsgYmVseMOkb3cgdG8gdmVyaWZ5IHlvdXIgaW5mb3JtYXRpb246PGJyPg0KPGEgaHJlZj0iaHR0cDovL3d3dy5sZW54emMuY29tL2luZGV4Mi5waHA/cmVmaWQ9bWFseCI+QXBwcm92YWwgRm9ybTwvYT48cD4NCg0KQmVzdCBSZWdhcmRzLDxicj4NCmNoaWFuZm9uZyBjdXRoYmVydCwgQWNjb3VudCBNYW5hZ2VyPGJyPg0KUmV5bm9sbXBsZS5uZXRpbmcgSGVsbG8NCmRzIEFzc29jaWF0ZXMsIExMQzxwPg0KPHA8DQotLS0tLS0tLQoNCi0tLS02NTE3DS1ib2R5DQo5MF8yNjkzMzQuMDE1NzAtLQ0K",
        "RGF0ZTogTW9uLCA0IEp1biAyMDA3IDE1OjAxOjMxIC0wNzAwDQpGcm9tOiBUZXN0IDx0ZXN0QHRlc3QubGluZHNhYXIubmV0Pg0KVG86IE1pa2VsIDxtaWtlbEB0ZXN0LmxpbmRzYWFyLm5ldD4NClN1YmplY3Q6IFJlOiBUZXN0aW5nIG11bHRpcGFydC9zaWduZWQNCk1lc3NhZ2UtSUQ6IDwyMDA3MDYwNDE1MDEzMS40MGQ0ZmExZUByZWZvcmdlZD4NCk1JTUUtVmVyc2lvbjogMS4wDQpDb250ZW50LVR5cGU6IG11bHRpcGFydC9zaWduZWQ7IGJvdW5kYXJ5PVNpZ18yR0lZMnhmenFTQURNbXU5c0tHSnFXbTsNCiBwcm90b2NvbD0iYXBwbGljYXRpb24vcGdwLXNpZ25hdHVyZSI7IG1pY2FsZz1QR1AtU0hBMQ0KDQotLVNpZ18yR0lZMnhmenFTQURNbXU5c0tHSnFXbQ0KQ29udGVudC1UeXBlOiB0ZXh0L3BsYWluOyBjaGFyc2V0PVVTLUFTQ0lJDQpDb250ZW50LVRyYW5zZmVyLUVuY29kaW5nOiBxdW90ZWQtcHJpbnRhYmxlDQoNClRoaXMgaXMgcmFuZG9tIHRleHQsIG5vdCB3aGF0IGhhcyBiZWVuIHNpZ25lZCBiZWxvdywgaWUsIHRoaXMgc2lnDQplbWFpbCBpcyBub3Qgc2lnbmVkIGNvcnJlY3RseS4NCg0K//////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////8tLVNpZ18yR0lZMnhmenFTQURNbXU5c0tHSnFXbQ0KQ29udGVudC1UeXBlOiBhcHBsaWNhdGlvbi9wZ3Atc2lnbmF0dXJlOyBuYW1lPXNpZ25hdHVyZS5hc2MNCkNvbnRlbnQtRGlzcG9zaXRpb246IGF0dGFjaG1lbnQ7IGZpbGVuYW1lPXNpZ25hdHVyZS5hc2MNCg0KLS0tLS1CRUdJTiBQR1AgU0lHTkFUVVJFLS0tLS0NClZlcnNpb246IEdudVBHIHYxLjQuNiAoR05VL0xpbnV4KQ0KDQppRDhEQjExMTFJdTdkZlJjaHJrQklua1JBcm5pQUtDdWUxN0pPeFhCaUFaSHdMeTN1RmFjVStwbWh3Q2d3emhmDQpWNVlTUHYyeG1ZT0E2bUo2b1ZhYXNzZVE9DQo9VDdwOQ0KLS0tLS1FTkQgUEdQIFNJR05BVFVSRS0tLS0tDQoNCi0tU2lnXzJHSVkyeGZ6cVNBRE1tdTlzS0dKcVdtLS0NCg==",
        "RnJvbSB4eHh4eHh4eHgueHh4eHh4eEBnbWFpbC5jb20gU3VuIE1heSAgOCAxOTowNzowOSAyMDA1ClJldHVybi1QYXRoOiA8eHh4eHjSeHh4eC54eHh4eHh4QGdtYWlsLmNvbT4KTWVzc2FnZS1JRDogPGU4NTczNGI5MDUwNTA4MTIwOWVhYWExN2JAbWFpbC5nbWFpbC5jb20+CkRhdGU6IFN1biwgOCBNYXkgMjAwNSAxNDowOToxMSAtMDUwMApGcm9tOiB4eHh4eHh4eHggeHh4eHh4eCA8eHh4eHh4eHh4Lnh4eHh4eHhAZ21haWwuY29tPgpSZXBseS1UbzogeHh4eHh4eHh4IHh4eHh4eHggPHh4eHh4eHh4eC54eHh8eHh4QGdtYWlsLmNvbT4KVG86IHh4eHh4IHh4eP////94IDx4eHh4eEB4eHh4eHh4eHguY29tPgpTdWJqZWN0OiBGd2Q6IFNpZ25lZCBlbWFpbCBjYXVzZXMgZmlsZSBhdHRhY2htZW50cwpJbi1SZXBseS1UbzogPEY2RTJEMEI0LUNDMzUtNEE5MS1CQTRDLUM3QzcxMkIxMEMxM0BtYWMuY29tPgpNSU1FLVZlcnNpb246IDEuMApDb250ZW50LVR5cGU6IG11bHRpcGFydC9taXhlZDsgCglib3VuZGFyeT0iLS0tLT1fUGFydF81MDI4XzczNjgyODQuMTExNTU3OTM1MTQ3MSIKUmVmZXJlbmNlczogPEY2RTJEMEI0LUNDMzUtNEE5xS1CQTRDLUM3QzcxMkIxMEMxM21lPSJoZWxsby5yYiINCkNvbnRlbnQtVHJhbnNmZXItRW5jb2Rpbmc6IDdiaXQNCkNvbnRlbnQtRGlzcG9zaXRpb246IGF0dGFjaG1lbnQ7DQoJZmlsVFZYWlZJWUxhQncKLS0tLS0tPV9QYXJ0XzUwMjhfNzM2ODI4NC4xMTE1NTc5MzUxNDcxLS0KCg=="
    ])
    func fuzzerFindingsKeepTheirAttachments(_ encoded: String) throws {
        let bytes = Array(try #require(Data(base64Encoded: encoded)))
        let whole = MessageParser.parse(bytes)
        let plan = Self.injector.plan(for: whole, headerEdits: [.set(name: "Subject", value: "fuzz")]) {
            Array(bytes[$0])
        }
        let rewritten = MessageParser.parse(plan.apply(to: bytes))
        func attachments(_ message: ParsedMessage) -> [[UInt8]] {
            message.leaves.filter { $0.isAttachment && $0.mimeType != "text/html" }.map(\.sha256).sorted {
                $0.lexicographicallyPrecedes($1)
            }
        }
        #expect(attachments(rewritten) == attachments(whole))
    }
}
