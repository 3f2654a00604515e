"""`fefaent message spf`: RFC 7208 evaluation against SPF records served by a dnsmasq on loopback."""

import shutil
import subprocess
import time

import pytest

from conftest import free_port

pytestmark = pytest.mark.skipif(shutil.which("dnsmasq") is None, reason="dnsmasq is installed by .ci/run")

RECORDS = {
    "acme.test": "v=spf1 ip4:192.0.2.0/24 include:_spf.mailer.test mx:acme.test/30 ~all",
    "_spf.mailer.test": "v=spf1 ip6:2001:db8:25::/48 a:out.mailer.test -all",
    "strict.test": "v=spf1 redirect=_spf.mailer.test",
    "broken.test": "v=spf1 ip4:192.0.2.300 -all",
    "macro.test": "v=spf1 exists:%{i}.allow.macro.test -all",
}


@pytest.fixture(scope="module")
def dns():
    port = free_port()
    arguments = ["dnsmasq", "--keep-in-foreground", f"--port={port}", "--listen-address=127.0.0.1",
                 "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--local=/test/",
                 "--mx-host=acme.test,mx.acme.test,10", "--host-record=mx.acme.test,198.51.100.9",
                 "--host-record=out.mailer.test,203.0.113.5", "--host-record=198.51.100.77.allow.macro.test,127.0.0.2"]
    arguments += [f"--txt-record={name},{value}" for name, value in RECORDS.items()]
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=5)


@pytest.mark.parametrize("ip,domain,expected", [
    ("192.0.2.10", "acme.test", "pass"),            # ip4
    ("198.51.100.10", "acme.test", "pass"),         # mx with /30
    ("198.51.100.13", "acme.test", "softfail"),     # outside the /30
    ("2001:db8:25:1::1", "acme.test", "pass"),      # include -> ip6
    ("203.0.113.5", "strict.test", "pass"),         # redirect -> a
    ("203.0.113.6", "strict.test", "fail"),
    ("198.51.100.77", "macro.test", "pass"),        # exists with %{i}
    ("198.51.100.78", "macro.test", "fail"),
    ("192.0.2.1", "broken.test", "permerror"),
    ("192.0.2.1", "nospf.test", "none"),
])
def test_spf_results(fefaent_binary, dns, ip, domain, expected):
    result = subprocess.run([fefaent_binary, "message", "spf", "--ip", ip, "--domain", domain, "--nameserver", dns],
                            capture_output=True, text=True, timeout=30)
    assert result.stdout.startswith(f"spf={expected}"), result.stdout + result.stderr
    assert result.returncode == (0 if expected == "pass" else 1)
