"""swaks, the mail admin's SMTP Swiss army knife, against the daemon."""
import shutil
import subprocess

import pytest

from conftest import CERTIFIER, PASSWORD, queue_id_from

pytestmark = pytest.mark.skipif(shutil.which("swaks") is None and not __import__("os").environ.get("CI"),
                                reason="swaks is installed by .ci/run")


def swaks(*arguments) -> str:
    result = subprocess.run(["swaks", *arguments], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


def last_queue_id(output: str) -> str:
    lines = [line for line in output.splitlines() if "queued as" in line]
    assert lines, output
    return queue_id_from(lines[-1])


def test_swaks_to_the_certifier_on_the_mx_port(daemon):
    output = swaks("--server", f"127.0.0.1:{daemon.mx}", "--from", "alice@acme.test", "--to", CERTIFIER,
                   "--helo", "mta.acme.test", "--header", "Subject: swaks test", "--body", "Certify this.")
    row, recipients = daemon.message(last_queue_id(output))
    assert row["helo"] == "mta.acme.test"
    assert b"Subject: swaks test" in daemon.original_bytes(row["id"])


def test_swaks_with_starttls(daemon):
    output = swaks("--server", f"127.0.0.1:{daemon.mx}", "--from", "alice@acme.test", "--to", CERTIFIER, "--tls",
                   "--tls-verify", "--tls-ca-path", str(daemon.ca), "--tls-sni", "fefaent.test")
    row, _ = daemon.message(last_queue_id(output))
    assert row["tls"].startswith("TLSv1.")


def test_swaks_submission_with_auth(daemon):
    output = swaks("--server", f"127.0.0.1:{daemon.submission}", "--from", "alice@acme.test",
                   "--to", "bob@example.test", "--tls", "--auth", "PLAIN", "--auth-user", "alice",
                   "--auth-password", PASSWORD)
    row, recipients = daemon.message(last_queue_id(output))
    assert row["auth_user"] == "alice" and recipients[0]["address"] == "bob@example.test"


def test_swaks_open_relay_attempt(daemon):
    output = swaks("--server", f"127.0.0.1:{daemon.mx}", "--from", "spammer@evil.test", "--to", "victim@example.test")
    assert "550 5.7.1 Relay access denied" in output
