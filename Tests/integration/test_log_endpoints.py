"""Anyone can watch the evidence log over HTTP: `GET /checkpoint` serves the latest signed checkpoint
and `GET /log/consistency?from=N&to=M` the RFC 9162 proof between two sizes; both check with the
independent verifier (pynacl for the note's Ed25519 signature, our own RFC 9162 code in Python)."""
import base64
import urllib.error
import urllib.request

import pytest

from certified import Certifier
from independent_verifier import read_checkpoint, verify_consistency
import sink

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")


def get(c, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{c.http}{path}", timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def test_checkpoints_and_consistency_proofs_over_http(fefaent_binary, tmp_path):
    c = Certifier(fefaent_binary, tmp_path).start()
    try:
        vkey = (c.daemon.keys / "log.vkey").read_text()
        assert c.send_cc(["bob@example.test"])[0] == 250
        first = c.wait(lambda: (r := get(c, "/checkpoint"))[0] == 200 and r, "a first checkpoint")
        origin, old_size, old_root = read_checkpoint(first[1], vkey)
        assert first[2]["Content-Type"].startswith("text/plain")
        assert c.send_cc(["carol@example.test"])[0] == 250

        def newer():
            status, note, _ = get(c, "/checkpoint")
            return status == 200 and read_checkpoint(note, vkey)[1] > old_size and note
        _, new_size, new_root = read_checkpoint(c.wait(newer, "a newer checkpoint"), vkey)

        status, body, headers = get(c, f"/log/consistency?from={old_size}&to={new_size}")
        assert status == 200, body
        proof = [base64.b64decode(line) for line in body.splitlines()]
        assert verify_consistency(old_size, new_size, old_root, new_root, proof)
        assert "immutable" in headers["Cache-Control"]
        # A proof that does not fit the roots fails the same check.
        assert not verify_consistency(old_size, new_size, old_root, new_root, proof[:-1] + [b"\0" * 32])

        for bad in (f"from={new_size}&to={old_size}", "from=0&to=1", "from=a&to=b", "",
                    f"from=1&to={new_size + 1000}"):
            status, body, _ = get(c, f"/log/consistency?{bad}")
            assert status == 400, (bad, status, body)
    finally:
        assert c.stop() == 0, c.daemon.log_text()[-3000:]
