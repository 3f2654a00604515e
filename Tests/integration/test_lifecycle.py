"""Start, stop, crash and restart: what was acknowledged stays, what was not leaves no trace."""
import os
import signal
import smtplib
import time

from conftest import CERTIFIER, Daemon, queue_id_from
from smtp_raw import RawSession

BODY = b"From: a@acme.test\r\nTo: " + CERTIFIER.encode() + b"\r\nSubject: lifecycle\r\n\r\nbody\r\n"


def send(port: int) -> str:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("client.acme.test")
        client.mail("alice@acme.test")
        client.rcpt(CERTIFIER)
        code, reply = client.data(BODY)
        assert code == 250, reply
        return queue_id_from(reply)


def test_sigterm_finishes_the_message_being_received_then_exits(fefaent_binary, tmp_path):
    daemon = Daemon(fefaent_binary, tmp_path).start()
    idle = RawSession(daemon.mx)
    idle.read_reply()
    busy = RawSession(daemon.mx)
    busy.read_reply()
    busy.send(b"EHLO c.acme.test\r\nMAIL FROM:<a@acme.test>\r\nRCPT TO:<" + CERTIFIER.encode() + b">\r\nDATA\r\n")
    assert busy.read_replies(4)[3].startswith(b"354")
    busy.send(BODY[:30])
    daemon.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert idle.read_reply() == b"421 4.3.2 fefaent.test Service shutting down, closing connection\r\n"
    busy.send(BODY[30:] + b".\r\n")
    queued = busy.read_reply()
    assert queued.startswith(b"250 2.0.0 Ok: queued as ")
    assert busy.read_reply().startswith(b"421 4.3.2")
    assert daemon.process.wait(timeout=30) == 0
    daemon.log.close()
    assert daemon.original_bytes(queue_id_from(queued)) == BODY
    assert "fefaent stopped" in daemon.log_text()


def test_sigkill_keeps_every_acknowledged_mail_and_cleans_the_rest(fefaent_binary, tmp_path):
    daemon = Daemon(fefaent_binary, tmp_path).start()
    acknowledged = [send(daemon.mx) for _ in range(20)]
    half = RawSession(daemon.mx)
    half.read_reply()
    half.send(b"EHLO c\r\nMAIL FROM:<a@acme.test>\r\nRCPT TO:<" + CERTIFIER.encode() + b">\r\nDATA\r\n")
    half.read_replies(4)
    half.send(BODY + (b"q" * 998 + b"\r\n") * 1200)  # spilled to tmp/, never finished
    deadline = time.monotonic() + 10
    while not daemon.temporary_files() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert daemon.temporary_files(), "the unfinished message should be in tmp/ before the crash"
    daemon.kill()
    daemon.start()
    try:
        assert daemon.temporary_files() == []
        for queue_id in acknowledged:
            row, _ = daemon.message(queue_id)
            assert row["state"] == "queued"
            assert daemon.original_bytes(queue_id) == BODY
        assert daemon.message_count() == 20
        assert "spool recovered" in daemon.log_text()
        send(daemon.mx)
    finally:
        assert daemon.stop() == 0


def test_a_twenty_megabyte_message_streams_in_bounded_memory(fefaent_binary, tmp_path):
    daemon = Daemon(fefaent_binary, tmp_path, message_size=25 * 1024 * 1024).start()
    try:
        send(daemon.mx)  # warm up
        def peak_kib():
            for line in open(f"/proc/{daemon.process.pid}/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        before = peak_kib()
        line = b"0123456789" * 99 + b"01234567\r\n"
        body = BODY + line * (20 * 1024 * 1024 // len(line))
        with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=120) as client:
            client.ehlo("client.acme.test")
            client.mail("alice@acme.test", [f"SIZE={len(body)}"])
            client.rcpt(CERTIFIER)
            code, reply = client.data(body)
        assert code == 250
        grown = peak_kib() - before
        row, _ = daemon.message(queue_id_from(reply))
        assert row["storage"] == "file" and row["size"] == len(body)
        print(f"peak RSS grew by {grown} KiB for a {len(body)} octet message")
        assert grown < 8 * 1024, f"peak resident memory grew by {grown} KiB"
    finally:
        assert daemon.stop() == 0


def test_an_idle_client_is_disconnected_after_the_command_timeout(fefaent_binary, tmp_path):
    daemon = Daemon(fefaent_binary, tmp_path, command_timeout=1).start()
    try:
        session = RawSession(daemon.mx)
        session.read_reply()
        session.command("EHLO client.acme.test")
        started = time.monotonic()
        assert session.read_reply() == b"421 4.4.2 fefaent.test Error: timeout exceeded\r\n"
        assert time.monotonic() - started < 10
        assert session.closed_by_server()
        active = RawSession(daemon.mx)  # activity keeps a session alive past the timeout
        active.read_reply()
        for _ in range(4):
            time.sleep(0.4)
            assert active.command("NOOP") == b"250 2.0.0 Ok\r\n"
    finally:
        assert daemon.stop() == 0
