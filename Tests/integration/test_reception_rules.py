"""No acknowledgement storms: each RFC 3834 and backscatter rule by its own test, a burst from one
sender against the hourly limit, two Fefaent daemons whose mailboxes write to each other, and a
mailbox whose account runs out of units (stored, not certified, the owner told once)."""
import shutil
import time

import pytest

from conftest import free_port
from reception import MAILBOX, Reception, dns, mail, reception  # noqa: F401 (fixtures)
import sink

pytestmark = pytest.mark.skipif(not sink.available() or shutil.which("dnsmasq") is None,
                                reason="smtp-sink and dnsmasq are installed by .ci/run")


def settled(r, count):
    """The receptions once every acknowledgement is decided."""
    return r.wait(lambda: (rows := r.receptions()) and len(rows) == count
                  and all(row["acknowledgement"] != "pending" for row in rows) and rows, "acknowledgements decided")


RULES = [
    # (what the sender does, the envelope sender, extra header fields, the reason the row states)
    ("null sender (a bounce)", "", "", "null sender"),
    ("auto-reply", "alice@sender.test", "Auto-Submitted: auto-replied\r\n", "auto-submitted mail"),
    ("mailing list (List-Id)", "alice@sender.test", "List-Id: <claims.lists.sender.test>\r\n", "mailing list"),
    ("mailing list (List-Unsubscribe)", "alice@sender.test", "List-Unsubscribe: <mailto:u@sender.test>\r\n",
     "mailing list"),
    ("bulk mail", "alice@sender.test", "Precedence: bulk\r\n", "mailing list"),
    ("the mailbox itself", MAILBOX, "", "own address"),
    ("a Fefaent address", "notices@fefaent.test", "", "own address"),
    ("forged sender: SPF fails, no DKIM", "victim@forged.test", "", "sender not authenticated"),
]


@pytest.mark.parametrize("what,sender,headers,reason", RULES, ids=[rule[0] for rule in RULES])
def test_no_acknowledgement(reception, what, sender, headers, reason):
    r = reception
    code, reply = r.send(mail(subject=what, sender=sender or "alice@sender.test", headers=headers),
                         envelope_from=sender)
    assert code == 250, reply  # an inbox takes mail from anyone
    (row,) = settled(r, 1)
    assert row["certified"] == 1 and row["evidence_id"]  # stored and certified all the same
    assert (row["acknowledgement"], row["acknowledgement_reason"]) == ("suppressed", reason)
    assert len(r.stored()) == 1
    time.sleep(0.5)
    assert r.notices() == [], "no acknowledgement may go out"
    # The operator sees why.
    assert reason in r.daemon.cli("mailbox", "show", MAILBOX).stdout


def test_auto_submitted_no_is_acknowledged(reception):
    r = reception
    code, _ = r.send(mail(headers="Auto-Submitted: no\r\n"))
    assert code == 250
    (row,) = settled(r, 1)
    assert row["acknowledgement"] == "sent"
    r.wait(lambda: r.notices(kind="receptionAcknowledgement"), "the acknowledgement")


def test_burst_from_one_sender_gets_at_most_the_hourly_limit(fefaent_binary, tmp_path, dns):
    r = Reception(fefaent_binary, tmp_path, dns.address, units=200,
                  mailbox_options=("--acknowledgements-per-hour", "10")).start()
    try:
        import smtplib
        with smtplib.SMTP("127.0.0.1", r.daemon.mx, timeout=60) as client:
            client.ehlo("mail.sender.test")
            for n in range(100):
                client.sendmail("alice@sender.test", [MAILBOX], mail(subject=f"Claim {n}"))
        rows = settled(r, 100)
        assert len(r.stored()) == 100  # every mail is stored and certified
        assert all(row["certified"] for row in rows)
        sent = [row for row in rows if row["acknowledgement"] == "sent"]
        limited = [row for row in rows if row["acknowledgement_reason"] == "hourly limit reached"]
        assert (len(sent), len(limited)) == (10, 90)
        r.wait(lambda: len(r.notices(kind="receptionAcknowledgement")) >= 10, "ten acknowledgements")
        time.sleep(1)
        assert len(r.notices(kind="receptionAcknowledgement")) == 10
        # Another sender still gets its own.
        code, _ = r.send(mail(subject="Other sender", sender="bob@sender.test"), envelope_from="bob@sender.test")
        assert code == 250
        r.wait(lambda: len(r.notices(kind="receptionAcknowledgement")) == 11, "bob's acknowledgement")
    finally:
        assert r.stop() == 0


