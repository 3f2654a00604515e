//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Evidence
import Foundation
import MailMessage
import Mustache

/// The public verification page (`GET /verify`, `POST /verify`): anyone drops an evidence PDF on it
/// and reads, check by check, what holds and what does not, in Catalan, Spanish or English. Plain
/// HTML from a template, no JavaScript, labelled form, text that does not rely on colour alone.
enum VerificationPage {
    enum Language: String, CaseIterable {
        case catalan = "ca"
        case spanish = "es"
        case english = "en"

        /// The first of ca, es, en the client prefers (RFC 9110 §12.5.4 weights), English otherwise;
        /// `?lang=` wins over the header.
        init(query: String?, acceptLanguage: String?) {
            if let query, let chosen = Language(rawValue: query.lowercased()) {
                self = chosen
                return
            }
            var best: (Language, Double)? = nil
            for item in (acceptLanguage ?? "").split(separator: ",") {
                let parts = item.split(separator: ";")
                let tag = parts.first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
                let primary = String(tag.split(separator: "-").first ?? "")
                var weight = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=")
                    if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == "q" {
                        weight = Double(pair[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
                if let language = Language(rawValue: primary), weight > 0, weight > (best?.1 ?? 0) {
                    best = (language, weight)
                }
            }
            self = best?.0 ?? .english
        }
    }

    /// The page: the form, and the report when a PDF was checked (or why none could be).
    static func render(
        language: Language,
        report: VerificationReport?,
        problem: String? = nil,
        evidenceID: String? = nil
    ) -> String {
        let text = Self.texts[language]!
        var values: [String: Any] = text
        values["lang"] = language.rawValue
        if let evidenceID { values["evidenceID"] = evidenceID }
        if let report {
            let failed = report.checks.filter { !$0.passed }.count
            values["report"] =
                [
                    "passed": report.passed,
                    "verdict": report.passed
                        ? text["valid"]!
                        : text["invalid"]!.replacingOccurrences(of: "{n}", with: String(failed)),
                    "checks": report.checks.map { check in
                        [
                            "subject": check.subject, "text": check.text,
                            "result": check.passed ? text["holds"]! : text["fails"]!, "passed": check.passed
                        ] as [String: Any]
                    }
                ] as [String: Any]
        }
        if let problem { values["problem"] = problem }
        return Self.template.render(values)
    }

    /// The file sent in a `multipart/form-data` body (the field `pdf`), read by the MIME parser.
    static func uploadedFile(contentType: String, body: [UInt8]) -> [UInt8]? {
        let message = Array("Content-Type: \(contentType)\r\n\r\n".utf8) + body
        let parsed = MessageParser.parse(message)
        let part = parsed.leaves.first { leaf in
            let disposition = leaf.header("Content-Disposition") ?? ""
            return disposition.contains("name=\"pdf\"") || disposition.contains("name=pdf")
        }
        guard let part, part.bodyStart <= part.bodyEnd else { return nil }
        return Array(message[part.bodyStart..<part.bodyEnd])
    }

    static let texts: [Language: [String: String]] = [
        .english: [
            "title": "Verify an evidence PDF",
            "intro":
                "Choose an evidence PDF from Fefaent (a certificate's attachment). It is checked here as `fefaent evidence verify` checks it: the PDF signature and its time-stamp, each record's signature, time-stamp and place in the log.",
            "label": "Evidence PDF, or an exported evidence folder as a .zip", "button": "Verify",
            "idLabel": "Or an evidence id of this server",
            "result": "Result", "check": "Check", "outcome": "Outcome",
            "detail": "Detail", "valid": "This evidence holds: every check passed.",
            "invalid": "This evidence does not hold: {n} check(s) failed.", "holds": "holds", "fails": "FAILS"
        ],
        .catalan: [
            "title": "Verifica un PDF d'evidència",
            "intro":
                "Trieu un PDF d'evidència de Fefaent (l'adjunt d'un certificat). Es comprova aquí com ho fa `fefaent evidence verify`: la signatura del PDF i el seu segell de temps, i la signatura, el segell de temps i el lloc al registre de cada evidència.",
            "label": "PDF d'evidència, o una carpeta d'evidència exportada en un .zip", "button": "Verifica",
            "idLabel": "O un identificador d'evidència d'aquest servidor", "result": "Resultat", "check": "Comprovació",
            "outcome": "Resultat", "detail": "Detall",
            "valid": "Aquesta evidència és vàlida: totes les comprovacions són correctes.",
            "invalid": "Aquesta evidència no és vàlida: {n} comprovació(ns) han fallat.", "holds": "correcta",
            "fails": "FALLA"
        ],
        .spanish: [
            "title": "Verifica un PDF de evidencia",
            "intro":
                "Elija un PDF de evidencia de Fefaent (el adjunto de un certificado). Se comprueba aquí como lo hace `fefaent evidence verify`: la firma del PDF y su sello de tiempo, y la firma, el sello de tiempo y el lugar en el registro de cada evidencia.",
            "label": "PDF de evidencia, o una carpeta de evidencia exportada en un .zip", "button": "Verificar",
            "idLabel": "O un identificador de evidencia de este servidor", "result": "Resultado",
            "check": "Comprobación",
            "outcome": "Resultado", "detail": "Detalle",
            "valid": "Esta evidencia es válida: todas las comprobaciones son correctas.",
            "invalid": "Esta evidencia no es válida: {n} comprobación(es) han fallado.", "holds": "correcta",
            "fails": "FALLA"
        ]
    ]

    static let template = try! MustacheTemplate(
        string: """
            <!DOCTYPE html>
            <html lang="{{lang}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · Fefaent</title>
            <style>
            body { font-family: sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #111; background: #fff; line-height: 1.5; }
            table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #555; padding: .4rem; text-align: left; vertical-align: top; }
            .holds { color: #0a5c0a; } .fails { color: #9b0000; font-weight: bold; }
            button, input { font-size: 1rem; } :focus { outline: 3px solid #1a4fd6; }
            </style>
            </head>
            <body>
            <main>
            <h1>{{title}}</h1>
            <p>{{intro}}</p>
            <form method="post" action="/verify?lang={{lang}}" enctype="multipart/form-data">
            <p><label for="pdf">{{label}}</label>
            <input id="pdf" name="pdf" type="file" accept=".pdf,.zip,application/pdf,application/zip" required></p>
            <p><button type="submit">{{button}}</button></p>
            </form>
            <form method="get" action="/verify">
            <input type="hidden" name="lang" value="{{lang}}">
            <p><label for="evidence-id">{{idLabel}}</label>
            <input id="evidence-id" name="id" type="text" value="{{evidenceID}}" autocomplete="off" spellcheck="false" required></p>
            <p><button type="submit">{{button}}</button></p>
            </form>
            {{#problem}}<p role="alert" class="fails">{{problem}}</p>{{/problem}}
            {{#report}}
            <section aria-labelledby="result">
            <h2 id="result">{{result}}</h2>
            <p role="status" id="verdict" class="{{#passed}}holds{{/passed}}{{^passed}}fails{{/passed}}">{{verdict}}</p>
            <table>
            <thead><tr><th scope="col">{{check}}</th><th scope="col">{{outcome}}</th><th scope="col">{{detail}}</th></tr></thead>
            <tbody>
            {{#checks}}<tr><td>{{subject}}</td><td class="{{#passed}}holds{{/passed}}{{^passed}}fails{{/passed}}">{{result}}</td><td>{{text}}</td></tr>
            {{/checks}}
            </tbody>
            </table>
            </section>
            {{/report}}
            </main>
            </body>
            </html>
            """
    )
}
