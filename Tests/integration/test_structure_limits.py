"""Messages whose shape is an attack: MIME nested 100,000 levels deep, a header block of megabytes.
They are refused at the end of DATA (Postfix's mime_nesting_limit and header_size_limit) and cost
nothing, while another client's certified mail is accepted and attested within seconds."""
import smtplib
import sqlite3
import threading
import time

import pytest

from certified import Certifier, SENDER, queue_id_of
from conftest import CERTIFIER
import sink

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")


@pytest.fixture
def certifier(fefaent_binary, tmp_path):
    c = Certifier(fefaent_binary, tmp_path, message_size=16 * 1024 * 1024).start()
    yield c
    assert c.stop() == 0, c.daemon.log_text()[-3000:]


def nested(levels: int) -> bytes:
    """`levels` multiparts, each opening the next, never closed: 4.9 MB for 100,000 levels."""
    head = (f"From: Alice <{SENDER}>\r\nTo: bob@example.test\r\nCc: {CERTIFIER}\r\nSubject: deep\r\n"
            "MIME-Version: 1.0\r\n")
    levels_text = "".join(f"Content-Type: multipart/mixed; boundary={level:x}\r\n\r\n--{level:x}\r\n"
                          for level in range(levels))
    return (head + levels_text + "Content-Type: text/plain\r\n\r\nthe bottom\r\n").encode()


def send(port, message, recipients=(CERTIFIER,)):
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
        client.ehlo("mail.acme.test")
        try:
            client.sendmail(SENDER, list(recipients), message)
        except smtplib.SMTPDataError as error:
            return error.smtp_code, error.smtp_error.decode()
        return 250, ""


def data(port, message):
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as client:
        client.ehlo("mail.acme.test")
        client.mail(SENDER)
        client.rcpt(CERTIFIER)
        try:
            code, reply = client.data(message)
        except smtplib.SMTPDataError as error:
            return error.smtp_code, error.smtp_error.decode()
        return code, reply.decode()


def queued(c, larger_than=0):
    with c.db() as db:
        return db.execute("SELECT count(*) FROM message WHERE size > ?", (larger_than,)).fetchone()[0]


def attested(c, queue_id):
    with sqlite3.connect(c.daemon.spool / "evidence.sqlite", timeout=10) as db:
        return db.execute("SELECT count(*) FROM record WHERE queue_id = ? AND kind = 'SubmissionAcceptance'",
                          (queue_id,)).fetchone()[0] == 1


def test_a_hundred_thousand_nested_parts_are_refused_while_other_mail_is_certified(certifier):
    c = certifier
    deep = nested(100_000)
    assert len(deep) > 4_000_000
    outcome = {}
    attacker = threading.Thread(target=lambda: outcome.setdefault("deep", data(c.daemon.mx, deep)))
    attacker.start()

    started = time.monotonic()
    code, reply = c.send_cc(["bob@example.test"], subject="An honest contract")
    assert code == 250, reply
    queue_id = queue_id_of(reply)
    c.wait(lambda: attested(c, queue_id), "the honest mail's acceptance record", seconds=15)
    assert time.monotonic() - started < 15

    attacker.join(timeout=120)
    code, reply = outcome["deep"]
    assert code == 554, reply
    assert reply.startswith("5.6.0") and "MIME nesting deeper than 100 levels" in reply
    # Nothing of it was kept: the queue holds the honest mail and what it caused (its certified copy,
    # the processing notice), nothing of megabytes; its spool holds no file that size either.
    assert queued(c, larger_than=1_000_000) == 0
    assert not [p for p in c.daemon.spool.rglob("*") if p.is_file() and p.stat().st_size > 4_000_000]
    log = c.daemon.log_text()
    assert "message refused" in log and "why=mime_nesting_depth" in log


def test_nesting_at_the_limit_is_accepted(certifier):
    c = certifier
    # Multiparts at depths 0 to 99, the text at depth 100: as deep as the limit lets a part be.
    code, reply = data(c.daemon.mx, nested(100))
    assert code == 250, reply
    code, reply = data(c.daemon.mx, nested(101))
    assert code == 554, reply


def test_a_header_block_over_the_limit_is_refused(certifier):
    c = certifier
    filler = "".join(f"X-Filler-{index}: {'x' * 70}\r\n" for index in range(20_000))  # 1.7 MB of fields
    message = (f"From: Alice <{SENDER}>\r\nTo: bob@example.test\r\nCc: {CERTIFIER}\r\nSubject: big\r\n{filler}"
               "\r\nbody\r\n").encode()
    code, reply = data(c.daemon.mx, message)
    assert code == 552, reply
    assert reply.startswith("5.3.4") and "header block is larger than 1048576 octets" in reply
    # To any recipient, not only the certifier: a mail for a plain mailbox address is refused too.
    code, reply = send(c.daemon.mx, message, recipients=["postmaster@fefaent.test"])
    assert code == 552, reply
    assert queued(c) == 0
    assert "why=header_block_size" in c.daemon.log_text()
