"""SIGKILL under load: every acknowledged mail reaches the receiver after a restart (at least once)."""
import re
import smtplib
import ssl
import threading
import time

import pytest

from conftest import PASSWORD, Daemon, free_port, queue_id_from
import sink
from test_delivery import BODY

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink comes with postfix (.ci/run installs it)")


def test_sigkill_while_delivering_loses_no_acknowledged_mail(fefaent_binary, tmp_path):
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = Daemon(fefaent_binary, tmp_path / "fefaent", extra_config=f"""
[delivery]
poll_interval_ms = 50

[delivery.routes]
"*" = "127.0.0.1:{receiver.port}"
""")
    daemon.start_with_account()
    acknowledged = []
    stop = threading.Event()

    def send_until_stopped():
        context = ssl.create_default_context(cafile=str(daemon.ca))
        try:
            with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=10) as client:
                client.starttls(context=context)
                client.login("alice", PASSWORD)
                for n in range(400):  # bounded; the kill ends it much sooner
                    if stop.is_set():
                        return
                    client.mail("alice@acme.test")
                    client.rcpt(f"r{n}@example.test")
                    code, reply = client.data(BODY)
                    if code == 250:
                        acknowledged.append(queue_id_from(reply))
        except (smtplib.SMTPException, OSError):
            return  # the daemon died under us: what was acknowledged so far is what counts

    sender = threading.Thread(target=send_until_stopped)
    sender.start()
    deadline = time.monotonic() + 30
    while len(receiver.messages()) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    daemon.kill()  # SIGKILL mid-way: mails being received, queued, and delivered
    stop.set()
    sender.join(timeout=30)
    assert len(acknowledged) >= 10

    daemon.start()
    try:
        deadline = time.monotonic() + 60
        delivered = set()
        while time.monotonic() < deadline:
            delivered = set()
            for dump in receiver.messages():
                match = re.search(rb"with ESMTPSA id (\w+)", dump)
                if match:
                    delivered.add(match.group(1).decode())
            if set(acknowledged) <= delivered:
                break
            time.sleep(0.2)
        missing = set(acknowledged) - delivered
        assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged mails never arrived"
        print(f"{len(acknowledged)} acknowledged, {len(receiver.messages())} deliveries (duplicates allowed)")
    finally:
        assert daemon.stop() == 0
        receiver.stop()
