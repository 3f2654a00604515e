//===----------------------------------------------------------------------===//
//
// This source file is part of the Fefaent open source project
// Copyright (c) 2026 the Fefaent project authors. Licensed under Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//

import Spool

/// The words of the notices in the account's language (Catalan, Spanish, English).
struct NoticeText {
    let language: Account.Language

    func subject(_ kind: NoticeQueued.Kind, original: String) -> String {
        let quoted = "\u{201C}\(original)\u{201D}"
        switch (kind, self.language) {
        case (.processingNotice, .catalan): return "Correu certificat en curs: \(quoted)"
        case (.processingNotice, .spanish): return "Correo certificado en proceso: \(quoted)"
        case (.processingNotice, _): return "Certified mail being processed: \(quoted)"
        case (.deliveryCertificate, .catalan): return "Certificat de lliurament: \(quoted)"
        case (.deliveryCertificate, .spanish): return "Certificado de entrega: \(quoted)"
        case (.deliveryCertificate, _): return "Delivery certificate: \(quoted)"
        case (.nonDeliveryCertificate, .catalan): return "Certificat de no lliurament: \(quoted)"
        case (.nonDeliveryCertificate, .spanish): return "Certificado de no entrega: \(quoted)"
        case (.nonDeliveryCertificate, _): return "Non-delivery certificate: \(quoted)"
        case (.openingAddendum, .catalan): return "Annex d'obertura: \(quoted)"
        case (.openingAddendum, .spanish): return "Anexo de apertura: \(quoted)"
        case (.openingAddendum, _): return "Opening addendum: \(quoted)"
        case (.receptionAcknowledgement, .catalan): return "Justificant de recepció: \(quoted)"
        case (.receptionAcknowledgement, .spanish): return "Acuse de recibo: \(quoted)"
        case (.receptionAcknowledgement, _): return "Acknowledgement of receipt: \(quoted)"
        case (.unitsExhausted, .catalan): return "Bústia certificada sense unitats: \(original)"
        case (.unitsExhausted, .spanish): return "Buzón certificado sin unidades: \(original)"
        case (.unitsExhausted, _): return "Certified mailbox out of units: \(original)"
        case (.accessCertificate, .catalan): return "Certificat d'accés al document: \(quoted)"
        case (.accessCertificate, .spanish): return "Certificado de acceso al documento: \(quoted)"
        case (.accessCertificate, _): return "Document access certificate: \(quoted)"
        case (.nonAccessCertificate, .catalan): return "Certificat de no accés al document: \(quoted)"
        case (.nonAccessCertificate, .spanish): return "Certificado de no acceso al documento: \(quoted)"
        case (.nonAccessCertificate, _): return "Document not accessed: \(quoted)"
        case (.openumReminder, .catalan): return "Recordatori: teniu un document per obrir: \(quoted)"
        case (.openumReminder, .spanish): return "Recordatorio: tiene un documento por abrir: \(quoted)"
        case (.openumReminder, _): return "Reminder: a document is waiting for you: \(quoted)"
        case (.deliveryFailureReport, _), (.delayReport, _): return quoted
        }
    }

