"""Certified reception end to end: swaks sends to a reception mailbox; the Maildir holds the mail byte
for byte behind the headers Fefaent adds, Python's mailbox.Maildir and a real Dovecot (IMAP on
loopback) read it; the ReceivedFromNonERDS record states the sender's SPF, DKIM and DMARC results; the
sender's MX gets the acknowledgement with a signed PDF that pdfsig and pyHanko validate; the account
pays one unit; `fefaent mailbox show` lists it."""
import email
import email.policy
import imaplib
import mailbox
import os
import shutil
import subprocess
import time

import pytest

from conftest import free_port
from certified import export_records, queue_id_of
from reception import MAILBOX, Reception, dns, mail, reception  # noqa: F401 (fixtures)
from test_certified_mail import pdfsig_valid
import sink

pytestmark = pytest.mark.skipif(not sink.available() or shutil.which("dnsmasq") is None,
                                reason="smtp-sink and dnsmasq are installed by .ci/run")

ADDED = (b"Return-Path:", b"Delivered-To:", b"X-Fefaent-Evidence:", b"X-Fefaent-Certification:",
         b"Authentication-Results:", b"Received:")


def split_added(stored: bytes, original: bytes):
    """The fields Fefaent put in front of `original` (asserting that the rest is `original` itself)."""
    assert stored.endswith(original), stored[:2000]
    added = stored[:-len(original)]
    fields = []
    for line in added.split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t"):
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    assert all(field.startswith(ADDED) for field in fields), fields
    return fields


def swaks(r, message: bytes, tmp_path, sender="alice@sender.test"):
    path = tmp_path / "claim.eml"
    # swaks ends the data with CRLF before the final dot: the file leaves out the message's last one.
    assert message.endswith(b"\r\n")
    path.write_bytes(message[:-2])
    result = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(r.daemon.mx), "--from", sender,
                             "--to", MAILBOX, "--helo", "mail.sender.test", "--data", f"@{path}"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return queue_id_of(result.stdout)


def test_received_mail_is_stored_certified_and_acknowledged(reception, tmp_path):
    r = reception
    attachment = os.urandom(3000)
    import base64
    original = mail(subject="Claim of 30 November", headers="MIME-Version: 1.0\r\n"
                    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n",
                    body="--b1\r\nContent-Type: text/plain\r\n\r\nI claim what is mine.\r\n--b1\r\n"
                         "Content-Type: application/octet-stream; name=\"proof.bin\"\r\n"
                         "Content-Disposition: attachment; filename=\"proof.bin\"\r\n"
                         "Content-Transfer-Encoding: base64\r\n\r\n"
                         + base64.encodebytes(attachment).decode().replace("\n", "\r\n") + "--b1--\r\n")
    queue_id = swaks(r, original, tmp_path)

    # Stored before the 250: the Maildir holds it already, byte for byte behind the added fields.
    stored = r.stored()
    assert len(stored) == 1
    fields = split_added(stored[0], original)
    evidence_id = next(f for f in fields if f.startswith(b"X-Fefaent-Evidence:")).split(b":")[1].strip().decode()
    results = next(f for f in fields if f.startswith(b"Authentication-Results:")).decode()
    assert "spf=pass smtp.mailfrom=alice@sender.test" in results and "dmarc=pass (p=reject)" in results, results
    assert not list((r.maildir / "tmp").iterdir())

    # Python's Maildir reader sees the mail and its attachment.
    box = mailbox.Maildir(r.maildir, factory=None, create=False)
    (message,) = list(box)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Claim of 30 November"
    (part,) = [p for p in parsed.iter_attachments()]
    assert part.get_filename() == "proof.bin" and part.get_content() == attachment

    # The record: ReceivedFromNonERDS, how the sender was authenticated, the digests.
    records = export_records(r.daemon, queue_id, tmp_path / "export")
    (record,) = [x for x in records if x["kind"] == "ReceivedFromNonERDS"]
    assert record["evidenceId"] == evidence_id
    # The record's digest is of the mail as sent: the Maildir copy behind the added fields matches it,
    # and a copy changed afterwards (by an operator, by anyone) would not.
    import hashlib
    assert record["message"]["sha256"] == hashlib.sha256(original).hexdigest()
    assert record["message"]["sha256"] != hashlib.sha256(original.replace(b"mine", b"yours")).hexdigest()
    assert record["senderAuthentication"] == {"method": "spf", "identity": "sender.test"}
    facts = record["reception"]
    assert facts["mailboxes"] == [MAILBOX] and facts["account"] == "company" and facts["units"] == 1
    assert facts["spf"] == {"result": "pass", "domain": "sender.test"}
    assert facts["dkim"] == [] and facts["dmarc"] == {"result": "pass", "domain": "sender.test"}
    assert facts["dmarcPolicy"] == "reject" and facts["headerFrom"] == "alice@sender.test"
    assert record["event"]["clientIp"] == "127.0.0.1" and record["event"]["helo"] == "mail.sender.test"
    assert record["event"]["tls"] is None
    assert [a["sha256"] for a in record["attachments"] if a["name"] == "proof.bin"] == [hashlib.sha256(attachment).hexdigest()]

    # The acknowledgement: RFC 3834 headers, the PDF valid for pdfsig and pyHanko.
    (ack, raw) = r.wait(lambda: r.notices(kind="receptionAcknowledgement"), "the acknowledgement")[0:1][0]
    assert ack["To"] == "alice@sender.test" and ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == parsed["Message-ID"] and ack["X-Fefaent-Certification"] == evidence_id
    assert b"X-Mail-Args: <>" in raw  # null return path: nothing answers an acknowledgement
    (pdf,) = [p for p in ack.iter_attachments() if p.get_content_type() == "application/pdf"]
    if shutil.which("pdfsig") and shutil.which("certutil") and shutil.which("pyhanko"):
        assert pdfsig_valid(pdf.get_content(), tmp_path, r.daemon.ca) == (True, True)

    # The account paid one unit; `mailbox show` lists the mail and its acknowledgement.
    with r.db() as db:
        ledger = db.execute("SELECT change, reason, queue_id FROM ledger WHERE account = 'company' ORDER BY id").fetchall()
    assert [tuple(x) for x in ledger][-1] == (-1, "certified reception", queue_id)
    shown = r.daemon.cli("mailbox", "show", MAILBOX).stdout
    line = next(x for x in shown.splitlines() if evidence_id in x)
    assert "alice@sender.test" in line and "sent" in line and "Claim of 30 November" in line


