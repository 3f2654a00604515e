"""Certified mail end to end, as a company uses it: the sender's MTA delivers the copy addressed to the
certifier (Cc mode) or submits through Fefaent; every recipient's server gets a certified copy (pixel,
From the certifier, DKIM); the sender gets the processing notice, a delivery certificate per accepted
recipient and a non-delivery certificate for the one that refuses, each with a signed evidence PDF."""
import email
import email.policy
import shutil
import smtplib
import ssl
import subprocess
import time
import urllib.request

import pytest

from conftest import CERTIFIER
from certified import (Certifier, SENDER, dkim_dns, export_records, queue_id_of, verify_dkim)
import sink

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")


@pytest.fixture
def certifier(fefaent_binary, tmp_path):
    c = Certifier(fefaent_binary, tmp_path).start()
    yield c
    assert c.stop() == 0, c.daemon.log_text()[-3000:]


def finished(c, queue_id, count):
    rows = c.recipients(queue_id)
    return len(rows) == count and all(r["state"] in ("delivered", "bounced") for r in rows) and rows


def ledger(c, account="acme"):
    with c.db() as db:
        return db.execute("SELECT change, balance_after, actor, reason, queue_id FROM ledger WHERE account = ? "
                          "ORDER BY id", (account,)).fetchall()


def balance(c, account="acme"):
    with c.db() as db:
        return db.execute("SELECT balance FROM account WHERE name = ?", (account,)).fetchone()[0]


def pdfsig_valid(pdf_bytes, tmp_path, ca):
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(pdf_bytes)
    nss = tmp_path / "nss"
    if not nss.exists():
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "ca", "-t", "CT,C,C", "-i", str(ca)], check=True)
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True).stdout
    hanko = subprocess.run(["pyhanko", "sign", "validate", "--trust", str(ca), "--trust-replace",
                            "--no-revocation-check", str(pdf)], capture_output=True, text=True)
    return "Signature is Valid." in report and "Certificate is Trusted." in report, hanko.returncode == 0


@pytest.mark.skipif(shutil.which("pdfsig") is None or shutil.which("certutil") is None or shutil.which("pyhanko") is None,
                    reason="poppler-utils, libnss3-tools and pyhanko are installed by .ci/run")