    func opening(_ kind: NoticeQueued.Kind) -> String {
        switch (kind, self.language) {
        case (.processingNotice, .catalan):
            return
                "Hem rebut el vostre correu per certificar-lo. L'enviarem a cada destinatari i us enviarem un certificat quan el servidor de cada destinatari l'accepti."
        case (.processingNotice, .spanish):
            return
                "Hemos recibido su correo para certificarlo. Lo enviaremos a cada destinatario y le enviaremos un certificado cuando el servidor de cada destinatario lo acepte."
        case (.processingNotice, _):
            return
                "We have received your mail for certification. We will send it to each recipient and send you a certificate when each recipient's server accepts it."
        case (.deliveryCertificate, .catalan):
            return
                "El servidor de correu del destinatari ha acceptat la còpia certificada del vostre correu. El PDF adjunt, signat i segellat en el temps, n'és la prova."
        case (.deliveryCertificate, .spanish):
            return
                "El servidor de correo del destinatario ha aceptado la copia certificada de su correo. El PDF adjunto, firmado y sellado en el tiempo, es la prueba."
        case (.deliveryCertificate, _):
            return
                "The recipient's mail server accepted the certified copy of your mail. The attached PDF, signed and time-stamped, is the evidence."
        case (.nonDeliveryCertificate, .catalan):
            return
                "La còpia certificada del vostre correu no s'ha pogut lliurar a aquest destinatari. El PDF adjunt, signat i segellat en el temps, n'és la prova."
        case (.nonDeliveryCertificate, .spanish):
            return
                "La copia certificada de su correo no se ha podido entregar a este destinatario. El PDF adjunto, firmado y sellado en el tiempo, es la prueba."
        case (.nonDeliveryCertificate, _):
            return
                "The certified copy of your mail could not be delivered to this recipient. The attached PDF, signed and time-stamped, is the evidence."
        case (.openingAddendum, .catalan):
            return
                "La imatge de seguiment de la còpia certificada s'ha descarregat per primera vegada. Això indica que el correu s'ha obert o que un servei l'ha processat; no prova que s'hagi llegit."
        case (.openingAddendum, .spanish):
            return
                "La imagen de seguimiento de la copia certificada se ha descargado por primera vez. Indica que el correo se ha abierto o que un servicio lo ha procesado; no prueba que se haya leído."
        case (.openingAddendum, _):
            return
                "The tracking image of the certified copy was fetched for the first time. This shows that the mail was opened or processed by a service; it does not prove that it was read."
        case (.receptionAcknowledgement, .catalan):
            return
                "Hem rebut el vostre correu a la bústia certificada indicada a sota. El PDF adjunt, signat i segellat en el temps, prova què hem rebut i quan."
        case (.receptionAcknowledgement, .spanish):
            return
                "Hemos recibido su correo en el buzón certificado indicado abajo. El PDF adjunto, firmado y sellado en el tiempo, prueba qué hemos recibido y cuándo."
        case (.receptionAcknowledgement, _):
            return
                "Your mail was received by the certified mailbox below. The attached PDF, signed and time-stamped, proves what was received and when."
        case (.unitsExhausted, .catalan):
            return
                "El compte d'aquesta bústia certificada no té unitats. El correu rebut es desa igualment, però no es certifica ni se n'envia justificant fins que hi afegiu unitats."
        case (.unitsExhausted, .spanish):
            return
                "La cuenta de este buzón certificado no tiene unidades. El correo recibido se guarda igualmente, pero no se certifica ni se envía acuse hasta que añada unidades."
        case (.unitsExhausted, _):
            return
                "The account of this certified mailbox is out of units. Mail it receives is still stored, but it is not certified and no acknowledgement is sent until units are added."
        case (.accessCertificate, .catalan):
            return
                "El destinatari ha obert el document des del seu enllaç i se li ha lliurat. El PDF adjunt, signat i segellat en el temps, prova quan i des d'on."
        case (.accessCertificate, .spanish):
            return
                "El destinatario ha abierto el documento desde su enlace y se le ha entregado. El PDF adjunto, firmado y sellado en el tiempo, prueba cuándo y desde dónde."
        case (.accessCertificate, _):
            return
                "The recipient opened the document from their link and it was handed over. The attached PDF, signed and time-stamped, proves when and from where."
        case (.nonAccessCertificate, .catalan):
            return
                "L'enllaç del destinatari ha caducat sense que obrís el document. El PDF adjunt, signat i segellat en el temps, n'és la prova."
        case (.nonAccessCertificate, .spanish):
            return
                "El enlace del destinatario ha caducado sin que abriera el documento. El PDF adjunto, firmado y sellado en el tiempo, es la prueba."
        case (.nonAccessCertificate, _):
            return
                "The recipient's link expired and the document was never opened. The attached PDF, signed and time-stamped, is the evidence."
        case (.openumReminder, .catalan):
            return "Teniu un document certificat pendent d'obrir. Obriu-lo amb aquest enllaç abans que caduqui:"
        case (.openumReminder, .spanish):
            return "Tiene un documento certificado pendiente de abrir. Ábralo con este enlace antes de que caduque:"
        case (.openumReminder, _):
            return "A certified document is waiting for you. Open it with this link before it expires:"
        case (.deliveryFailureReport, _), (.delayReport, _):
            return ""
        }
    }

