"""fefaent queue list/flush/hold/release/delete while the daemon runs."""
import json
import time

import pytest

from conftest import Daemon, free_port
import sink
from test_delivery import submit, wait_for

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink comes with postfix (.ci/run installs it)")


def test_flush_hold_release_and_delete(fefaent_binary, tmp_path):
    port = free_port()
    daemon = Daemon(fefaent_binary, tmp_path / "fefaent", extra_config=f"""
[delivery]
poll_interval_ms = 100
retry_initial = 3600

[delivery.routes]
"*" = "127.0.0.1:{port}"
""")
    daemon.start_with_account()
    receiver = sink.Sink(tmp_path / "sink", port)
    try:
        first = submit(daemon, "bob@example.test")
        second = submit(daemon, "carol@example.test")
        third = submit(daemon, "dan@example.test")
        for queue_id in (first, second, third):
            wait_for(daemon, queue_id, lambda row, rs: rs[0]["state"] == "deferred")
        listing = json.loads(daemon.cli("queue", "list", "--json").stdout)
        row = next(m for m in listing if m["id"] == first)
        assert row["recipients"][0]["state"] == "deferred"
        assert "cannot connect" in row["recipients"][0]["last_reply"]
        assert row["recipients"][0]["next_attempt_at"] is not None
        assert "next try" in daemon.cli("queue", "list").stdout

        receiver.start()  # the next hop is back, but the next try is an hour away
        assert daemon.cli("queue", "hold", second).stdout.strip() == f"{second} on hold"
        assert daemon.cli("queue", "delete", third).stdout.strip() == f"{third} deleted"
        assert "1 recipient due now" in daemon.cli("queue", "flush", first).stdout
        wait_for(daemon, first, lambda row, rs: rs[0]["state"] == "delivered")

        daemon.cli("queue", "flush")
        time.sleep(1)
        row, recipients = daemon.message(second)
        assert row["state"] == "hold" and recipients[0]["state"] == "deferred"
        assert daemon.message(third)[0]["state"] == "done"
        assert len(receiver.messages()) == 1

        daemon.cli("queue", "release", second)
        daemon.cli("queue", "flush", second)
        wait_for(daemon, second, lambda row, rs: rs[0]["state"] == "delivered")
        assert len(receiver.messages()) == 2
        assert daemon.cli("queue", "hold", "NOSUCHID", check=False).returncode == 1
    finally:
        assert daemon.stop() == 0
        receiver.stop()