def test_two_daemons_whose_mailboxes_write_to_each_other_do_not_loop(fefaent_binary, tmp_path, dns):
    a_port, b_port = free_port(), free_port()
    a = Reception(fefaent_binary, tmp_path / "a", dns.address, hostname="fefaent-a.test",
                  mailbox_address="claims@a.test", routes={"b.test": b_port})
    b = Reception(fefaent_binary, tmp_path / "b", dns.address, hostname="fefaent-b.test",
                  mailbox_address="claims@b.test", routes={"a.test": a_port})
    # Each daemon's MX on the port the other routes to.
    for daemon, port in ((a.daemon, a_port), (b.daemon, b_port)):
        daemon.mx = port
        text = daemon.config.read_text()
        first = text.index('kind = "mx"')
        line_start = text.index("address = ", first)
        line_end = text.index("\n", line_start)
        daemon.config.write_text(text[:line_start] + f'address = "127.0.0.1:{port}"' + text[line_end:])
    a.start()
    b.start()
    try:
        # B's mailbox writes to A's (its MTA forwards a claim), from an address SPF allows.
        code, reply = a.send(mail(subject="From B to A", sender="claims@b.test"), envelope_from="claims@b.test",
                             to="claims@a.test", helo="fefaent-b.test")
        assert code == 250, reply
        # A acknowledges to claims@b.test: B's mailbox receives the acknowledgement...
        b.wait(lambda: b.receptions(), "the acknowledgement reaching B's mailbox")
        (at_b,) = settled(b, 1)
        # ...from <> and Auto-Submitted: B answers nothing, and the exchange ends there.
        assert (at_b["acknowledgement"], at_b["acknowledgement_reason"]) == ("suppressed", "null sender")
        time.sleep(2)
        assert len(a.receptions()) == 1 and len(b.receptions()) == 1
        assert len(a.stored()) == 1 and len(b.stored()) == 1
    finally:
        assert a.stop() == 0
        assert b.stop() == 0


def test_out_of_units_still_stores_but_does_not_certify_and_tells_the_owner_once(fefaent_binary, tmp_path, dns):
    r = Reception(fefaent_binary, tmp_path, dns.address, units=1).start()
    try:
        for n in range(3):
            code, reply = r.send(mail(subject=f"Claim {n}"))
            assert code == 250, reply  # a company must not lose inbound mail over billing
        rows = settled(r, 3)
        assert [row["certified"] for row in rows] == [1, 0, 0]
        assert rows[1]["not_certified_reason"] == "account company is out of units" and rows[1]["evidence_id"] is None
        assert [row["acknowledgement"] for row in rows] == ["sent", "suppressed", "suppressed"]
        stored = r.stored()
        assert len(stored) == 3
        assert b"X-Fefaent-Evidence: E" in stored[0]
        assert b"X-Fefaent-Certification: not certified (account company is out of units)" in stored[2]
        with r.db() as db:
            balance = db.execute("SELECT balance FROM account WHERE name = 'company'").fetchone()[0]
        assert balance == 0
        # Only the certified one has a record.
        with __import__("sqlite3").connect(r.daemon.spool / "evidence.sqlite") as db:
            kinds = [k for (k,) in db.execute("SELECT kind FROM record WHERE kind = 'ReceivedFromNonERDS'")]
        assert len(kinds) == 1
        # The owner is told once, however many mails went uncertified.
        r.wait(lambda: r.notices(r.company, kind="unitsExhausted"), "the owner's alert")
        code, _ = r.send(mail(subject="Claim 3"))
        assert code == 250
        settled(r, 4)
        time.sleep(1)
        (alert, _) = r.notices(r.company, kind="unitsExhausted")[0], None
        assert len(r.notices(r.company, kind="unitsExhausted")) == 1
        assert alert[0]["To"] == "boss@company.test"
    finally:
        assert r.stop() == 0


