"""Delivery reads each stored message a piece at a time while it sends it: a large message arrives
byte for byte (dot-stuffed over DATA to aiosmtpd, in one BDAT to another Fefaent), and a 20 MB
message sent to 100 servers at once does not cost the daemon 20 MB per connection."""
import os
import smtplib
import ssl
import subprocess
import time

import pytest

from conftest import PASSWORD, Daemon, free_port
import sink

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink comes with postfix (.ci/run installs it)")


def submit(daemon, recipients, message: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=120) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(daemon.ca)))
        client.ehlo("client.acme.test")
        client.login("alice", PASSWORD)
        client.sendmail("alice@acme.test", recipients, message)


def relay(fefaent_binary, folder, routes: str, concurrency=100) -> Daemon:
    daemon = Daemon(fefaent_binary, folder, message_size=24 * 1024 * 1024, extra_config=f"""
[delivery]
poll_interval_ms = 50
concurrency = {concurrency}
destination_concurrency = {concurrency}

[delivery.routes]
{routes}
""")
    return daemon.start_with_account()


def delivered(daemon):
    with daemon.db() as db:
        return db.execute("SELECT state, count(*) FROM recipient GROUP BY state").fetchall()


def awkward_message(size: int) -> bytes:
    """Lines of every length, many starting with "." (some at piece boundaries), UTF-8 text."""
    head = b"From: alice@acme.test\r\nTo: many\r\nSubject: large\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    lines, total, n = [], len(head), 0
    while total < size:
        line = (b"." * (n % 3)) + ("línea %d " % n).encode() + b"x" * (n * 7919 % 953) + b"\r\n"
        lines.append(line)
        total += len(line)
        n += 1
    return head + b"".join(lines) + b".\r\n..\r\nend"  # no final line break: the client adds one


def body_after_received(stored: bytes) -> bytes:
    """The message as submitted: what follows the Received field Fefaent put in front."""
    assert stored.startswith(b"Received: ")
    position = 0
    while True:
        position = stored.index(b"\r\n", position) + 2
        if stored[position:position + 1] not in (b" ", b"\t"):
            return stored[position:]


class Keep:
    """An aiosmtpd handler that keeps every envelope it is given."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 2.0.0 kept"


def test_a_large_message_arrives_byte_for_byte_over_data_and_bdat(fefaent_binary, tmp_path):
    from aiosmtpd.controller import Controller

    keeper = Keep()
    data_port = free_port()
    controller = Controller(keeper, hostname="127.0.0.1", port=data_port, data_size_limit=0)
    controller.start()
    # Another Fefaent, whose MX advertises CHUNKING, stores the mail for its reception mailbox.
    other = Daemon(fefaent_binary, tmp_path / "other", message_size=24 * 1024 * 1024, reception="inbox@other.test")
    other.start()
    relayer = relay(fefaent_binary, tmp_path / "relay",
                    f'"data.test" = "127.0.0.1:{data_port}"\n"other.test" = "127.0.0.1:{other.mx}"')
    try:
        message = awkward_message(3 * 1024 * 1024)
        submit(relayer, ["bob@data.test", "inbox@other.test"], message)
        relayer.wait(lambda: delivered(relayer) == [("delivered", 2)], "both deliveries", seconds=60)
        sent = message + b"\r\n"

        assert len(keeper.envelopes) == 1
        envelope = keeper.envelopes[0]
        assert "BODY=8BITMIME" in envelope.mail_options  # found at ingress, not by scanning at delivery
        assert body_after_received(envelope.original_content) == sent

        with other.db() as db:
            (queue_id,), = db.execute("SELECT id FROM message").fetchall()
        # What the other Fefaent received: the relay's Received field, then the message.
        assert body_after_received(other.original_bytes(queue_id)) == sent
    finally:
        controller.stop()
        assert relayer.stop() == 0, relayer.log_text()[-3000:]
        assert other.stop() == 0


def resident_kib(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def test_a_twenty_megabyte_message_to_a_hundred_servers_at_once_stays_small(fefaent_binary, tmp_path):
    port = free_port()
    # smtp-sink reads and drops: 100 connections at once, nothing stored.
    receiver = subprocess.Popen(["smtp-sink", "-u", "postfix", f"127.0.0.1:{port}", "256"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    relayer = relay(fefaent_binary, tmp_path / "relay", f'"*" = "127.0.0.1:{port}"')
    try:
        message = awkward_message(20_000_000)
        recipients = [f"user@d{n}.test" for n in range(100)]
        time.sleep(1)
        before = resident_kib(relayer.process.pid, "VmRSS")
        submit(relayer, recipients, message)
        started = time.monotonic()
        relayer.wait(lambda: delivered(relayer) == [("delivered", 100)], "100 deliveries", seconds=240)
        seconds = time.monotonic() - started
        peak = resident_kib(relayer.process.pid, "VmHWM")
        # Reading it whole for each of the 100 connections was 2 GB; pieces of 32 KiB are a few MB.
        grown = (peak - before) / 1024
        print(f"\n100 x 20 MB delivered in {seconds:.1f} s; resident {before / 1024:.0f} MB before, "
              f"peak {peak / 1024:.0f} MB (+{grown:.0f} MB)")
        assert grown < 64, f"resident memory grew by {grown:.0f} MB"
    finally:
        receiver.terminate()
        receiver.wait()
        assert relayer.stop() == 0, relayer.log_text()[-3000:]


def test_a_stored_message_cut_short_is_not_sent_half(fefaent_binary, tmp_path):
    """A careless operator truncates a queued message's file: delivery stops where the file ends,
    closes the connection without the final dot (the receiver keeps nothing) and defers."""
    from aiosmtpd.controller import Controller

    port = free_port()
    daemon = Daemon(fefaent_binary, tmp_path / "relay", message_size=24 * 1024 * 1024, extra_config=f"""
