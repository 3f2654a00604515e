"""Checkpoints leave the operator's hands: a C2SP tlog-witness on loopback (written here, checking
signatures and consistency proofs with the independent verifier's code) cosigns each new checkpoint;
a witness that is down at first gets it later; `evidence checkpoint --status` says where each stands;
`evidence consistency` proves the log extends a kept checkpoint, and fails once the log was cut; an
export carries the newest checkpoint and the proof that links it, checked independently.
"""

import base64
import http.server
import sqlite3
import threading
import time

import nacl.signing
import pytest

from conftest import free_port
import independent_verifier as independent
import sink
from test_delivery import submit
from test_evidence import wait_for_evidence
from test_evidence_integrity import evidence_daemon, wait_for_anchor

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")


class Witness:
    """A tlog-witness: it cosigns a checkpoint only when it extends the last one it cosigned."""

    def __init__(self, port, verifier_key):
        self.port, self.verifier_key = port, verifier_key
        self.size, self.root, self.requests, self.key = 0, b"", [], nacl.signing.SigningKey.generate()
        witness = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                status, answer = witness.add_checkpoint(self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", "text/x.tlog.size" if status == 409 else "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *arguments):
                pass

        self.server = None
        self.handler = Handler

    def start(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self.handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def add_checkpoint(self, path, body):
        self.requests.append(body)
        if path != "/add-checkpoint":
            return 404, b"no such endpoint"
        head, note = body.split("\n\n", 1)
        lines = head.split("\n")
        old = int(lines[0].split()[1])
        proof = [base64.b64decode(line) for line in lines[1:] if line]
        try:
            _, size, root = independent.read_checkpoint(note, self.verifier_key)
        except Exception:  # noqa: BLE001
            return 403, b"not signed by the log"
        if old != self.size:
            return 409, str(self.size).encode()
        if self.size and not independent.verify_consistency(self.size, size, self.root, root, proof):
            return 422, b"the checkpoint does not extend the last one"
        self.size, self.root = size, root
        signature = self.key.sign(note.split("\n\n")[0].encode() + b"\n").signature
        return 200, f"\u2014 witness.test {base64.b64encode(b'WTNS' + signature).decode()}\n".encode()


def status(daemon):
    return daemon.cli("evidence", "checkpoint", "--status").stdout


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_witnesses_cosign_consistent_checkpoints(fefaent_binary, tmp_path):
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    port = free_port()
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{receiver.port}"')
    daemon.config.write_text(daemon.config.read_text() + f'witnesses = ["http://127.0.0.1:{port}/"]\n')
    witness = Witness(port, (daemon.keys / "log.vkey").read_text())
    daemon.start_with_account()
    try:
        first = submit(daemon, "bob@example.test")
        wait_for_evidence(daemon, first, 2)
        # The witness is down: the daemon says so, and mail and evidence go on.
        wait_until(lambda: "failed" in status(daemon))
        assert "has cosigned nothing yet" in status(daemon)
        kept = tmp_path / "kept.txt"
        kept.write_text(daemon.cli("evidence", "checkpoint").stdout)
        witness.start()
        wait_for_anchor(daemon, 2)
        wait_until(lambda: "cosigned size 2" in status(daemon))
        assert "failed" not in status(daemon)
        # A second mail: the witness gets consistency proofs from size 2 on and checks each.
        cosigned = len(witness.requests)
        second = submit(daemon, "carol@example.test")
        wait_for_evidence(daemon, second, 2)
        wait_until(lambda: witness.size == 4)
        olds = [int(request.split("\n", 1)[0].split()[1]) for request in witness.requests[cosigned:]]
        assert olds[0] == 2 and olds == sorted(olds) and all(old < 4 for old in olds)
        assert "cosigned size 4" in status(daemon)
        # Anyone holding the kept checkpoint can check the log extends it.
        proved = daemon.cli("evidence", "consistency", str(kept))
        assert "VERIFIED: the log of 4 records extends the log of 2" in proved.stdout
        # An export of the first mail carries the newest checkpoint and the proof linking the two.
        out = tmp_path / "export"
        daemon.cli("evidence", "export", first, "--out", str(out))
        assert (out / "consistency.json").exists()
        verify = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False)
        assert "ok   latest checkpoint: extends checkpoint 2" in verify.stdout
        assert independent.verify_folder(out, daemon.ca) == []
        newest = tmp_path / "newest.txt"
        newest.write_text(daemon.cli("evidence", "checkpoint").stdout)
    finally:
        assert daemon.stop() == 0
        receiver.stop()
        witness.stop()

    # The log is cut back to the kept checkpoint: the newest checkpoint no longer follows from it.
    with sqlite3.connect(daemon.spool / "evidence.sqlite") as db:
        for trigger in ("record_no_delete", "record_timestamp_no_delete"):
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DELETE FROM record_timestamp WHERE evidence_id IN (SELECT evidence_id FROM record WHERE "
                   "leaf_index >= 2)")
        db.execute("DELETE FROM record WHERE leaf_index >= 2")
    cut = daemon.cli("evidence", "consistency", str(kept), str(newest), check=False)
    assert cut.returncode == 1 and "holds 2 records, fewer than the 4" in cut.stdout