@pytest.fixture
def open_maildir():
    """A Maildir folder outside pytest's private tree (Dovecot's mail process runs as the user `mail`)."""
    import tempfile
    folder = tempfile.mkdtemp(prefix="fefaent-maildir-")
    os.chmod(folder, 0o755)
    yield os.path.join(folder, "claims")
    shutil.rmtree(folder, ignore_errors=True)


def test_dovecot_serves_the_maildir_over_imap(fefaent_binary, tmp_path, dns, open_maildir):
    import pwd
    dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not os.path.exists(dovecot) or os.geteuid() != 0:
        pytest.skip("dovecot-imapd is installed by .ci/run (the test runs it as root)")
    r = Reception(fefaent_binary, tmp_path / "r", dns.address, maildir=open_maildir).start()
    original = mail(subject="Read me over IMAP")
    code, reply = r.send(original)
    assert code == 250, reply
    assert r.stop() == 0
    # The Maildir is handed to the mail user, as an MDA running as that user would have written it.
    user = pwd.getpwnam("mail")
    for root, folders, files in os.walk(open_maildir):
        for name in [root] + [os.path.join(root, f) for f in folders + files]:
            os.chown(name, user.pw_uid, user.pw_gid)
    port = free_port()
    base = tmp_path / "dovecot"
    (base / "run").mkdir(parents=True)
    (base / "passwd").write_text("claims:{PLAIN}imap secret::::::\n")
    config = base / "dovecot.conf"
    config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = {user.pw_uid}
mail_location = maildir:{open_maildir}
passdb {{
  driver = passwd-file
  args = {base}/passwd
}}
userdb {{
  driver = static
  args = uid={user.pw_uid} gid={user.pw_gid} home={open_maildir}
}}
# pytest's folders are root's alone: the auth process reads the password file as root too.
service auth {{
  user = root
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
""")
    process = subprocess.Popen([dovecot, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                client = imaplib.IMAP4("127.0.0.1", port)
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, (base / "dovecot.log").read_text() \
                    if (base / "dovecot.log").exists() else process.stdout.read().decode()
                time.sleep(0.1)
        client.login("claims", "imap secret")
        typ, data = client.select("INBOX")
        assert typ == "OK" and int(data[0]) == 1
        typ, data = client.fetch("1", "(RFC822)")
        served = data[0][1]
        client.logout()
        # Dovecot serves what the Maildir holds: the mail as sent behind Fefaent's fields.
        assert served.replace(b"\r\n", b"\n").endswith(original.replace(b"\r\n", b"\n"))
        parsed = email.message_from_bytes(served, policy=email.policy.default)
        assert parsed["Subject"] == "Read me over IMAP" and parsed["X-Fefaent-Evidence"].startswith("E")
        assert "spf=pass" in parsed["Authentication-Results"]
    finally:
        process.terminate()
        process.wait()


def test_over_starttls_the_record_states_the_tls_version(reception, tmp_path):
    r = reception
    path = tmp_path / "claim.eml"
    original = mail(subject="Sent over TLS")
    path.write_bytes(original[:-2])
    result = subprocess.run(["swaks", "--server", f"127.0.0.1:{r.daemon.mx}", "--from", "alice@sender.test",
                             "--to", MAILBOX, "--helo", "mail.sender.test", "--tls", "--tls-verify",
                             "--tls-ca-path", str(r.daemon.ca), "--tls-sni", "fefaent.test", "--data", f"@{path}"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    queue_id = queue_id_of(result.stdout)
    (record,) = [x for x in export_records(r.daemon, queue_id, tmp_path / "export") if x["kind"] == "ReceivedFromNonERDS"]
    assert record["event"]["tls"]["version"].startswith("TLSv1.")
    assert record["event"]["tls"]["peerVerified"] is False  # a client presents no certificate
    assert split_added(r.stored()[0], original)


def test_a_large_mail_is_stored_from_its_spill_file_and_charged_per_started_5_mb(fefaent_binary, tmp_path, dns):
    # 6 MB: above the spool's 1 MB spill threshold (the copy is read from the spill file in chunks)
    # and above 5 MB (two units).
    r = Reception(fefaent_binary, tmp_path, dns.address, message_size=30 * 1024 * 1024).start()
    try:
        line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef\r\n"
        original = mail(subject="Six megabytes", body=(line * (6 * 1024 * 1024 // len(line))).decode())
        code, reply = r.send(original)
        assert code == 250, reply
        (stored,) = r.stored()
        split_added(stored, original)
        (row,) = r.receptions()
        assert row["units"] == 2 and row["certified"] == 1
        with r.db() as db:
            (balance,) = db.execute("SELECT balance FROM account WHERE name = 'company'").fetchone()
        assert balance == 98
    finally:
        assert r.stop() == 0
