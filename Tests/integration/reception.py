"""Certified reception as a company meets it: a daemon with evidence, DKIM and a reception mailbox
(charged to an account, stored in a Maildir), a dnsmasq on loopback that publishes the senders' SPF
and DMARC, and smtp-sinks as the senders' and the company's MXs (where acknowledgements and owner
alerts go)."""
import email
import email.policy
import mailbox
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import Daemon, free_port
import sink
from test_evidence import EVIDENCE, BUILT_IN_TSA

MAILBOX = "claims@company.test"


class DNS:
    """dnsmasq on loopback answering TXT records (SPF, DMARC) for the test domains."""

    def __init__(self, records: dict):
        self.port = free_port()
        arguments = ["dnsmasq", "--keep-in-foreground", f"--port={self.port}", "--listen-address=127.0.0.1",
                     "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--local=/test/"]
        arguments += [f"--txt-record={name},{value}" for name, value in records.items()]
        self.process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        self.process.terminate()
        self.process.wait()


# Senders: sender.test authorises loopback (SPF pass, DMARC reject policy); forged.test does not.
SENDER_DNS = {
    "sender.test": "v=spf1 ip4:127.0.0.1 -all",
    "_dmarc.sender.test": "v=DMARC1; p=reject",
    "forged.test": "v=spf1 ip4:192.0.2.1 -all",
    "_dmarc.forged.test": "v=DMARC1; p=reject",
    # Two daemons' own domains, whose mailboxes write to each other.
    "a.test": "v=spf1 ip4:127.0.0.1 -all",
    "b.test": "v=spf1 ip4:127.0.0.1 -all",
}


@pytest.fixture
def dns():
    d = DNS(SENDER_DNS)
    yield d
    d.stop()


@pytest.fixture
def reception(fefaent_binary, tmp_path, dns):
    r = Reception(fefaent_binary, tmp_path, dns.address).start()
    yield r
    assert r.stop() == 0, r.daemon.log_text()[-3000:]


class Reception:
    """A daemon with one reception mailbox, charged to the account `company`."""

    def __init__(self, binary, folder: Path, nameserver: str, units=100, hostname="fefaent.test",
                 mailbox_address=MAILBOX, mailbox_options=(), routes=None, maildir=None, message_size=2 * 1024 * 1024):
        folder.mkdir(parents=True, exist_ok=True)
        self.senders = sink.Sink(folder / "senders", free_port()).start()
        self.company = sink.Sink(folder / "company", free_port()).start()
        self.maildir = Path(maildir) if maildir else folder / "maildir"
        self.mailbox_address = mailbox_address
        routes = routes or {}
        routes.setdefault("sender.test", self.senders.port)
        routes.setdefault("forged.test", self.senders.port)
        routes.setdefault("company.test", self.company.port)
        route_lines = "".join(f'"{domain}" = "127.0.0.1:{port}"\n' for domain, port in routes.items())
        self.daemon = Daemon(binary, folder / "fefaent", message_size=message_size, extra_config=f"""
[dkim]
key = "keys/dkim.key"
selector = "fefaent"
domain = "{hostname}"

[delivery]
poll_interval_ms = 50
nameserver = "{nameserver}"

[delivery.routes]
{route_lines}
{EVIDENCE}{BUILT_IN_TSA}pdf_certificate = "keys/pdf-signing.pem"
pdf_key = "keys/pdf-signing.key"
""")
        self.daemon.cli("account", "add", "company", "--no-password", "--units", str(units))
        self.daemon.cli("mailbox", "add", mailbox_address, "--account", "company", "--maildir", str(self.maildir),
                        "--owner", "boss@company.test", *mailbox_options)

    def start(self):
        self.daemon.start()
        return self

    def stop(self):
        code = self.daemon.stop()
        self.senders.stop()
        self.company.stop()
        return code

    def send(self, message: bytes, envelope_from="alice@sender.test", to=None, helo="mail.sender.test"):
        """Sends with Python's smtplib to the MX port; returns (code, reply)."""
        import smtplib
        with smtplib.SMTP("127.0.0.1", self.daemon.mx, timeout=60) as client:
            client.ehlo(helo)
            client.mail(envelope_from)
            code, reply = client.rcpt(to or self.mailbox_address)
            assert code == 250, reply
            code, reply = client.data(message)
            return code, reply.decode()

    def db(self):
        connection = sqlite3.connect(self.daemon.spool / "queue.sqlite", timeout=10)
        connection.row_factory = sqlite3.Row
        return connection

    def receptions(self):
        with self.db() as db:
            return db.execute("SELECT * FROM reception ORDER BY id").fetchall()

    def stored(self):
        """The Maildir's messages (bytes), oldest first."""
        folder = self.maildir / "new"
        return [path.read_bytes() for path in sorted(folder.iterdir(), key=lambda p: p.name)] if folder.exists() else []

    def wait(self, predicate, what, seconds=30):
        return self.daemon.wait(predicate, what, seconds)

    def notices(self, folder_sink=None, kind=None):
        found = []
        for raw in (folder_sink or self.senders).messages():
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if message["X-Fefaent-Notice"] and (kind is None or message["X-Fefaent-Notice"] == kind):
                found.append((message, raw))
        return found


def mail(subject="Claim", sender="alice@sender.test", headers="", body="I claim what is mine.\r\n") -> bytes:
    return (f"From: Alice <{sender}>\r\nTo: {MAILBOX}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{time.time_ns()}@sender.test>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n{headers}"
            f"\r\n{body}").encode()