def test_cc_mode_three_recipients_one_refuses(certifier, tmp_path):
    c = certifier
    code, reply = c.send_cc(["Bob <bob@example.test>", "carol@example.test", "Dan <dan@refuse.test>"],
                            cc=(CERTIFIER, "Bob@EXAMPLE.test"))
    assert code == 250, reply
    queue_id = queue_id_of(reply)
    rows = c.wait(lambda: finished(c, queue_id, 3), "three outcomes")
    assert {r["address"]: r["state"] for r in rows} == {
        "bob@example.test": "delivered", "carol@example.test": "delivered", "dan@refuse.test": "bounced"}
    assert all(r["kind"] == "certified" and len(r["token"]) == 26 for r in rows)
    assert len({r["token"] for r in rows}) == 3

    # Each accepted recipient got its own copy: From the certifier "via Fefaent", Reply-To the sender,
    # the evidence id, a pixel with its own token, a DKIM signature of the certifier domain that verifies.
    records = dkim_dns(c.daemon.keys / "dkim.txt")
    raws = c.accepting.messages()
    assert len(raws) == 2
    for raw in raws:
        copy = email.message_from_bytes(raw, policy=email.policy.default)
        to = copy["X-Rcpt-Args"].strip("<>")
        token = next(r["token"] for r in rows if r["address"] == to)
        assert copy["From"].addresses[0].addr_spec == CERTIFIER
        assert copy["From"].addresses[0].display_name == "Alice Example via Fefaent"
        assert copy["Reply-To"].addresses[0].addr_spec == SENDER
        assert copy["X-Mail-Args"].startswith(f"<bounces+{token}@fefaent.test>")
        html = copy.get_body(("html",)).get_content()
        assert f'src="http://127.0.0.1:{c.http}/o/{token}.gif"' in html
        assert copy.get_body(("plain",)).get_content().strip() == "Please find the contract attached."
        assert verify_dkim(raw, records), raw[:600]
    # The certifier addresses receive nothing; no copy went anywhere else.
    assert all(b"certify@" not in r.split(b"\n\n")[0].split(b"X-Rcpt-Args")[1][:40] for r in raws)

    # Units: one per started 5 MB per certified recipient; the ledger sums to the balance.
    entries = ledger(c)
    assert [e["change"] for e in entries] == [100, -3]
    assert entries[-1]["queue_id"] == queue_id and entries[-1]["actor"] == "certification"
    assert sum(e["change"] for e in entries) == balance(c) == 97

    # The notices: one processing notice, two delivery certificates, one non-delivery certificate.
    notices = c.wait(lambda: len(c.notices()) >= 4 and c.notices(), "four notices", 60)
    kinds = sorted(m["X-Fefaent-Notice"] for m, _ in notices)
    assert kinds == ["deliveryCertificate", "deliveryCertificate", "nonDeliveryCertificate", "processingNotice"]
    for message, raw in notices:
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["To"].addresses[0].addr_spec == SENDER
        assert verify_dkim(raw, records)
        assert message["X-Mail-Args"].startswith("<>")  # a notice that bounces is never answered
        kind = message["X-Fefaent-Notice"]
        pdfs = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
        if kind == "processingNotice":
            assert pdfs == []
            text = message.get_body(("plain",)).get_content()
            assert "bob@example.test, carol@example.test, dan@refuse.test" in text and "Units charged: 3" in text
            continue
        assert len(pdfs) == 1
        assert pdfsig_valid(pdfs[0].get_content(), tmp_path, c.daemon.ca) == (True, True)
    failure = next(m for m, _ in notices if m["X-Fefaent-Notice"] == "nonDeliveryCertificate")
    assert "dan@refuse.test" in failure.get_body(("plain",)).get_content()
    assert "5.3.0" in failure.get_body(("plain",)).get_content()

    # The evidence: the acceptance names the account, the certified recipients and how the sender was
    # vouched for; every notice has its own SenderNotification record.
    exported = export_records(c.daemon, queue_id, tmp_path / "export")
    acceptance = exported[0]
    assert acceptance["kind"] == "SubmissionAcceptance"
    assert acceptance["sender"] == SENDER
    assert acceptance["certification"]["account"] == "acme"
    assert acceptance["certification"]["mode"] == "cc"
    assert acceptance["certification"]["units"] == 3
    assert acceptance["certification"]["certifiedRecipients"] == ["bob@example.test", "carol@example.test",
                                                                  "dan@refuse.test"]
    assert acceptance["senderAuthentication"] == {"method": "trusted-network", "identity": None}
    kinds = [r["kind"] for r in exported]
    assert kinds.count("RelayToNonERDS") == 2 and kinds.count("RelayToNonERDSFailure") == 1
    with c.db() as db:
        notified = db.execute("SELECT count(*) FROM message WHERE listener = 'local'").fetchone()[0]
    assert notified == 4


def test_submission_mode_certifies_the_envelope_recipients(certifier):
    c = certifier
    message = (f"From: {SENDER}\r\nTo: bob@example.test\r\nSubject: Notice\r\n\r\nHello\r\n").encode()
    with smtplib.SMTP("127.0.0.1", c.daemon.submission, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(c.daemon.ca)))
        client.login("alice", "secret password")
        client.sendmail(SENDER, ["bob@example.test", "carol@example.test", CERTIFIER], message)
        plain = client.sendmail(SENDER, ["erin@example.test"], message)
        assert plain == {}
    rows = c.wait(lambda: [r for r in c.db().execute("SELECT * FROM recipient ORDER BY id").fetchall()
                           if r["state"] == "delivered"], "deliveries")
    with c.db() as db:
        certified = db.execute("SELECT address, kind FROM recipient WHERE kind = 'certified' ORDER BY id").fetchall()
        charged = db.execute("SELECT account, units, mode FROM certified_message").fetchall()
    assert [(r["address"], r["kind"]) for r in certified] == [("bob@example.test", "certified"),
                                                              ("carol@example.test", "certified")]
    assert [tuple(r) for r in charged] == [("alice", 2, "submission")]
    c.wait(lambda: len(c.accepting.messages()) == 3, "two copies and one plain mail")
    plain = [m for m in c.copies() if m["X-Fefaent-Certification"] is None]
    assert len(plain) == 1 and plain[0]["From"] == SENDER  # relayed as it was: not certified
    assert rows


