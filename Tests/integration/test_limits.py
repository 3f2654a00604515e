"""Limits with real sockets: a client that only sends junk is slowed down (the tarpit) and then
disconnected, while another client's mail goes through at once."""
import smtplib
import socket
import threading
import time

from smtp_raw import RawSession


def test_two_hundred_noops_are_tarpitted_then_closed_while_mail_flows(daemon):
    session = RawSession(daemon.mx)
    session.read_reply()
    session.send(b"EHLO idler.example\r\n")
    session.read_reply()
    started = time.monotonic()
    session.send(b"NOOP\r\n" * 200)  # pipelined: the server answers them one by one
    replies, answered_at = [], []

    def read_all():
        while True:
            try:
                replies.append(session.read_reply())
                answered_at.append(time.monotonic() - started)
            except (ConnectionError, OSError):
                return
    reader = threading.Thread(target=read_all)
    reader.start()

    # Meanwhile another client's mail is accepted without waiting for the idler.
    time.sleep(1)
    sent = time.monotonic()
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=30) as client:
        client.sendmail("someone@example.test", ["postmaster@fefaent.test"], b"Subject: hi\r\n\r\nhello\r\n")
    assert time.monotonic() - sent < 5

    reader.join(timeout=90)
    assert not reader.is_alive()
    assert replies[-1].startswith(b"421 4.7.0") and b"too many errors" in replies[-1]
    # 100 NOOPs answered at once, then errors past the junk limit: three more at once, then the
    # waits grow (1 s, 2 s, ...) until the error limit (10 in the test config) closes the session.
    assert len(replies) == 100 + 9 + 1 and all(r.startswith(b"250") for r in replies[:-1])
    assert answered_at[102] < 2 and answered_at[103] >= 1 and answered_at[108] - answered_at[107] >= 5.5


def limited_daemon(fefaent_binary, tmp_path, **limits):
    from conftest import Daemon
    d = Daemon(fefaent_binary, tmp_path / "d")
    settings = "".join(f"{key} = {value}\n" for key, value in limits.items())
    d.config.write_text(d.config.read_text().replace("[limits]\n", "[limits]\nexempt_loopback = false\n" + settings))
    d.start_with_account()
    time.sleep(1)  # the start-up probes' connections close
    return d


def test_a_burst_of_connections_from_one_address(fefaent_binary, tmp_path):
    d = limited_daemon(fefaent_binary, tmp_path, client_connections=5)
    try:
        sessions = [RawSession(d.mx) for _ in range(8)]
        greetings = [s.read_reply() for s in sessions]
        assert sum(g.startswith(b"220 ") for g in greetings) == 5, greetings
        refused = [g for g in greetings if not g.startswith(b"220 ")]
        assert len(refused) == 3 and all(g.startswith(b"421 4.7.0") and b"too many connections from your address" in g
                                         for g in refused)
        # Another address (127.0.0.2 is loopback too) is not held up by this one's connections.
        other = socket.create_connection(("127.0.0.1", d.mx), timeout=10, source_address=("127.0.0.2", 0))
        assert other.recv(512).startswith(b"220 ")
        other.close()
        for s in sessions:
            s.sock.close()
        time.sleep(0.5)
        again = RawSession(d.mx)
        assert again.read_reply().startswith(b"220 ")  # closed connections free their places
        again.sock.close()
        assert "connection refused" in d.log_text()
    finally:
        assert d.stop() == 0


def test_wrong_passwords_across_connections_block_the_address(fefaent_binary, tmp_path):
    """30 wrong passwords over 10 connections: each 535 waits longer, the fourth failure closes
    with 421, and the address is refused for the window; another client still sends its mail."""
    import base64
    import ssl
    from conftest import PASSWORD
    d = limited_daemon(fefaent_binary, tmp_path, auth_failures=4)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    outcomes, waits = [], []
    try:
        for _ in range(10):
            try:
                with smtplib.SMTP("127.0.0.1", d.submission, timeout=30) as client:
                    client.starttls(context=context)
                    client.ehlo("guesser.example")
                    for attempt in range(3):
                        token = base64.b64encode(f"\0alice\0wrong guess {attempt}".encode()).decode()
                        started = time.monotonic()
                        code, _ = client.docmd("AUTH", f"PLAIN {token}")
                        waits.append(time.monotonic() - started)
                        outcomes.append(code)
                        if code != 535:
                            break
            except (smtplib.SMTPException, ConnectionError) as error:
                outcomes.append(getattr(error, "smtp_code", 0) or "refused")
        assert outcomes[:4] == [535, 535, 535, 421], outcomes
        assert all(outcome in (421, "refused") for outcome in outcomes[4:]), outcomes
        assert waits[0] >= 0.9 and waits[2] >= 2.9  # one second more each time
        # The guesser's address is refused at the door; a client from another address authenticates.
        with smtplib.SMTP("127.0.0.1", d.submission, timeout=30, source_address=("127.0.0.2", 0)) as client:
            client.starttls(context=context)
            client.login("alice", PASSWORD)
            client.sendmail("alice@acme.test", ["bob@example.test"], b"Subject: fine\r\n\r\nhello\r\n")
    finally:
        assert d.stop() == 0


def test_a_one_byte_a_second_sender_is_dropped_while_mail_flows(fefaent_binary, tmp_path):
    d = limited_daemon(fefaent_binary, tmp_path, min_data_rate=500, data_rate_grace=3)
    try:
        before = d.message_count()
        slow = RawSession(d.mx)
        slow.read_reply()
        for command in (b"EHLO slow.example\r\n", b"MAIL FROM:<slow@example.test>\r\n",
                        b"RCPT TO:<postmaster@fefaent.test>\r\n", b"DATA\r\n"):
            slow.send(command)
            slow.read_reply()
        started = time.monotonic()
        reply = b""
        for byte in b"Subject: trickle\r\n\r\n" + b"x" * 40:
            try:
                slow.send(bytes([byte]))
                time.sleep(0.25)
            except (BrokenPipeError, ConnectionResetError):
                break
            if time.monotonic() - started > 2:
                # Meanwhile a normal client's mail is accepted at once.
                with smtplib.SMTP("127.0.0.1", d.mx, timeout=30) as client:
                    client.sendmail("quick@example.test", ["postmaster@fefaent.test"], b"Subject: quick\r\n\r\nhi\r\n")
                started = float("inf")
        try:
            reply = slow.read_reply()
        except (ConnectionError, OSError):
            pass
        assert reply.startswith(b"421 4.4.2") and b"data too slow" in reply, reply
        assert d.message_count() == before + 1  # the quick one only: nothing of the slow one is kept
    finally:
        assert d.stop() == 0


def test_a_session_has_a_time_limit(fefaent_binary, tmp_path):
    d = limited_daemon(fefaent_binary, tmp_path, session_time_limit=2)
    try:
        session = RawSession(d.mx)
        session.read_reply()
        session.send(b"EHLO long.example\r\n")
        session.read_reply()
        time.sleep(2.5)
        session.send(b"NOOP\r\n")
        reply = session.read_reply()
        assert reply.startswith(b"421 4.4.2") and b"session too long" in reply
    finally:
        assert d.stop() == 0
