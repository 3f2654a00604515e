# Integration tests: the real `fefaent serve` daemon, driven by real SMTP clients
# (Python smtplib, raw sockets, swaks) on 127.0.0.1 only.
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CERTIFIER = "certify@fefaent.test"
RECEPTION = "inbox@reception.test"
PASSWORD = "correct horse battery staple"


def build_fefaent() -> Path:
    """Builds the CLI once (the README's test command builds it already) and returns its path."""
    configuration = os.environ.get("FEFAENT_BUILD_CONFIGURATION", "debug")
    subprocess.run(["swift", "build", "-c", configuration, "--product", "fefaent"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", configuration, "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    return Path(bin_path) / "fefaent"


@pytest.fixture(scope="session")
def fefaent_binary() -> Path:
    return build_fefaent()


_handed_out = set()


def free_port() -> int:
    """A loopback port nobody listens on, never one handed out before in this run (the kernel may
    give the same free port twice in a row, and a daemon's listeners would then collide)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


class Daemon:
    """One running `fefaent serve` with its own keys, config and spool in a temporary folder."""

    def __init__(self, binary: Path, folder: Path, message_size: int = 2 * 1024 * 1024, recipients: int = 100,
                 command_timeout: int = 300, extra_config: str = "", reception: str = RECEPTION):
        self.binary = binary
        self.folder = folder
        self.keys = folder / "keys"
        self.ca = self.keys / "ca.pem"
        self.spool = folder / "spool"
        self.mx, self.submission, self.submissions = free_port(), free_port(), free_port()
        self.config = folder / "fefaent.toml"
        self.log_path = folder / "fefaent.log"
        self.process = None
        self.command_prefix = []  # e.g. ["prlimit", "--nofile=64:64"]
        if not self.keys.exists():
            self.cli("keys", "init", "--dir", str(self.keys), "--hostname", "fefaent.test", config=False)
        self.config.write_text(f"""
[server]
hostname = "fefaent.test"
spool = "spool"
log_level = "info"

[tls]
certificate = "keys/server.pem"
key = "keys/server.key"

[certification]
certifier_addresses = ["{CERTIFIER}"]
reception_mailboxes = ["{reception}"]

[limits]
message_size = {message_size}
recipients = {recipients}
errors = 10
shutdown_grace = 10
command_timeout = {command_timeout}

[auth]
bcrypt_cost = 4

[[listener]]
name = "mx"
kind = "mx"
address = "127.0.0.1:{self.mx}"

[[listener]]
name = "submission"
kind = "submission"
address = "127.0.0.1:{self.submission}"

[[listener]]
name = "submissions"
kind = "submissions"
address = "127.0.0.1:{self.submissions}"

{extra_config}
""")

    def cli(self, *arguments, input=None, config=True, check=True) -> subprocess.CompletedProcess:
        command = [str(self.binary), *arguments]
        if config:
            command += ["--config", str(self.config)]
        return subprocess.run(command, input=input, capture_output=True, text=True, check=check, timeout=60)

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([*self.command_prefix, str(self.binary), "serve", "--config", str(self.config)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fefaent exited: {self.log_path.read_text()}")
            try:
                for port in (self.mx, self.submission, self.submissions):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("fefaent did not start listening")

    def start_with_account(self):
        """Adds the account alice (for AUTH on the submission ports), then starts."""
        self.cli("account", "add", "alice", input=PASSWORD + "\n")
        return self.start()

    def stop(self, timeout: float = 30) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.log.close()

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.log.close()

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.spool / "queue.sqlite", timeout=10)

    def message(self, queue_id: str):
        with self.db() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM message WHERE id = ?", (queue_id,)).fetchone()
            recipients = db.execute("SELECT * FROM recipient WHERE message_id = ? ORDER BY id", (queue_id,)).fetchall()
            return row, recipients

    def message_count(self) -> int:
        with self.db() as db:
            return db.execute("SELECT count(*) FROM message").fetchone()[0]

    def stored_bytes(self, queue_id: str) -> bytes:
        row, _ = self.message(queue_id)
        with open(self.spool / row["path"], "rb") as f:
            f.seek(row["offset"])
            return f.read(row["length"])

    def original_bytes(self, queue_id: str) -> bytes:
        row, _ = self.message(queue_id)
        return self.stored_bytes(queue_id)[row["header_length"]:]

    def temporary_files(self):
        return os.listdir(self.spool / "tmp")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait(self, predicate, what, seconds=30):
        """The first true value of `predicate`, polled for `seconds`; else fails with the daemon's log."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}\n{self.log_text()[-3000:]}")


@pytest.fixture
def daemon(fefaent_binary, tmp_path):
    d = Daemon(fefaent_binary, tmp_path)
    d.start_with_account()
    yield d
    code = d.stop()
    assert code == 0, d.log_text()


def queue_id_from(reply: bytes) -> str:
    text = reply.decode() if isinstance(reply, bytes) else reply
    assert "queued as" in text, text
    return text.rsplit(" ", 1)[-1].strip()
