"""A `250` after DATA means the mail is on disk: the daemon runs under strace, and the trace must show
the mail's octets and its queue rows synced before the `250` is written to the client.

Small mails go to a segment file (fdatasync), large ones to a file of their own (fsync of the file,
then of its folder); the rows go to queue.sqlite's write-ahead log, whose commit must be synced too
(SQLite's synchronous = FULL: with GRDB's default, NORMAL, commits reach the disk only at
checkpoints, and a power loss takes back rows a `250` promised)."""
import os
import re
import shutil
import signal
import smtplib

import pytest

from conftest import CERTIFIER, Daemon

SYSCALL = re.compile(r"^(\d+) +(?:<\.\.\. (\w+) resumed>|(\w+)\((\d+)?)(.*)$")


def trace_events(path):
    """(call, file) in the order the calls returned: "write" (write or pwrite64 to a file opened with
    openat), "fdatasync", "fsync", and "reply" (the 250 after DATA written to the client)."""
    names = {}  # fd -> path, from openat
    pending = {}  # pid -> (call, fd, text) of an unfinished call
    events = []
    for line in open(path, errors="replace"):
        match = SYSCALL.match(line.rstrip("\n"))
        if not match:
            continue
        pid, resumed, call, fd, rest = match.groups()
        if resumed:
            if pid not in pending:
                continue
            call, fd, head = pending.pop(pid)
            rest = head + rest
        elif "<unfinished ...>" in rest:
            pending[pid] = (call, fd, rest.replace("<unfinished ...>", ""))
            continue
        if call == "openat":
            opened = re.search(r'"([^"]+)".*= (\d+)$', rest)
            if opened:
                names[opened.group(2)] = opened.group(1)
        elif call in ("write", "writev", "sendmsg") and "250 2.0.0" in rest:
            events.append(("reply", names.get(fd, fd)))
        elif call in ("pwrite64", "write") and fd in names and re.search(r"= \d+$", rest):
            events.append(("write", names[fd]))
        elif call in ("fdatasync", "fsync") and fd in names and rest.endswith("= 0"):
            events.append((call, names[fd]))
    return events


def synced_after_last_write(events, reply_index, suffix):
    """The positions of the last write to, and the last sync of, the file ending in `suffix` before the reply."""
    last_write = last_sync = -1
    for index, (call, name) in enumerate(events[:reply_index]):
        if not str(name).endswith(suffix):
            continue
        if call == "write":
            last_write = index
        else:
            last_sync = index
    return last_write, last_sync


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace")
@pytest.mark.parametrize("size", [4 * 1024, 1536 * 1024])
def test_the_250_comes_after_the_mail_and_its_rows_are_synced(fefaent_binary, tmp_path, size):
    trace = tmp_path / "strace.txt"
    d = Daemon(fefaent_binary, tmp_path / "d", message_size=4 * 1024 * 1024)
    d.command_prefix = ["strace", "-f", "-qq", "-s", "48", "-o", str(trace),
                        "-e", "trace=openat,pwrite64,fdatasync,fsync,write,writev,sendmsg"]
    d.start()
    try:
        body = b"Subject: durable\r\n\r\n" + b"x" * 78 + b"\r\n"
        body = body * (size // len(body))
        with smtplib.SMTP("127.0.0.1", d.mx, timeout=60) as client:
            client.ehlo("client.test")
            client.mail("sender@example.test")
            client.rcpt(CERTIFIER)
            code, reply = client.data(body)
            assert code == 250, reply
    finally:
        # SIGTERM to the daemon under strace (strace passes it on and exits with it).
        children = open(f"/proc/{d.process.pid}/task/{d.process.pid}/children").read().split()
        for child in children:
            os.kill(int(child), signal.SIGTERM)
        d.process.wait(timeout=60)
        d.log.close()

    events = trace_events(trace)
    replies = [i for i, (call, _) in enumerate(events) if call == "reply"]
    assert len(replies) == 1, events[-20:]
    reply = replies[0]

    # The queue rows: the WAL was written for this mail, and synced after its last write.
    wal_write, wal_sync = synced_after_last_write(events, reply, "queue.sqlite-wal")
    assert wal_write >= 0, "no write to queue.sqlite-wal before the 250"
    assert wal_sync > wal_write, f"queue.sqlite-wal not synced after its last write before the 250: {events[wal_write:reply + 1]}"

    # The octets: a segment (fdatasync) for small mails, a file of their own (fsync, then the folder) for large.
    if size < 1024 * 1024:
        seg_write, seg_sync = synced_after_last_write(events, reply, ".seg")
        assert 0 <= seg_write < seg_sync, events[:reply + 1]
    else:
        syncs = [str(name) for call, name in events[:reply] if call == "fsync"]
        assert any("/spool/tmp/" in name for name in syncs), syncs  # the spilled file, before its rename
        assert any(name.endswith("/spool/msg") for name in syncs), syncs  # then the folder it moved into
