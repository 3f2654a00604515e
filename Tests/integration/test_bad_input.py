"""Bad input: each gets the right reply, the daemon stays up, nothing half-written stays in the spool."""
import os
import random
import smtplib

import pytest

from conftest import CERTIFIER, PASSWORD
from smtp_raw import RawSession

HEADER = b"From: a@acme.test\r\nTo: " + CERTIFIER.encode() + b"\r\nSubject: x\r\n\r\n"


def open_transaction(daemon) -> RawSession:
    session = RawSession(daemon.mx)
    session.read_reply()
    session.send(b"EHLO client.acme.test\r\nMAIL FROM:<alice@acme.test>\r\nRCPT TO:<" + CERTIFIER.encode() + b">\r\nDATA\r\n")
    replies = session.read_replies(4)
    assert replies[3].startswith(b"354")
    return session


def assert_nothing_kept(daemon, before: int):
    assert daemon.message_count() == before
    assert daemon.temporary_files() == []


@pytest.mark.parametrize("smuggled", [
    b"\n.\r\n",      # <LF>.<CR><LF>
    b"\n.\n",        # <LF>.<LF>
    b"\r\n.\n",      # <CR><LF>.<LF>
    b"\r.\r\n",      # <CR>.<CR><LF>
    b"\r\n.\r",      # <CR><LF>.<CR> then text
    b"\n",           # a bare LF alone
    b"\r",           # a bare CR alone
])
def test_smuggling_sequences_are_refused(daemon, smuggled):
    before = daemon.message_count()
    session = open_transaction(daemon)
    session.send(HEADER + b"first" + smuggled + b"MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@example.test>\r\n"
                 b"DATA\r\nforged\r\n.\r\n")
    reply = session.read_reply()
    assert reply.startswith(b"550 5.6.0 Message refused: bare <"), reply
    assert session.command("NOOP") == b"250 2.0.0 Ok\r\n"  # the smuggled commands were content, never run
    assert_nothing_kept(daemon, before)


def test_bare_line_feed_in_a_command(daemon):
    session = RawSession(daemon.mx)
    session.read_reply()
    session.send(b"EHLO client.acme.test\n")
    assert session.read_reply() == b"500 5.5.2 Error: bare <LF> received\r\n"


def test_a_two_megabyte_line(daemon):
    session = RawSession(daemon.mx)
    session.read_reply()
    session.send(b"EHLO " + b"a" * (2 * 1024 * 1024) + b"\r\n")
    assert session.read_reply() == b"500 5.5.2 Error: line too long\r\n"
    assert session.command("NOOP") == b"250 2.0.0 Ok\r\n"


def test_an_oversize_message(daemon):
    before = daemon.message_count()
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=30) as client:
        client.ehlo("client.acme.test")
        assert client.mail("alice@acme.test", ["SIZE=3000000"]) == (552, b"5.3.4 Message size exceeds fixed limit")
        client.mail("alice@acme.test")
        client.rcpt(CERTIFIER)
        line = b"x" * 998 + b"\r\n"
        code, reply = client.data(HEADER + line * 3000)  # 3 MB > the 2 MiB limit of the test config
        assert (code, reply) == (552, b"5.3.4 Message size exceeds fixed limit")
        assert client.noop()[0] == 250
    assert_nothing_kept(daemon, before)


def test_a_line_longer_than_1000_octets_in_data(daemon):
    before = daemon.message_count()
    session = open_transaction(daemon)
    session.send(HEADER + b"y" * 1500 + b"\r\n.\r\n")
    assert session.read_reply() == b"550 5.6.0 Message refused: line longer than 1000 octets\r\n"
    assert_nothing_kept(daemon, before)


