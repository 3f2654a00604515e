"""Postfix's smtp-sink as the recipient's MX: it dumps what it receives, and can answer 4xx/5xx."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class Sink:
    def __init__(self, folder: Path, port: int, *options: str):
        # smtp-sink drops root for the postfix user, which cannot enter pytest's private tmp folders.
        self.folder = Path(tempfile.mkdtemp(prefix="fefaent-sink-"))
        os.chmod(self.folder, 0o755)
        self.port = port
        self.options = options
        self.process = None

    def start(self):
        command = ["smtp-sink"]
        if os.geteuid() == 0:
            user = pwd.getpwnam("postfix")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            command += ["-u", "postfix"]
        command += ["-d", str(self.folder / "%Y%m%d%H%M%S."), *self.options, f"127.0.0.1:{self.port}", "100"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("smtp-sink did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def messages(self):
        return [path.read_bytes() for path in sorted(self.folder.iterdir())]


def available() -> bool:
    return shutil.which("smtp-sink") is not None
