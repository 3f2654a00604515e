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