def test_pixel_fetch_is_classified_and_gives_one_opening_addendum(certifier, tmp_path):
    c = certifier
    code, reply = c.send_cc(["bob@example.test"])
    queue_id = queue_id_of(reply)
    c.wait(lambda: finished(c, queue_id, 1), "delivery")
    token = c.recipients(queue_id)[0]["token"]
    url = f"http://127.0.0.1:{c.http}/o/{token}.gif"
    google = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    for agent in (google, "Thunderbird/128.0"):
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": agent})) as response:
            assert response.status == 200 and response.headers["Content-Type"] == "image/gif"
            assert "no-store" in response.headers["Cache-Control"]
            assert response.read()[:6] == b"GIF89a"
    # An unknown token gets the same image and no record.
    with urllib.request.urlopen(f"http://127.0.0.1:{c.http}/o/{'0' * 26}.gif") as response:
        assert response.read()[:6] == b"GIF89a"
    addenda = c.wait(lambda: c.notices("openingAddendum"), "the opening addendum", 60)
    text = addenda[0][0].get_body(("plain",)).get_content()
    assert "googleImageProxy" in text and "fetched" in text and "read" not in text.split("does not prove")[0]
    c.wait(lambda: len([1 for r in export_records(c.daemon, queue_id, tmp_path / f"e{len(list(tmp_path.iterdir()))}")
                        if r["kind"] == "TrackingResourceFetched"]) == 2, "two fetch records")
    fetches = [r for r in export_records(c.daemon, queue_id, tmp_path / "final") if r["kind"] == "TrackingResourceFetched"]
    assert [f["event"]["classification"] for f in fetches] == ["googleImageProxy", "mailClient"]
    assert all(f["recipients"] == ["bob@example.test"] for f in fetches)
    assert len(c.notices("openingAddendum")) == 1  # later fetches go into the full evidence only
    with urllib.request.urlopen(f"http://127.0.0.1:{c.http}/healthz") as response:
        assert response.read() == b"ok\n"
    with urllib.request.urlopen(f"http://127.0.0.1:{c.http}/metrics") as response:
        metrics = response.read().decode()
    for name in ("fefaent_accepted_total", "fefaent_certified_total", "fefaent_delivered_total",
                 "fefaent_pixel_fetched_total 2", "fefaent_units_charged_total 1", "fefaent_queue_recipients",
                 "fefaent_evidence_records_total"):
        assert name in metrics, metrics


def late_bounce(c, token, recipient):
    return (f"From: MAILER-DAEMON@example.test\r\nTo: bounces+{token}@fefaent.test\r\nSubject: Undelivered\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nThe mailbox is full and will stay so.\r\n"
            "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.test\r\n\r\n"
            f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.2.2\r\n"
            "Diagnostic-Code: smtp; 552 5.2.2 mailbox full\r\n--b--\r\n").encode()


def test_a_late_bounce_supersedes_the_delivery(certifier, tmp_path):
    c = certifier
    code, reply = c.send_cc(["bob@example.test"])
    queue_id = queue_id_of(reply)
    c.wait(lambda: finished(c, queue_id, 1), "delivery")
    token = c.recipients(queue_id)[0]["token"]
    c.wait(lambda: c.notices("deliveryCertificate"), "the delivery certificate", 60)
    with smtplib.SMTP("127.0.0.1", c.daemon.mx, timeout=30) as client:
        client.sendmail("", [f"bounces+{token}@fefaent.test"], late_bounce(c, token, "bob@example.test"))
    row = c.wait(lambda: [r for r in c.recipients(queue_id) if r["state"] == "bounced"], "the bounce")[0]
    assert "5.2.2" in row["last_reply"]
    notice = c.wait(lambda: c.notices("nonDeliveryCertificate"), "the non-delivery certificate", 60)
    assert "mailbox full" in notice[0][0].get_body(("plain",)).get_content()
    records = export_records(c.daemon, queue_id, tmp_path / "export")
    delivered = next(r for r in records if r["kind"] == "RelayToNonERDS")
    failure = next(r for r in records if r["kind"] == "RelayToNonERDSFailure")
    assert failure["supersedes"] == delivered["evidenceId"]
    assert failure["reason"] == "bouncedAfterDelivery"
    # A second copy of the same bounce changes nothing.
    with smtplib.SMTP("127.0.0.1", c.daemon.mx, timeout=30) as client:
        client.sendmail("", [f"bounces+{token}@fefaent.test"], late_bounce(c, token, "bob@example.test"))
    assert len([r for r in export_records(c.daemon, queue_id, tmp_path / "again")
                if r["kind"] == "RelayToNonERDSFailure"]) == 1


