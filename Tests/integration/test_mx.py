"""MX routing through a real DNS server on loopback (dnsmasq), delivering to Postfix's smtp-sink."""
import shutil
import subprocess
import time

import pytest

from conftest import Daemon, free_port
import sink
from test_delivery import submit, wait_for

pytestmark = pytest.mark.skipif(shutil.which("dnsmasq") is None or not sink.available(),
                                reason="dnsmasq and smtp-sink are installed by .ci/run")


def start_dnsmasq(port: int) -> subprocess.Popen:
    process = subprocess.Popen([
        "dnsmasq", "--keep-in-foreground", f"--port={port}", "--listen-address=127.0.0.1", "--bind-interfaces",
        "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--local=/test/",
        # example.test: mx1 (preference 10) is down, mx2 (20) is up
        "--mx-host=example.test,mx1.example.test,10", "--mx-host=example.test,mx2.example.test,20",
        "--host-record=mx1.example.test,127.0.0.2", "--host-record=mx2.example.test,127.0.0.1",
        # implicit.test: no MX, an A record (RFC 5321 §5.1 implicit MX)
        "--host-record=implicit.test,127.0.0.1",
        # nullmx.test: MX 0 "." (RFC 7505)
        "--mx-host=nullmx.test,.,0",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process


def test_mx_preference_fallback_implicit_mx_null_mx_and_nxdomain(fefaent_binary, tmp_path):
    dns_port = free_port()
    dns = start_dnsmasq(dns_port)
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = Daemon(fefaent_binary, tmp_path / "fefaent", extra_config=f"""
[delivery]
poll_interval_ms = 100
nameserver = "127.0.0.1:{dns_port}"
mx_port = {receiver.port}
connect_timeout = 2
""")
    daemon.start_with_account()
    try:
        queue_id = submit(daemon, "bob@example.test", "carol@implicit.test", "dan@nonexistent.test",
                          "erin@nullmx.test")
        _, recipients = wait_for(daemon, queue_id,
                                 lambda row, rs: all(r["state"] in ("delivered", "bounced") for r in rs))
        by_address = {r["address"]: r for r in recipients}
        bob = by_address["bob@example.test"]
        assert bob["state"] == "delivered"
        assert bob["remote_host"] == "mx2.example.test" and bob["remote_ip"] == "127.0.0.1"
        carol = by_address["carol@implicit.test"]
        assert carol["state"] == "delivered" and carol["remote_host"] == "implicit.test"
        dan = by_address["dan@nonexistent.test"]
        assert dan["state"] == "bounced" and dan["last_reply"].startswith("550 5.1.2 ")
        erin = by_address["erin@nullmx.test"]
        assert erin["state"] == "bounced" and erin["last_reply"].startswith("556 5.1.10 ")
        assert len(receiver.messages()) == 2
        assert "server failed" in daemon.log_text() and "127.0.0.2" in daemon.log_text()
    finally:
        assert daemon.stop() == 0
        receiver.stop()
        dns.terminate()
        dns.wait()