def test_commands_out_of_order(daemon):
    session = RawSession(daemon.mx)
    session.read_reply()
    assert session.command("MAIL FROM:<a@acme.test>") == b"503 5.5.1 Error: send HELO/EHLO first\r\n"
    session.command("EHLO client.acme.test")
    assert session.command("RCPT TO:<" + CERTIFIER + ">") == b"503 5.5.1 Error: need MAIL command\r\n"
    assert session.command("DATA") == b"503 5.5.1 Error: need MAIL command\r\n"
    session.command("MAIL FROM:<a@acme.test>")
    assert session.command("DATA") == b"554 5.5.1 Error: no valid recipients\r\n"


def test_the_101st_recipient_is_deferred(daemon):
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=30) as client:
        client.starttls(context=__import__("ssl").create_default_context(cafile=str(daemon.ca)))
        client.ehlo("client.acme.test")
        client.login("alice", PASSWORD)
        client.mail("alice@acme.test")
        codes = [client.rcpt(f"r{n}@example.test")[0] for n in range(101)]
        assert codes[:100] == [250] * 100
        assert client.rcpt("r100@example.test") == (452, b"4.5.3 Error: too many recipients")
        code, _ = client.data(HEADER + b"hi\r\n")
        assert code == 250


def test_relay_to_a_foreign_domain_is_denied(daemon):
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=30) as client:
        client.ehlo("client.acme.test")
        client.mail("alice@acme.test")
        assert client.rcpt("victim@example.test") == (550, b"5.7.1 Relay access denied")
        assert client.rcpt("nobody@fefaent.test") == (550, b"5.1.1 Recipient address rejected: User unknown")
        assert client.rcpt("postmaster@fefaent.test")[0] == 250


def test_auth_before_tls(daemon):
    session = RawSession(daemon.submission)
    session.read_reply()
    session.command("EHLO client.acme.test")
    assert session.command("AUTH PLAIN AGFsaWNlAHB3") == b"538 5.7.11 Encryption required for requested authentication mechanism\r\n"


def test_plaintext_pipelined_after_starttls_is_dropped(daemon):
    session = RawSession(daemon.mx)
    session.read_reply()
    session.command("EHLO client.acme.test")
    # The injected MAIL travels in plaintext after STARTTLS (CVE-2011-0411): it must not be executed over TLS.
    session.send(b"STARTTLS\r\nMAIL FROM:<injected@attacker.test>\r\n")
    assert session.read_reply() == b"220 2.0.0 Ready to start TLS\r\n"
    session.start_tls(str(daemon.ca))
    session.command("EHLO client.acme.test")
    assert session.command("RCPT TO:<" + CERTIFIER + ">") == b"503 5.5.1 Error: need MAIL command\r\n"
    assert "dropped plaintext pipelined after STARTTLS" in daemon.log_text()


def test_binary_garbage_ends_with_too_many_errors(daemon):
    before = daemon.message_count()
    generator = random.Random(42)
    session = RawSession(daemon.mx)
    session.read_reply()
    for _ in range(40):
        junk = bytes(generator.randrange(256) for _ in range(200)).replace(b"\r", b"").replace(b"\n", b"")
        try:
            session.send(junk + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            break
    replies = b""
    while True:
        try:
            reply = session.read_reply()
        except (ConnectionError, OSError):
            break
        replies += reply
    assert replies.startswith(b"5")
    assert b"421 4.7.0 fefaent.test Error: too many errors\r\n" in replies
    # the daemon is still there
    fresh = RawSession(daemon.mx)
    assert fresh.read_reply().startswith(b"220 ")
    assert_nothing_kept(daemon, before)


def test_a_client_that_disconnects_mid_data_leaves_nothing(daemon):
    before = daemon.message_count()
    session = open_transaction(daemon)
    session.send(HEADER + b"z" * 998 + b"\r\n" * 1)
    session.send((b"w" * 998 + b"\r\n") * 1500)  # 1.5 MB: spilled to a temporary file
    session.close()
    fresh = RawSession(daemon.mx)
    fresh.read_reply()
    assert fresh.command("NOOP").startswith(b"250")
    import time
    deadline = time.monotonic() + 5
    while daemon.temporary_files() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert_nothing_kept(daemon, before)