    enum Label {
        case subject, recipients, recipient, evidenceID, units, time, reply, fetchedBy, invoice, queueID, verify, noPDF
        case mailbox, from, authentication, account, document, link, expires
    }

    func label(_ label: Label) -> String {
        switch (label, self.language) {
        case (.subject, .catalan): return "Assumpte"
        case (.subject, .spanish): return "Asunto"
        case (.subject, _): return "Subject"
        case (.recipients, .catalan): return "Destinataris certificats"
        case (.recipients, .spanish): return "Destinatarios certificados"
        case (.recipients, _): return "Certified recipients"
        case (.recipient, .catalan): return "Destinatari"
        case (.recipient, .spanish): return "Destinatario"
        case (.recipient, _): return "Recipient"
        case (.evidenceID, .catalan): return "Identificador d'evidència"
        case (.evidenceID, .spanish): return "Identificador de evidencia"
        case (.evidenceID, _): return "Evidence id"
        case (.units, .catalan): return "Unitats cobrades"
        case (.units, .spanish): return "Unidades cobradas"
        case (.units, _): return "Units charged"
        case (.time, .catalan): return "Hora (UTC)"
        case (.time, .spanish): return "Hora (UTC)"
        case (.time, _): return "Time (UTC)"
        case (.reply, .catalan): return "Resposta del servidor"
        case (.reply, .spanish): return "Respuesta del servidor"
        case (.reply, _): return "Server reply"
        case (.fetchedBy, .catalan): return "Descarregada per"
        case (.fetchedBy, .spanish): return "Descargada por"
        case (.fetchedBy, _): return "Fetched by"
        case (.invoice, .catalan): return "Factura certificada"
        case (.invoice, .spanish): return "Factura certificada"
        case (.invoice, _): return "Certified invoice"
        case (.queueID, .catalan): return "Identificador de cua"
        case (.queueID, .spanish): return "Identificador de cola"
        case (.queueID, _): return "Queue id"
        case (.verify, .catalan): return "Verificació: fefaent evidence verify FITXER.pdf, pdfsig FITXER.pdf"
        case (.verify, .spanish): return "Verificación: fefaent evidence verify FICHERO.pdf, pdfsig FICHERO.pdf"
        case (.verify, _): return "Verify it with: fefaent evidence verify FILE.pdf, or pdfsig FILE.pdf"
        case (.noPDF, .catalan): return "PDF d'evidència no adjunt; demaneu-lo amb l'identificador"
        case (.noPDF, .spanish): return "PDF de evidencia no adjunto; solicítelo con el identificador"
        case (.noPDF, _): return "Evidence PDF not attached; ask for it with the evidence id"
        case (.mailbox, .catalan): return "Bústia"
        case (.mailbox, .spanish): return "Buzón"
        case (.mailbox, _): return "Mailbox"
        case (.from, .catalan): return "Remitent"
        case (.from, .spanish): return "Remitente"
        case (.from, _): return "From"
        case (.authentication, .catalan): return "Autenticació del remitent"
        case (.authentication, .spanish): return "Autenticación del remitente"
        case (.authentication, _): return "Sender authentication"
        case (.account, .catalan): return "Compte"
        case (.account, .spanish): return "Cuenta"
        case (.account, _): return "Account"
        case (.document, .catalan): return "Document"
        case (.document, .spanish): return "Documento"
        case (.document, _): return "Document"
        case (.link, .catalan): return "Enllaç"
        case (.link, .spanish): return "Enlace"
        case (.link, _): return "Link"
        case (.expires, .catalan): return "Caduca (UTC)"
        case (.expires, .spanish): return "Caduca (UTC)"
        case (.expires, _): return "Expires (UTC)"
        }
    }
}
