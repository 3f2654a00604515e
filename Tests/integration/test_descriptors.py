"""The daemon out of file descriptors (started under `prlimit`): the listener pauses accepting and
says so once, it does not spin on accept(2); a client that arrives meanwhile waits in the backlog and
is greeted, and its mail accepted, once descriptors come back."""
import os
import shutil
import smtplib
import socket
import time

import pytest

from conftest import Daemon, PASSWORD


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def greeted(sock, seconds):
    sock.settimeout(seconds)
    try:
        return sock.recv(512)
    except socket.timeout:
        return b""


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit (util-linux)")
def test_out_of_descriptors_the_listener_pauses_and_recovers(fefaent_binary, tmp_path):
    # Measure what the daemon needs at rest, then restart it with 24 descriptors more than that.
    probe = Daemon(fefaent_binary, tmp_path / "probe")
    probe.start_with_account()
    time.sleep(1)
    at_rest = len(os.listdir(f"/proc/{probe.process.pid}/fd"))
    assert probe.stop() == 0

    d = Daemon(fefaent_binary, tmp_path / "d")
    limit = at_rest + 24
    d.command_prefix = ["prlimit", f"--nofile={limit}:{limit}"]
    d.cli("account", "add", "alice", input=PASSWORD + "\n")
    d.start()
    time.sleep(1)  # the start-up probes' connections close
    held = []
    try:
        # Take descriptors until a new client is no longer greeted: the daemon is out of them.
        waiting = None
        for _ in range(60):
            sock = socket.create_connection(("127.0.0.1", d.mx), timeout=5)
            if greeted(sock, 2).startswith(b"220 "):
                held.append(sock)
                continue
            waiting = sock  # connected (the kernel's backlog), not accepted
            break
        assert waiting is not None, "the daemon never ran out of descriptors"
        assert len(held) >= 5

        # Paused, not spinning: the daemon uses little CPU over 3 s, and said why, once.
        before = cpu_seconds(d.process.pid)
        time.sleep(3)
        assert cpu_seconds(d.process.pid) - before < 0.5
        log = d.log_text()
        assert "cannot accept connections; the listener pauses" in log and "EMFILE" in log
        assert log.count("cannot accept connections") <= 2
        # At start-up it said that [limits] connections (1000) does not fit under the limit.
        assert "fewer file descriptors than [limits] connections needs" in log

        # Descriptors come back: the waiting client is greeted and its mail accepted.
        for sock in held[:6]:
            sock.close()
        reply = greeted(waiting, 10)
        assert reply.startswith(b"220 "), reply
        waiting.close()
        with smtplib.SMTP("127.0.0.1", d.mx, timeout=30) as client:
            client.sendmail("someone@example.test", ["postmaster@fefaent.test"], b"Subject: hi\r\n\r\nhello\r\n")
    finally:
        for sock in held:
            sock.close()
        assert d.stop() == 0, d.log_text()[-3000:]