UBL = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
       b'<ID>F-2026-118</ID></Invoice>\n')


def test_a_certified_invoice_names_its_files(fefaent_binary, tmp_path):
    import base64
    import hashlib
    c = Certifier(fefaent_binary, tmp_path, language="ca").start()
    try:
        pdf = b"%PDF-1.4\n% invoice F-2026-118\n%%EOF\n"
        boundary = "inv"
        body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFactura adjunta.\r\n"
                f"--{boundary}\r\nContent-Type: application/pdf; name=\"F-2026-118.pdf\"\r\n"
                "Content-Disposition: attachment; filename=\"F-2026-118.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                f"{base64.b64encode(pdf).decode()}\r\n"
                f"--{boundary}\r\nContent-Type: application/xml; name=\"F-2026-118.xml\"\r\n"
                "Content-Disposition: attachment; filename=\"F-2026-118.xml\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                f"{base64.b64encode(UBL).decode()}\r\n--{boundary}--\r\n")
        code, reply = c.send_cc(["bob@example.test"], cc=("invoice@fefaent.test",), subject="Factura F-2026-118",
                                headers=f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary={boundary}\r\n",
                                body=body)
        assert code == 250, reply
        queue_id = queue_id_of(reply)
        c.wait(lambda: finished(c, queue_id, 1), "delivery")
        acceptance = export_records(c.daemon, queue_id, tmp_path / "export")[0]
        certification = acceptance["certification"]
        assert certification["invoice"] is True and certification["certifier"] == "invoice@fefaent.test"
        assert certification["invoiceFiles"] == [
            {"name": "F-2026-118.pdf", "format": "pdf", "sha256": hashlib.sha256(pdf).hexdigest()},
            {"name": "F-2026-118.xml", "format": "ubl", "sha256": hashlib.sha256(UBL).hexdigest()},
        ]
        # The certificate is in the account's language and says it is an invoice.
        [(certificate, _)] = c.wait(lambda: c.notices("deliveryCertificate"), "the certificate", 60)
        assert certificate["Subject"] == "Certificat de lliurament: \u201cFactura F-2026-118\u201d"
        text = certificate.get_body(("plain",)).get_content()
        assert "Factura certificada" in text and "Destinatari: bob@example.test" in text
        [(processing, _)] = c.notices("processingNotice")
        assert processing["Subject"].startswith("Correu certificat en curs")
    finally:
        assert c.stop() == 0


def test_a_notice_that_bounces_is_recorded_and_never_answered(fefaent_binary, tmp_path):
    # The sender's own server refuses every notice: each refusal is a delivery record of the notice;
    # no bounce of a bounce goes anywhere (notices are sent from <>).
    c = Certifier(fefaent_binary, tmp_path, sender_refuses=True).start()
    try:
        code, reply = c.send_cc(["bob@example.test"])
        queue_id = queue_id_of(reply)
        c.wait(lambda: finished(c, queue_id, 1), "delivery")

        def notices_failed():
            with c.db() as db:
                rows = db.execute("SELECT r.state FROM recipient r JOIN message m ON m.id = r.message_id "
                                  "WHERE m.listener = 'local'").fetchall()
            return len(rows) == 2 and all(r["state"] == "bounced" for r in rows) and rows
        c.wait(notices_failed, "two refused notices", 60)
        time.sleep(1)
        with c.db() as db:
            local = db.execute("SELECT id, sender FROM message WHERE listener = 'local'").fetchall()
        assert len(local) == 2 and all(row["sender"] == "" for row in local)  # nothing answers them
        for row in local:
            records = export_records(c.daemon, row["id"], tmp_path / row["id"])
            assert [r["kind"] for r in records] == ["SenderNotification", "RelayToNonERDSFailure"]
    finally:
        assert c.stop() == 0