def test_sigkill_while_receiving_loses_no_acknowledged_mail(fefaent_binary, tmp_path, dns):
    """Every mail that heard 250 is in the Maildir after a SIGKILL and a restart, once, with its
    record; mails cut off before their 250 may be there or not, never half."""
    import email
    import sqlite3
    import smtplib
    import threading
    r = Reception(fefaent_binary, tmp_path, dns.address, units=10_000).start()
    acknowledged = []
    stop = threading.Event()

    def send_until_stopped(worker):
        try:
            with smtplib.SMTP("127.0.0.1", r.daemon.mx, timeout=10) as client:
                client.ehlo("mail.sender.test")
                for n in range(300):  # bounded; the kill ends it much sooner
                    if stop.is_set():
                        return
                    message = mail(subject=f"Claim {worker}-{n}")
                    client.mail("alice@sender.test")
                    client.rcpt(MAILBOX)
                    code, _ = client.data(message)
                    if code == 250:
                        acknowledged.append(f"Claim {worker}-{n}")
        except (smtplib.SMTPException, OSError):
            return  # the daemon died under us: what was acknowledged so far is what counts

    senders = [threading.Thread(target=send_until_stopped, args=(w,)) for w in range(4)]
    for s in senders:
        s.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    r.daemon.kill()  # SIGKILL mid-way: mails being received, committed, stored and recorded
    stop.set()
    for s in senders:
        s.join(timeout=30)
    assert len(acknowledged) >= 40
    r.daemon.start()
    try:
        def stored_subjects():
            return [email.message_from_bytes(raw)["Subject"] for raw in r.stored()]
        # Each acknowledged mail is in the Maildir exactly once, whole (it parses to its own subject).
        subjects = r.wait(lambda: (found := stored_subjects()) and set(acknowledged) <= set(found) and found,
                          "every acknowledged mail in the Maildir")
        assert len(subjects) == len(set(subjects)), "a mail stored twice"
        # And each has its record once the writer has caught up.
        def recorded():
            with sqlite3.connect(r.daemon.spool / "evidence.sqlite") as db:
                return db.execute("SELECT count(*) FROM record WHERE kind = 'ReceivedFromNonERDS'").fetchone()[0]
        r.wait(lambda: recorded() >= len(acknowledged), "a record for every acknowledged mail")
        with r.db() as db:
            rows = db.execute("SELECT subject, certified, evidence_id FROM reception").fetchall()
        by_subject = {row["subject"]: row for row in rows}
        assert all(by_subject[s]["certified"] == 1 and by_subject[s]["evidence_id"] for s in acknowledged)
    finally:
        assert r.stop() == 0


def test_a_config_mailbox_on_a_server_without_keys_still_stores_and_says_why_it_cannot_do_more(daemon):
    """The config file's `reception_mailboxes` on a server with neither [dkim] nor [evidence]: the mail
    is stored in <spool>/mailboxes/<address>/, and the row says it was not certified and why no
    acknowledgement goes (nothing is promised that the server cannot give)."""
    import smtplib
    import sqlite3
    from conftest import RECEPTION
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=20) as client:
        client.ehlo("mail.sender.test")
        client.sendmail("alice@sender.test", [RECEPTION], mail(subject="To a config mailbox"))
    stored = list((daemon.spool / "mailboxes" / RECEPTION / "new").iterdir())
    assert len(stored) == 1 and b"Subject: To a config mailbox" in stored[0].read_bytes()
    assert b"X-Fefaent-Certification: not certified (this server writes no evidence)" in stored[0].read_bytes()
    with sqlite3.connect(daemon.spool / "queue.sqlite") as db:
        (row,) = db.execute("SELECT certified, acknowledgement, acknowledgement_reason FROM reception").fetchall()
    assert row == (0, "suppressed", "no [dkim] or [evidence] to send it with")
