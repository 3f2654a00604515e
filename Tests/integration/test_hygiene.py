"""Hygiene, as an attacker and a careless operator would test it: a forged log line through a
network value, the modes of what Fefaent writes, a world-readable key, weak passwords and bad names,
and a configuration that cannot work."""
import base64
import os
import smtplib
import ssl
import stat
import subprocess

from conftest import Daemon, PASSWORD


def test_a_forged_log_line_stays_inside_its_own_line(daemon):
    forged = "mallory\n2026-11-30T08:00:00.000Z info fefaent: evidence log deleted by the operator"
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=30) as client:
        client.starttls(context=context)
        client.ehlo("client.example")
        token = base64.b64encode(f"\0{forged}\0{PASSWORD}".encode()).decode()
        code, _ = client.docmd("AUTH", f"PLAIN {token}")
        assert code == 535
    daemon.wait(lambda: "authentication failed" in daemon.log_text(), "the failed authentication in the log")
    lines = daemon.log_text().splitlines()
    assert not any(line.startswith("2026-11-30T08:00:00.000Z") for line in lines)
    [line] = [line for line in lines if "authentication failed" in line]
    assert "mallory\\n2026-11-30T08:00:00.000Z info fefaent: evidence log deleted" in line


def test_what_fefaent_writes_is_its_owner_s_only(daemon):
    spool = daemon.spool
    assert stat.S_IMODE(spool.stat().st_mode) == 0o700
    for folder in ("tmp", "seg", "msg"):
        assert stat.S_IMODE((spool / folder).stat().st_mode) == 0o700, folder
    for name in ("queue.sqlite", "queue.sqlite-wal"):
        assert stat.S_IMODE((spool / name).stat().st_mode) == 0o600, name
    for key in ("server.key", "dkim.key", "evidence.key", "log.key", "tsa.key"):
        path = daemon.keys / key
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, key


def test_serve_refuses_a_world_readable_key(fefaent_binary, tmp_path):
    d = Daemon(fefaent_binary, tmp_path / "d")
    os.chmod(d.keys / "server.key", 0o644)
    result = subprocess.run([str(fefaent_binary), "serve", "--config", str(d.config)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "tls.key" in result.stderr and "readable by every user" in result.stderr and "chmod 600" in result.stderr
    check = d.cli("config", "check", check=False)
    assert "warning: tls.key" in check.stdout and "serve refuses to start" in check.stdout
    os.chmod(d.keys / "server.key", 0o600)
    assert d.cli("config", "check").returncode == 0


def test_account_names_and_passwords(fefaent_binary, tmp_path):
    d = Daemon(fefaent_binary, tmp_path / "d")
    short = d.cli("account", "add", "acme", input="password1\n", check=False)
    assert short.returncode != 0 and "at least 12 characters" in short.stderr
    long = d.cli("account", "add", "acme", input="x" * 73 + "\n", check=False)
    assert long.returncode != 0 and "72 octets" in long.stderr
    named = d.cli("account", "add", "alice@acme.example", input=PASSWORD + "\n", check=False)
    assert named.returncode != 0 and "account name" in named.stderr
    hidden = d.cli("account", "add", "evil\u202eacme", input=PASSWORD + "\n", check=False)
    assert hidden.returncode != 0 and "\\u{202E}" in hidden.stderr
    assert d.cli("account", "add", "acme", input=PASSWORD + "\n").returncode == 0


def test_config_check_refuses_what_cannot_work(fefaent_binary, tmp_path):
    d = Daemon(fefaent_binary, tmp_path / "d", extra_config="""
[[listener]]
name = "again"
kind = "mx"
address = "127.0.0.1:0"
""")
    text = d.config.read_text().replace('[auth]\n', '[auth]\ntrusted_networks = ["10.0.0.0/8"]\n')
    mx = f'address = "127.0.0.1:{d.mx}"'
    d.config.write_text(text.replace('address = "127.0.0.1:0"', mx))  # a second listener on the MX port
    result = d.cli("config", "check", check=False)
    assert result.returncode != 0
    assert "listener again and listener mx both listen on" in result.stderr, result.stderr
    assert "warning: trusted network 10.0.0.0/8 is wider than a /16" in result.stdout
    d.config.write_text(text)
    result = d.cli("config", "check", check=False)
    assert result.returncode != 0 and "listener again: port 0" in result.stderr


def test_queue_show_escapes_what_the_network_sent(daemon):
    """An ORCPT parameter is xtext: `+1B` is an escape character, `+0A` a newline. An operator's
    terminal shows them as escapes, not as a cleared screen or a forged line."""
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=30) as client:
        client.ehlo("client.example")
        client.mail("sender@example.test")
        code, _ = client.rcpt("postmaster@fefaent.test", options=["NOTIFY=NEVER", "ORCPT=rfc822;x+1B[2J+0Aqueue+20empty@e.test"])
        assert code == 250
        code, reply = client.data(b"Subject: x\r\n\r\nbody\r\n")
        assert code == 250
    queue_id = reply.decode().split()[-1]
    shown = daemon.cli("queue", "show", queue_id).stdout
    assert "\x1b" not in shown and "\nqueue empty" not in shown
    assert "\\x1B[2J\\nqueue empty@e.test" in shown, shown