[delivery]
poll_interval_ms = 50
retry_initial = 3600
retry_maximum = 3600

[delivery.routes]
"*" = "127.0.0.1:{port}"
""")
    daemon.start_with_account()
    keeper = Keep()
    controller = Controller(keeper, hostname="127.0.0.1", port=port, data_size_limit=0)
    try:
        submit(daemon, ["bob@example.test"], awkward_message(3 * 1024 * 1024))
        with daemon.db() as db:
            (queue_id, path), = db.execute("SELECT id, path FROM message").fetchall()
        # Nobody listens yet: the first attempt defers it for an hour.
        daemon.wait(lambda: daemon.message(queue_id)[1][0]["state"] == "deferred", "the first deferral")
        stored = daemon.spool / path
        assert stored.stat().st_size > 3_000_000
        with open(stored, "r+b") as file:
            file.truncate(1_000_000)
        controller.start()
        daemon.cli("queue", "flush", queue_id)
        daemon.wait(lambda: "was cut short" in (daemon.message(queue_id)[1][0]["last_reply"] or ""),
                    "the attempt that found the file cut short")
        row, [recipient] = daemon.message(queue_id)
        assert recipient["state"] == "deferred" and recipient["last_reply"].startswith("451 4.3.0")
        # It read up to where the file now ends (the message starts at the file's first octet).
        assert f"ends after 1000000 of its {row['length']} octets" in recipient["last_reply"]
        time.sleep(0.5)
        assert keeper.envelopes == []  # no final dot was sent: nothing was delivered half
    finally:
        controller.stop()
        assert daemon.stop() == 0, daemon.log_text()[-3000:]


def test_a_large_certified_mail_to_twenty_recipients_streams_its_copies(fefaent_binary, tmp_path):
    """Each certified recipient gets a copy of its own (pixel, headers, DKIM): planned over the stored
    original and streamed from the spool, so 20 copies of a 14 MB mail in flight at once cost the
    rewritten parts only (held whole, each was the original and its copy, twice: 20 x 2 x 2 x 14 MB).
    The copies arrive whole: the attachment byte for byte, and the DKIM signature over the whole copy
    verifies."""
    import base64
    from email import message_from_bytes, policy
    from certified import Certifier, SENDER, dkim_dns, verify_dkim

    port = free_port()
    receiver = subprocess.Popen(["smtp-sink", "-u", "postfix", f"127.0.0.1:{port}", "256"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    keeper = sink.Sink(tmp_path / "kept", free_port()).start()  # keeps one recipient's copy, to check it whole
    certifier = Certifier(fefaent_binary, tmp_path, units=10_000, message_size=24 * 1024 * 1024,
                          extra="concurrency = 100\ndestination_concurrency = 100")
    config = certifier.daemon.config
    # Checkpoints (and so the sender's notices, each a signed PDF with the mail attached, drawn in
    # memory) wait a minute: what is measured is the copies' delivery alone.
    text = config.read_text().replace("checkpoint_interval_ms = 100", "checkpoint_interval_ms = 60000")
    config.write_text(text.replace(
        "[delivery.routes]\n", f'[delivery.routes]\n"big.test" = "127.0.0.1:{port}"\n"keep.test" = "127.0.0.1:{keeper.port}"\n'))
    certifier.start()
    try:
        attachment = os.urandom(10_000_000)
        encoded = base64.encodebytes(attachment).replace(b"\n", b"\r\n")
        recipients = [f"user{n}@big.test" for n in range(19)] + ["one@keep.test"]
        message = (f"From: Alice Example <{SENDER}>\r\nTo: {', '.join(recipients)}\r\nCc: certify@fefaent.test\r\n"
                   "Subject: The contract\r\nMessage-ID: <big@acme.test>\r\nMIME-Version: 1.0\r\n"
                   'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
                   "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease find the contract attached.\r\n--b\r\n"
                   'Content-Type: application/pdf; name="contract.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
                   ).encode() + encoded + b"--b--\r\n"
        time.sleep(1)
        before = resident_kib(certifier.daemon.process.pid, "VmRSS")
        code, reply = certifier.send_cc(recipients, raw=message)
        assert code == 250, reply

        def copies_delivered():
            with certifier.db() as db:
                return db.execute("SELECT count(*) FROM recipient WHERE kind = 'certified' AND state = 'delivered'"
                                  ).fetchone()[0] == 20
        certifier.wait(copies_delivered, "20 certified copies delivered", seconds=300)
        peak = resident_kib(certifier.daemon.process.pid, "VmHWM")
        grown = (peak - before) / 1024
        print(f"\n20 certified copies of a {len(message) / 1e6:.0f} MB mail: resident {before / 1024:.0f} MB "
              f"before, peak {peak / 1024:.0f} MB (+{grown:.0f} MB)")
        assert grown < 64, f"resident memory grew by {grown:.0f} MB"

        [copy] = keeper.messages()
        assert verify_dkim(copy, dkim_dns(certifier.daemon.keys / "dkim.txt")), "the copy's DKIM does not verify"
        parsed = message_from_bytes(copy.replace(b"\r\n", b"\n"), policy=policy.compat32)
        assert "certify@fefaent.test" in parsed["From"] and parsed["X-Fefaent-Certification"]
        pdf = next(part for part in parsed.walk() if part.get_content_type() == "application/pdf")
        assert pdf.get_payload(decode=True) == attachment
    finally:
        receiver.terminate()
        receiver.wait()
        keeper.stop()
        # A stop would first draw the 20 delivery certificates the checkpoint now allows; they are
        # not what this test is about.
        certifier.daemon.kill()
        certifier.stop()
