"""Fefaent's exported evidence checked by a verifier that shares none of its code
(independent_verifier.py: asn1crypto, cryptography, pynacl, RFC 9162 as written)."""

import json

import pytest

from conftest import free_port
import independent_verifier as independent
import sink
from test_delivery import submit, wait_for
from test_evidence_integrity import evidence_daemon
from test_evidence import wait_for_evidence

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")


def test_an_export_verifies_independently_and_tampering_shows(fefaent_binary, tmp_path):
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{receiver.port}"')
    daemon.start_with_account()
    try:
        queue_id = submit(daemon, "bob@example.test", "carol@example.test")
        wait_for(daemon, queue_id, lambda row, rs: all(r["state"] == "delivered" for r in rs))
        wait_for_evidence(daemon, queue_id, 3)
        out = tmp_path / "export"
        daemon.cli("evidence", "export", queue_id, "--out", str(out))
    finally:
        assert daemon.stop() == 0
        receiver.stop()
    assert independent.verify_folder(out, daemon.ca) == []

    records = sorted(p for p in (out / "records").glob("*.json") if not p.name.endswith(".proof.json"))
    assert len(records) == 3
    # A changed reply in a record: its signature, its manifest entry and its leaf all fail.
    original = records[1].read_bytes()
    records[1].write_bytes(original.replace(b'"250 ', b'"251 ', 1) if b'"250 ' in original
                           else original.replace(b'"ESMTP', b'"XSMTP', 1))
    problems = independent.verify_folder(out, daemon.ca)
    assert any("not the record the manifest lists" in p for p in problems), problems
    assert any("content does not match its digest" in p for p in problems), problems
    records[1].write_bytes(original)
    # An inclusion proof pointing at another leaf.
    proof_path = records[0].with_name(records[0].name[:-5] + ".proof.json")
    proof = json.loads(proof_path.read_bytes())
    proof["leafIndex"] = (proof["leafIndex"] + 1) % proof["treeSize"]
    proof_path.write_text(json.dumps(proof))
    assert any("inclusion proof fails" in p for p in independent.verify_folder(out, daemon.ca))


def test_the_rfc_9162_proofs_agree_with_fefaents_log():
    """The independent Merkle code against a tree built here, for every size up to 17."""
    leaves = [independent.leaf_hash(bytes([i])) for i in range(17)]

    def root(items):
        if len(items) == 1:
            return items[0]
        split = 1
        while split * 2 < len(items):
            split *= 2
        return independent.node_hash(root(items[:split]), root(items[split:]))

    def inclusion(index, items):
        if len(items) == 1:
            return []
        split = 1
        while split * 2 < len(items):
            split *= 2
        if index < split:
            return inclusion(index, items[:split]) + [root(items[split:])]
        return inclusion(index - split, items[split:]) + [root(items[:split])]

    for size in range(1, 18):
        for index in range(size):
            assert independent.verify_inclusion(leaves[index], index, size, inclusion(index, leaves[:size]),
                                                root(leaves[:size]))
            assert not independent.verify_inclusion(leaves[index], index, size, inclusion(index, leaves[:size]),
                                                    root(leaves[:size - 1]) if size > 1 else b"\x00" * 32)
