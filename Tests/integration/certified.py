"""A certifier as a company meets it: keys, evidence, DKIM, an HTTP front, an account with units, and
loopback MXs for the recipients (one refuses) and for the sender's own domain (where notices go)."""
import email
import email.policy
import re
import smtplib
import sqlite3
import time
from pathlib import Path

from conftest import CERTIFIER, Daemon, free_port
import sink
from test_evidence import EVIDENCE, BUILT_IN_TSA

SENDER = "alice@acme.test"
INVOICE = "invoice@fefaent.test"


class Certifier:
    """A daemon with certification on, its sinks, and helpers to read what the users get."""

    def __init__(self, binary, folder: Path, units=100, network="127.0.0.0/8", extra="", nameserver=None,
                 language="en", account_options=(), message_size=2 * 1024 * 1024, sender_refuses=False):
        self.accepting = sink.Sink(folder / "accepting", free_port()).start()
        self.refusing = sink.Sink(folder / "refusing", free_port(), "-f", "RCPT").start()
        self.sender_mx = sink.Sink(folder / "sender", free_port(), *(["-f", "RCPT"] if sender_refuses else [])).start()
        self.http = free_port()
        resolver = f'nameserver = "{nameserver}"\n' if nameserver else ""
        self.daemon = Daemon(binary, folder / "fefaent", message_size=message_size, extra_config=f"""
[dkim]
key = "keys/dkim.key"
selector = "fefaent"
domain = "fefaent.test"

[http]
listen = "127.0.0.1:{self.http}"

[delivery]
poll_interval_ms = 50
{resolver}{extra}
[delivery.routes]
"example.test" = "127.0.0.1:{self.accepting.port}"
"refuse.test" = "127.0.0.1:{self.refusing.port}"
"acme.test" = "127.0.0.1:{self.sender_mx.port}"
{EVIDENCE}{BUILT_IN_TSA}pdf_certificate = "keys/pdf-signing.pem"
pdf_key = "keys/pdf-signing.key"
""")
        self.daemon.config.write_text(self.daemon.config.read_text().replace(
            f'certifier_addresses = ["{CERTIFIER}"]',
            f'certifier_addresses = ["{CERTIFIER}"]\ninvoice_addresses = ["{INVOICE}"]\n'
            f'tracking_url = "http://127.0.0.1:{self.http}"'))
        arguments = ["account", "add", "acme", "--no-password", "--sender", SENDER, "--language", language,
                     "--units", str(units), *account_options]
        if network:
            arguments += ["--network", network]
        self.daemon.cli(*arguments)
        self.daemon.cli("account", "add", "alice", "--sender", SENDER, "--units", "50", input="secret password\n")

    def start(self):
        self.daemon.start()
        return self

    def stop(self):
        code = self.daemon.stop()
        for s in (self.accepting, self.refusing, self.sender_mx):
            s.stop()
        return code

    def send_cc(self, to, cc=(CERTIFIER,), body="Please find the contract attached.\r\n", subject="Contract",
                headers="", envelope_from=SENDER, raw=None):
        """As the sender's own MTA delivers the copy addressed to the certifier: MX port, RCPT the certifier."""
        message = raw or (f"From: Alice Example <{SENDER}>\r\nTo: {', '.join(to)}\r\nCc: {', '.join(cc)}\r\n"
                          f"Subject: {subject}\r\nMessage-ID: <{time.time_ns()}@acme.test>\r\n{headers}"
                          f"\r\n{body}").encode()
        with smtplib.SMTP("127.0.0.1", self.daemon.mx, timeout=60) as client:
            client.ehlo("mail.acme.test")
            client.mail(envelope_from)
            code, reply = client.rcpt(cc[0])
            assert code == 250, reply
            try:
                code, reply = client.data(message)
            except smtplib.SMTPDataError as error:
                return error.smtp_code, error.smtp_error.decode()
            return code, reply.decode()

    def db(self):
        connection = sqlite3.connect(self.daemon.spool / "queue.sqlite", timeout=10)
        connection.row_factory = sqlite3.Row
        return connection

    def recipients(self, queue_id):
        with self.db() as db:
            return db.execute("SELECT * FROM recipient WHERE message_id = ? ORDER BY id", (queue_id,)).fetchall()

    def wait(self, predicate, what, seconds=30):
        return self.daemon.wait(predicate, what, seconds)

    def notices(self, kind=None):
        """The notices the sender's MX received, parsed."""
        found = []
        for raw in self.sender_mx.messages():
            message = email.message_from_bytes(raw, policy=email.policy.default)
            boundary = message.get_boundary()
            if boundary and f"--{boundary}--".encode() not in raw:
                continue  # smtp-sink is still writing it: a notice read half-written has a cut PDF

            if message["X-Fefaent-Notice"] and (kind is None or message["X-Fefaent-Notice"] == kind):
                found.append((message, raw))
        return found

    def copies(self, folder_sink=None):
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for raw in (folder_sink or self.accepting).messages()]


def queue_id_of(reply: str) -> str:
    match = re.search(r"queued as (\S+)", reply)
    assert match, reply
    return match.group(1)


def dkim_dns(record_path: Path) -> dict:
    """The TXT record `fefaent keys init` wrote (keys/dkim.txt), as dkimpy's dnsfunc answers it."""
    text = record_path.read_text()
    return {"fefaent._domainkey.fefaent.test.": "".join(re.findall(r'"([^"]*)"', text))}


def verify_dkim(raw: bytes, records: dict) -> bool:
    import dkim
    # smtp-sink stores lines with LF and puts its own X- lines above the message.
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    while lines and lines[0].startswith((b"X-Client-", b"X-Helo-", b"X-Mail-", b"X-Rcpt-")):
        lines.pop(0)
    if lines and lines[0].startswith(b"Received: from fefaent.test"):
        lines.pop(0)
        while lines and lines[0][:1] in (b" ", b"\t"):
            lines.pop(0)
    message = b"\r\n".join(lines)

    def dnsfunc(name, timeout=5):
        value = records.get(name.decode() if isinstance(name, bytes) else name)
        return value.encode() if value else None
    return dkim.verify(message, dnsfunc=dnsfunc)


def export_records(daemon, queue_id, folder: Path) -> list:
    """Every record of a message, as `fefaent evidence export` writes them."""
    import json
    import shutil
    deadline = time.monotonic() + 20
    while True:  # the writer signs a record shortly after its event
        result = daemon.cli("evidence", "export", queue_id, "--out", str(folder), check=False)
        if result.returncode == 0:
            break
        shutil.rmtree(folder, ignore_errors=True)
        assert time.monotonic() < deadline, result.stderr
        time.sleep(0.2)
    found = []
    for path in sorted((folder / "records").glob("*.json")):
        if not path.name.endswith(".proof.json"):
            found.append(json.loads(path.read_bytes()))
    return sorted(found, key=lambda record: record["timeMs"])
