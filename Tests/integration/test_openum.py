"""Openum, certified access to a document: the recipients get a link instead of the file; only the
recipient's explicit act on the landing page opens it and records ContentHandover; scanners, HEAD
requests and forms posted without the page's cookie are recorded as fetches that are no access;
unopened links get a reminder and expire with ContentHandoverFailure; the sender gets the access
certificate (a signed PDF) by mail."""
import base64
import email
import email.policy
import json
import re
import shutil
import sqlite3
import time

import httpx
import pytest

from certified import SENDER, Certifier
import sink
from test_certified_mail import pdfsig_valid

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")

DOCUMENT = b"%PDF-1.4\n% the notice of termination\n" + bytes(range(256)) * 64
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def openum(fefaent_binary, tmp_path):
    c = Certifier(fefaent_binary, tmp_path, units=20)
    c.key = c.daemon.cli("apikey", "add", "acme").stdout.strip()
    c.start()
    c.api = httpx.Client(base_url=f"http://127.0.0.1:{c.http}", timeout=30,
                         headers={"Authorization": f"Bearer {c.key}"})
    c.web = f"http://127.0.0.1:{c.http}"
    yield c
    c.api.close()
    assert c.stop() == 0, c.daemon.log_text()[-3000:]


def send(c, to=("bob@example.test",), **extra):
    body = {"from": SENDER, "from_name": "Acme Legal", "to": list(to), "subject": "Notice of termination",
            "text": "Please read the attached notice.",
            "document": {"filename": "termination.pdf", "content_type": "application/pdf",
                         "content": base64.b64encode(DOCUMENT).decode()}}
    body.update(extra)
    response = c.api.post("/v1/documents", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def link_of(c, recipient):
    def found():
        for raw in c.accepting.messages():
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if recipient in message["To"] and "Reminder" not in str(message["Subject"]):
                text = message.get_body(("plain",)).get_content()
                match = re.search(r"http://127\.0\.0\.1:\d+/d/[a-z0-9]{26}", text)
                return match and (message, match.group(0))
        return None
    return c.wait(found, f"the invitation to {recipient}")


def records(c, message_id, kind):
    with sqlite3.connect(c.daemon.spool / "evidence.sqlite") as db:
        return [json.loads(body) for (body,) in db.execute(
            "SELECT body FROM record WHERE queue_id = ? AND kind = ? ORDER BY leaf_index", (message_id, kind))]


def test_open_from_the_landing_page_and_the_access_certificate(openum, tmp_path):
    sent = send(openum)
    assert sent["document"]["name"] == "termination.pdf" and sent["document"]["size"] == len(DOCUMENT)
    message, link = link_of(openum, "bob@example.test")
    # The invitation carries the link, in both bodies, and never the document.
    assert not list(message.iter_attachments())
    assert link in message.get_body(("html",)).get_content()
    assert "Acme Legal" in message.get_body(("plain",)).get_content()

    # Things that are not the recipient: recorded, never access, never the document.
    assert httpx.head(link).status_code == 200
    scanner = httpx.get(link, headers={"User-Agent": "Mimecast Link Scanner"})
    assert scanner.status_code == 200 and DOCUMENT not in scanner.content
    replayed = httpx.post(link + "/open", data={"nonce": "x" * 26}, headers={"User-Agent": BROWSER})
    assert replayed.status_code == 400 and DOCUMENT not in replayed.content

    # The recipient: the page names the sender and the document; pressing the button serves it.
    with httpx.Client(headers={"User-Agent": BROWSER, "Accept-Language": "en"}) as browser:
        page = browser.get(link)
        assert page.status_code == 200 and "Acme Legal" in page.text and "termination.pdf" in page.text
        nonce = re.search(r'name="nonce" value="([a-z0-9]+)"', page.text).group(1)
        opened = browser.post(link + "/open", data={"nonce": nonce})
    assert opened.status_code == 200 and opened.content == DOCUMENT
    assert opened.headers["content-type"] == "application/pdf"
    assert 'filename="termination.pdf"' in opened.headers["content-disposition"]

    handovers = openum.wait(lambda: records(openum, sent["id"], "ContentHandover"), "the ContentHandover record")
    [handover] = handovers
    assert handover["evidenceId"] == opened.headers["x-fefaent-evidence"]
    assert handover["recipients"] == ["bob@example.test"]
    assert handover["event"]["userAgent"] == BROWSER and handover["event"]["clientIp"] == "127.0.0.1"
    assert handover["attachments"][0]["sha256"] == __import__("hashlib").sha256(DOCUMENT).hexdigest()
    fetched = records(openum, sent["id"], "DocumentLinkFetched")
    assert sorted(r["event"]["classification"] for r in fetched) == ["headRequest", "knownScanner",
                                                                       "noCookieRoundTrip"]
    [accepted] = records(openum, sent["id"], "SubmissionAcceptance")
    assert accepted["certification"]["mode"] == "openum"
    assert accepted["certification"]["document"]["sha256"] == handover["attachments"][0]["sha256"]

    status = openum.api.get(f"/v1/messages/{sent['id']}").json()
    assert status["recipients"][0]["document_opened_at"]

    # The sender gets the access certificate, with a PDF that pdfsig and pyHanko accept.
    certificate = openum.wait(lambda: openum.notices("accessCertificate"), "the access certificate")
    [(notice, raw)] = certificate
    [pdf] = [part for part in notice.iter_attachments() if part.get_content_type() == "application/pdf"]
    if shutil.which("pdfsig") and shutil.which("certutil") and shutil.which("pyhanko"):
        assert pdfsig_valid(pdf.get_content(), tmp_path, openum.daemon.ca) == (True, True)

    # A second opening is recorded too, but certified once.
    with httpx.Client(headers={"User-Agent": BROWSER}) as browser:
        nonce = re.search(r'name="nonce" value="([a-z0-9]+)"', browser.get(link).text).group(1)
        assert browser.post(link + "/open", data={"nonce": nonce}).content == DOCUMENT
    openum.wait(lambda: len(records(openum, sent["id"], "ContentHandover")) == 2, "the second handover")
    time.sleep(2)
    assert len(openum.notices("accessCertificate")) == 1


def test_reminder_then_expiry(openum):
    sent = send(openum, to=("carol@example.test",))
    _, link = link_of(openum, "carol@example.test")
    # Time passes (the test moves the document's dates, as days would).
    with sqlite3.connect(openum.daemon.spool / "queue.sqlite") as db:
        db.execute("UPDATE openum_document SET reminder_at = '2000-01-01 00:00:00.000' WHERE message_id = ?",
                   (sent["id"],))

    def reminded():
        for raw in openum.accepting.messages():
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if "Reminder" in str(message["Subject"]) and link in message.get_body(("plain",)).get_content():
                return message
    openum.wait(reminded, "the reminder with the same link")

    with sqlite3.connect(openum.daemon.spool / "queue.sqlite") as db:
        db.execute("UPDATE openum_document SET expires_at = '2000-01-01 00:00:00.000' WHERE message_id = ?",
                   (sent["id"],))
    [failure] = openum.wait(lambda: records(openum, sent["id"], "ContentHandoverFailure"), "the expiry record")
    assert failure["recipients"] == ["carol@example.test"] and failure["reason"] == "expired"
    openum.wait(lambda: openum.notices("nonAccessCertificate"), "the certificate of non-access")

    with httpx.Client(headers={"User-Agent": BROWSER}, cookies={"fefaent_d": "a" * 26}) as browser:
        page = browser.get(link)
        assert page.status_code == 410 and 'name="nonce"' not in page.text
        late = browser.post(link + "/open", data={"nonce": "a" * 26})
    assert late.status_code == 410 and DOCUMENT not in late.content
    assert records(openum, sent["id"], "ContentHandover") == []
    status = openum.api.get(f"/v1/messages/{sent['id']}").json()
    assert status["recipients"][0]["document_link_expired_at"] and not status["recipients"][0].get("document_opened_at")


def test_unknown_links_and_bad_documents(openum):
    assert httpx.get(f"{openum.web}/d/{'a' * 26}", headers={"User-Agent": BROWSER}).status_code == 404
    assert httpx.get(f"{openum.web}/d/not-a-token").status_code == 404
    bad = openum.api.post("/v1/documents", json={"from": SENDER, "to": ["bob@example.test"], "subject": "x",
                                                 "document": {"filename": "a\r\nb.pdf", "content": "QUJD"}})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    # Nothing of a refused request is kept.
    assert not (openum.daemon.spool / "openum").exists() or not list((openum.daemon.spool / "openum").iterdir())


def test_by_mail_to_the_openum_address(fefaent_binary, tmp_path):
    """A company's mail client: the document attached, openum@ in Cc."""
    from email.message import EmailMessage
    c = Certifier(fefaent_binary, tmp_path, units=20)
    c.daemon.config.write_text(c.daemon.config.read_text().replace(
        'invoice_addresses = [', 'openum_addresses = ["openum@fefaent.test"]\ninvoice_addresses = ['))
    c.start()
    try:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Cc"] = f"Acme Legal <{SENDER}>", "bob@example.test", "openum@fefaent.test"
        mail["Subject"] = "Notificació de rescissió"
        mail.set_content("Us enviem la notificació.\n")
        mail.add_attachment(DOCUMENT, maintype="application", subtype="pdf", filename="rescissio.pdf")
        code, reply = c.send_cc(["bob@example.test"], cc=("openum@fefaent.test",), raw=mail.as_bytes(policy=email.policy.SMTP))
        assert code == 250, reply
        message, link = link_of(c, "bob@example.test")
        assert not list(message.iter_attachments()) and "Us enviem la notificaci" in message.get_body(("plain",)).get_content()
        with httpx.Client(headers={"User-Agent": BROWSER}) as browser:
            page = browser.get(link)
            assert "rescissio.pdf" in page.text and "Acme Legal" in page.text
            nonce = re.search(r'name="nonce" value="([a-z0-9]+)"', page.text).group(1)
            assert browser.post(link + "/open", data={"nonce": nonce}).content == DOCUMENT
        with sqlite3.connect(c.daemon.spool / "queue.sqlite") as db:
            [(queue_id,)] = db.execute("SELECT message_id FROM openum_link").fetchall()
        [accepted] = c.wait(lambda: records(c, queue_id, "SubmissionAcceptance"), "the acceptance record")
        assert accepted["certification"]["mode"] == "openum"
        assert accepted["certification"]["document"]["name"] == "rescissio.pdf"
        assert accepted["certification"]["document"]["sha256"] == __import__("hashlib").sha256(DOCUMENT).hexdigest()

        # Without an attachment there is nothing to send: refused, with its record.
        bare = EmailMessage()
        bare["From"], bare["To"], bare["Cc"] = SENDER, "bob@example.test", "openum@fefaent.test"
        bare["Subject"] = "Forgot the file"
        bare.set_content("Oops.\n")
        code, reply = c.send_cc(["bob@example.test"], cc=("openum@fefaent.test",), raw=bare.as_bytes(policy=email.policy.SMTP))
        assert code == 554 and "5.6.0" in reply, reply

        def rejection():
            with sqlite3.connect(c.daemon.spool / "evidence.sqlite") as db:
                bodies = [json.loads(b) for (b,) in db.execute("SELECT body FROM record WHERE kind = 'SubmissionRejection'")]
            return [b for b in bodies if b["reason"] == "noDocument"]
        [rejected] = c.wait(rejection, "the rejection record")
        assert rejected["sender"] == SENDER
    finally:
        assert c.stop() == 0, c.daemon.log_text()[-3000:]


def test_the_client_address_behind_a_configured_proxy(fefaent_binary, tmp_path):
    """Behind nginx (docs/nginx-fefaent.conf): the record names the client the proxy saw, and a client
    that sends its own X-Forwarded-For to a server without a trusted proxy names nobody but itself."""
    c = Certifier(fefaent_binary, tmp_path, units=20)
    c.daemon.config.write_text(c.daemon.config.read_text().replace(
        f'[http]\nlisten = "127.0.0.1:{c.http}"', f'[http]\nlisten = "127.0.0.1:{c.http}"\ntrusted_proxies = ["127.0.0.1/32"]'))
    c.key = c.daemon.cli("apikey", "add", "acme").stdout.strip()
    c.start()
    c.api = httpx.Client(base_url=f"http://127.0.0.1:{c.http}", headers={"Authorization": f"Bearer {c.key}"})
    try:
        sent = send(c)
        _, link = link_of(c, "bob@example.test")
        # The proxy appended the real client after whatever the client claimed.
        forwarded = {"User-Agent": BROWSER, "X-Forwarded-For": "10.9.9.9, 203.0.113.9"}
        with httpx.Client(headers=forwarded) as browser:
            nonce = re.search(r'name="nonce" value="([a-z0-9]+)"', browser.get(link).text).group(1)
            assert browser.post(link + "/open", data={"nonce": nonce}).content == DOCUMENT
        [handover] = c.wait(lambda: records(c, sent["id"], "ContentHandover"), "the ContentHandover record")
        assert handover["event"]["clientIp"] == "203.0.113.9"
    finally:
        c.api.close()
        assert c.stop() == 0, c.daemon.log_text()[-3000:]


def test_a_replaced_or_deleted_document_is_never_handed_over(openum):
    """A dishonest (or careless) operator swaps the file on the server, or deletes it: the recipient
    is told, nothing is served and no ContentHandover is written."""
    sent = send(openum)
    _, link = link_of(openum, "bob@example.test")
    stored = openum.daemon.spool / "openum" / sent["id"]
    assert stored.read_bytes() == DOCUMENT
    forged = bytearray(DOCUMENT)
    forged[100] ^= 0x01  # the same size, one bit changed
    stored.write_bytes(bytes(forged))

    def open_link():
        with httpx.Client(headers={"User-Agent": BROWSER, "Accept-Language": "en"}) as browser:
            nonce = re.search(r'name="nonce" value="([a-z0-9]+)"', browser.get(link).text).group(1)
            return browser.post(link + "/open", data={"nonce": nonce})
    answer = open_link()
    assert answer.status_code == 503 and bytes(forged) not in answer.content
    assert "cannot be handed over" in answer.text
    stored.unlink()
    answer = open_link()
    assert answer.status_code == 503 and "cannot be handed over" in answer.text
    time.sleep(1.5)
    assert records(openum, sent["id"], "ContentHandover") == []
    assert openum.api.get(f"/v1/messages/{sent['id']}").json()["recipients"][0].get("document_opened_at") is None
