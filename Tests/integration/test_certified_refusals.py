"""Who may certify: a From address is certified only for its account, vouched for by an aligned DKIM
signature (checked against a dnsmasq on loopback), an aligned SPF pass or the account's trusted networks.
Every refusal gets a reply the sender can act on, a SubmissionRejection record, and costs nothing."""
import json
import shutil
import sqlite3
import subprocess
import time

import pytest

from conftest import CERTIFIER, free_port
from certified import Certifier, SENDER, export_records, queue_id_of
import sink

pytestmark = pytest.mark.skipif(not sink.available() or shutil.which("dnsmasq") is None,
                                reason="smtp-sink and dnsmasq are installed by .ci/run")


@pytest.fixture
def acme_dns(tmp_path):
    """acme.test's DKIM key (selector sel) and an SPF record that does not list loopback."""
    import base64
    key = tmp_path / "acme-dkim.key"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    record = f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"
    chunks = ",".join(record[i:i + 200] for i in range(0, len(record), 200))
    port = free_port()
    process = subprocess.Popen(
        ["dnsmasq", "--keep-in-foreground", f"--port={port}", "--listen-address=127.0.0.1", "--bind-interfaces",
         "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--local=/test/",
         f"--txt-record=sel._domainkey.acme.test,{chunks}", "--txt-record=acme.test,v=spf1 ip4:192.0.2.1 -all"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    yield key.read_bytes(), f"127.0.0.1:{port}"
    process.terminate()
    process.wait()


@pytest.fixture
def certifier(fefaent_binary, tmp_path, acme_dns):
    # No trusted network: acme's mail must pass DKIM or SPF. `poor` is trusted but has no units.
    c = Certifier(fefaent_binary, tmp_path, network=None, nameserver=acme_dns[1], message_size=30 * 1024 * 1024)
    c.daemon.cli("account", "add", "poor", "--no-password", "--domain", "poor.test", "--network", "127.0.0.1")
    c.start()
    yield c
    assert c.stop() == 0, c.daemon.log_text()[-3000:]


def signed(message: bytes, key: bytes) -> bytes:
    import dkim
    signature = dkim.sign(message, b"sel", b"acme.test", key, include_headers=[b"from", b"to", b"subject"])
    return signature + message


def rejections(c):
    with sqlite3.connect(c.daemon.spool / "evidence.sqlite") as db:
        rows = db.execute("SELECT body FROM record WHERE kind = 'SubmissionRejection' ORDER BY leaf_index").fetchall()
    return [json.loads(row[0]) for row in rows]


def test_aligned_dkim_certifies_and_refusals_cost_nothing(certifier, acme_dns, tmp_path):
    c = certifier
    key = acme_dns[0]
    mail = (f"From: Alice <{SENDER}>\r\nTo: bob@example.test\r\nCc: {CERTIFIER}\r\nSubject: Signed\r\n\r\n"
            "Signed by acme.test\r\n").encode()
    code, reply = c.send_cc([], raw=signed(mail, key).decode())
    assert code == 250, reply
    queue_id = queue_id_of(reply)
    acceptance = export_records(c.daemon, queue_id, tmp_path / "export")[0]
    assert acceptance["senderAuthentication"] == {"method": "dkim", "identity": "acme.test"}

    refused = []
    # A spoofed From: no DKIM signature, and SPF fails for 127.0.0.1.
    code, reply = c.send_cc(["bob@example.test"])
    assert code == 550 and reply.startswith("5.7.1 sender alice@acme.test is not authenticated"), reply
    assert "no DKIM signature for acme.test" in reply and "SPF fail for acme.test from 127.0.0.1" in reply
    refused.append("senderNotAuthenticated")
    # A signature that no longer verifies (the body changed on the way) is no better.
    tampered = signed(mail, key).replace(b"Signed by acme.test", b"Signed by someone")
    code, reply = c.send_cc([], raw=tampered.decode())
    assert code == 550 and "DKIM fail (d=acme.test)" in reply, reply
    refused.append("senderNotAuthenticated")
    # A sender no account certifies for.
    code, reply = c.send_cc(["bob@example.test"], raw=(
        f"From: mallory@evil.test\r\nTo: bob@example.test\r\nCc: {CERTIFIER}\r\nSubject: x\r\n\r\nx\r\n"))
    assert (code, reply) == (550, "5.7.1 sender mallory@evil.test is not registered for certification with any account")
    refused.append("senderNotRegistered")
    # An account without units.
    code, reply = c.send_cc(["bob@example.test"], raw=(
        f"From: paul@poor.test\r\nTo: bob@example.test, carol@example.test\r\nCc: {CERTIFIER}\r\nSubject: x\r\n\r\nx\r\n"),
        envelope_from="paul@poor.test")
    assert (code, reply) == (554, "5.7.0 account poor has 0 units; this mail costs 2 (2 recipient(s) x 1 unit(s))")
    refused.append("insufficientUnits")
    # The certifier as the only recipient.
    code, reply = c.send_cc([], raw=(
        f"From: paul@poor.test\r\nTo: {CERTIFIER}\r\nSubject: x\r\n\r\nx\r\n"), envelope_from="paul@poor.test")
    assert code == 554 and reply.startswith("5.5.1 no recipient to certify"), reply
    refused.append("noRecipients")
    # 25 MB, above the 20 MB a certified mail may be.
    big = "x" * 998 + "\r\n"
    code, reply = c.send_cc(["bob@example.test"], body=big * (25 * 1024 * 1024 // len(big)))
    assert code == 552 and reply.startswith("5.3.4 message of"), reply
    refused.append("messageTooLarge")

    records = c.wait(lambda: len(rejections(c)) == len(refused) and rejections(c), "the rejection records")
    assert [r["reason"] for r in records] == refused
    assert all(r["event"]["reply"].startswith(("550", "552", "554")) for r in records)
    assert records[0]["sender"] == SENDER and records[0]["recipients"] == [CERTIFIER]
    with c.db() as db:
        # Nothing queued but the signed mail, nothing charged but its one unit.
        assert db.execute("SELECT count(*) FROM message WHERE listener = 'mx'").fetchone()[0] == 1
        changes = db.execute("SELECT account, change FROM ledger ORDER BY id").fetchall()
    assert [tuple(row) for row in changes] == [("acme", 100), ("alice", 50), ("acme", -1)]
    assert c.daemon.temporary_files() == []


def test_the_ledger_cannot_be_rewritten(certifier):
    c = certifier
    with c.db() as db:
        for statement in ("UPDATE ledger SET change = 1000", "DELETE FROM ledger"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)
    result = c.daemon.cli("account", "debit", "acme", "5", "--reason", "refund of a test", check=False)
    assert result.returncode == 0, result.stderr
    shown = c.daemon.cli("account", "show", "acme").stdout
    assert "balance           95 units" in shown and "refund of a test" in shown and "opening balance" in shown
    result = c.daemon.cli("account", "debit", "acme", "500", check=False)
    assert result.returncode != 0 and "has only 95 units" in result.stderr


def test_a_balance_changed_outside_the_ledger_shows(certifier):
    c = certifier
    with c.db() as db:
        db.execute("UPDATE account SET balance = 99999 WHERE name = 'acme'")
    shown = c.daemon.cli("account", "show", "acme").stdout
    assert "balance           99999 units (NOT what the ledger says: 100; changed outside the ledger)" in shown
