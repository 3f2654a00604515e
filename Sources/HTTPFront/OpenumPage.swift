//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Foundation
import Mustache
import Spool

/// The landing page of an Openum link: who sent which document, until when, and a button that
/// opens it. Plain HTML from a template, no JavaScript, in the recipient's language.
enum OpenumPage {
    struct Texts {
        var title: String
        var intro: String
        var document: String
        var size: String
        var expires: String
        var button: String
        var note: String
        var expired: String
        var unknown: String
        var again: String
        var unavailable: String
    }

    static func render(
        language: VerificationPage.Language,
        link: OpenumLink?,
        nonce: String?,
        problem: String? = nil
    ) -> String {
        let text = Self.texts[language]!
        var values: [String: Any] = [
            "lang": language.rawValue, "title": text.title, "documentLabel": text.document, "sizeLabel": text.size,
            "expiresLabel": text.expires, "button": text.button, "note": text.note
        ]
        if let link {
            let sender = link.senderName.map { "\($0) <\(link.senderAddress)>" } ?? link.senderAddress
            values["intro"] = text.intro.replacingOccurrences(of: "{sender}", with: sender)
            values["subject"] = link.subject ?? ""
            values["name"] = link.document.name
            values["size"] = ByteCountFormatter.string(fromByteCount: Int64(link.document.size), countStyle: .file)
            values["sha256"] = link.document.sha256
            values["expiresAt"] = ISO8601DateFormatter().string(from: link.document.expiresAt)
            values["token"] = link.token
            if link.isExpired(at: Date()) {
                values["problem"] = text.expired
            } else if let nonce {
                values["nonce"] = nonce
            }
        } else {
            values["problem"] = text.unknown
        }
        if let problem {
            values["problem"] = problem == "again" ? text.again : problem == "unavailable" ? text.unavailable : problem
        }
        return Self.template.render(values)
    }

    static let texts: [VerificationPage.Language: Texts] = [
        .english: Texts(
            title: "A certified document for you",
            intro: "{sender} sent you a document through a certified delivery service.",
            document: "Document",
            size: "Size",
            expires: "Available until (UTC)",
            button: "Open the document",
            note:
                "Opening the document is recorded (time, address, browser) and certified to its sender. Nothing is recorded until you press the button.",
            expired: "This link has expired: the document can no longer be opened.",
            unknown: "There is no document at this link.",
            again: "Please open the document from this page (your browser must accept its cookie).",
            unavailable: "The document cannot be handed over now. Nothing was recorded; please tell its sender."
        ),
        .catalan: Texts(
            title: "Un document certificat per a vós",
            intro: "{sender} us ha enviat un document per mitjà d'un servei de lliurament certificat.",
            document: "Document",
            size: "Mida",
            expires: "Disponible fins al (UTC)",
            button: "Obre el document",
            note:
                "L'obertura del document queda registrada (hora, adreça, navegador) i es certifica al remitent. No es registra res fins que no premeu el botó.",
            expired: "Aquest enllaç ha caducat: el document ja no es pot obrir.",
            unknown: "No hi ha cap document en aquest enllaç.",
            again: "Obriu el document des d'aquesta pàgina (el navegador n'ha d'acceptar la galeta).",
            unavailable: "Ara no es pot lliurar el document. No s'ha registrat res; aviseu-ne el remitent."
        ),
        .spanish: Texts(
            title: "Un documento certificado para usted",
            intro: "{sender} le ha enviado un documento a través de un servicio de entrega certificada.",
            document: "Documento",
            size: "Tamaño",
            expires: "Disponible hasta (UTC)",
            button: "Abrir el documento",
            note:
                "La apertura del documento queda registrada (hora, dirección, navegador) y se certifica al remitente. No se registra nada hasta que pulse el botón.",
            expired: "Este enlace ha caducado: el documento ya no se puede abrir.",
            unknown: "No hay ningún documento en este enlace.",
            again: "Abra el documento desde esta página (el navegador debe aceptar su cookie).",
            unavailable: "Ahora no se puede entregar el documento. No se ha registrado nada; avise al remitente."
        )
    ]

    static let template = try! MustacheTemplate(
        string: """
            <!DOCTYPE html>
            <html lang="{{lang}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex, nofollow">
            <title>{{title}} · Fefaent</title>
            <style>
            body { font-family: sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #111; background: #fff; line-height: 1.5; }
            dt { font-weight: bold; } dd { margin: 0 0 .6rem 0; overflow-wrap: anywhere; }
            button { font-size: 1.1rem; padding: .5rem 1rem; } :focus { outline: 3px solid #1a4fd6; }
            .problem { color: #9b0000; font-weight: bold; }
            </style>
            </head>
            <body>
            <main>
            <h1>{{title}}</h1>
            {{#intro}}<p id="intro">{{intro}}</p>{{/intro}}
            {{#name}}
            <dl>
            <dt>{{documentLabel}}</dt><dd id="document">{{name}}</dd>
            {{#subject}}<dt>Subject</dt><dd>{{subject}}</dd>{{/subject}}
            <dt>{{sizeLabel}}</dt><dd>{{size}}</dd>
            <dt>SHA-256</dt><dd><code>{{sha256}}</code></dd>
            <dt>{{expiresLabel}}</dt><dd>{{expiresAt}}</dd>
            </dl>
            {{/name}}
            {{#problem}}<p role="alert" class="problem" id="problem">{{problem}}</p>{{/problem}}
            {{#nonce}}
            <form method="post" action="/d/{{token}}/open">
            <input type="hidden" name="nonce" value="{{nonce}}">
            <p><button type="submit" id="open">{{button}}</button></p>
            </form>
            <p>{{note}}</p>
            {{/nonce}}
            </main>
            </body>
            </html>
            """
    )
}
