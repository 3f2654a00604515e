"""API v1 with a real HTTP client (httpx): an application sends a certified mail with one call, polls
it, downloads its evidence PDF (checked by pdfsig and pyHanko) and one record with its proof (checked
by the independent verifier); idempotency keys, revoked keys, rate limits and refusals as RFC 9457
problems."""
import base64
import json
import shutil
import sqlite3

import httpx
import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from certified import SENDER, Certifier
from independent_verifier import (SignedData, leaf_hash, read_checkpoint, sha256, verify_inclusion,
                                  verify_token)
import sink
from test_certified_mail import pdfsig_valid

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")

CONTRACT = b"%PDF-1.4\n% a contract, as an application attaches it\n" + bytes(range(256)) * 40


@pytest.fixture
def api(fefaent_binary, tmp_path):
    c = Certifier(fefaent_binary, tmp_path, units=20)
    c.daemon.config.write_text(c.daemon.config.read_text().replace(
        f'[http]\nlisten = "127.0.0.1:{c.http}"',
        f'[http]\nlisten = "127.0.0.1:{c.http}"\napi_rate = 2\napi_burst = 12'))
    c.key = c.daemon.cli("apikey", "add", "acme", "--label", "billing").stdout.strip()
    c.start()
    c.client = httpx.Client(base_url=f"http://127.0.0.1:{c.http}", timeout=30,
                            headers={"Authorization": f"Bearer {c.key}"})
    yield c
    c.client.close()
    assert c.stop() == 0, c.daemon.log_text()[-3000:]


def mail(**overrides):
    body = {"from": SENDER, "from_name": "Alice Example", "to": ["bob@example.test"], "subject": "Contract 2026/17",
            "text": "Dear Bob,\nthe contract is attached.\n", "html": "<p>Dear Bob,</p><p>the contract is attached.</p>",
            "attachments": [{"filename": "contract.pdf", "content_type": "application/pdf",
                             "content": base64.b64encode(CONTRACT).decode()}]}
    body.update(overrides)
    return body


def problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    details = response.json()
    assert details["status"] == status and details["type"].startswith("https://") and details["title"]
    return details


def delivered(c, message_id):
    """The state and the delivery's record: the record follows the delivery by a moment."""
    def check():
        body = c.client.get(f"/v1/messages/{message_id}").json()
        recorded = any(e["kind"] == "RelayToNonERDS" for e in body["evidence"])
        return body["state"] == "delivered" and recorded and body
    return c.wait(check, "the API to report the delivery and its record")


def test_send_poll_and_download_the_certificate(api, tmp_path):
    response = api.client.post("/v1/messages", json=mail())
    assert response.status_code == 202, response.text
    sent = response.json()
    assert response.headers["location"] == f"/v1/messages/{sent['id']}"
    assert response.headers["idempotent-replayed"] == "false"
    assert sent["units"] == 1 and sent["to"] == ["bob@example.test"] and sent["from"] == SENDER

    status = delivered(api, sent["id"])
    [bob] = status["recipients"]
    assert bob["address"] == "bob@example.test" and bob["state"] == "delivered"
    assert bob["last_reply"]["code"] == 250 and bob["evidence_id"]
    kinds = [e["kind"] for e in status["evidence"]]
    assert "SubmissionAcceptance" in kinds and "RelayToNonERDS" in kinds, kinds

    # Bob's server got the certified copy, with the attachment byte for byte.
    [copy] = api.copies()
    assert copy["Subject"] == "Contract 2026/17" and "Alice Example" in copy["Reply-To"] + copy["From"] + str(copy)
    [attachment] = [part for part in copy.iter_attachments()]
    assert attachment.get_filename() == "contract.pdf" and attachment.get_content() == CONTRACT

    # The acceptance record says the sender was authenticated by this account's API key.
    key_id = api.key.split("_")[1]
    record = api.client.get(f"/v1/evidence/{status['evidence'][0]['id']}")
    assert record.status_code == 200, record.text
    body = json.loads(record.json()["record"])
    assert body["senderAuthentication"] == {"method": "api-key", "identity": f"acme/{key_id}"}

    def pdf_ready():
        response = api.client.get(f"/v1/messages/{sent['id']}/evidence.pdf")
        return response.status_code == 200 and response
    pdf = api.wait(pdf_ready, "the evidence PDF")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    if shutil.which("pdfsig") and shutil.which("certutil") and shutil.which("pyhanko"):
        assert pdfsig_valid(pdf.content, tmp_path, api.daemon.ca) == (True, True)
    (tmp_path / "api.pdf").write_bytes(pdf.content)
    verified = api.daemon.cli("evidence", "verify", str(tmp_path / "api.pdf"), "--ca", str(api.daemon.ca),
                              "--log-key", str(api.daemon.keys / "log.vkey"), config=False, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    account = api.client.get("/v1/account").json()
    assert account["name"] == "acme" and account["units"] == 19 and f"{SENDER}" in account["senders"]
    assert account["ledger"][0]["change"] == -1 and account["ledger"][0]["message_id"] == sent["id"]


def test_a_record_with_its_signature_token_and_proof(api):
    sent = api.client.post("/v1/messages", json=mail(attachments=[])).json()
    evidence_id = delivered(api, sent["id"])["evidence"][0]["id"]

    def proven():
        response = api.client.get(f"/v1/evidence/{evidence_id}")
        return response.status_code == 200 and response.json().get("timestamp") and response.json()
    evidence = api.wait(proven, "the record's proof")
    ca = x509.load_pem_x509_certificate(api.daemon.ca.read_bytes())
    record = evidence["record"].encode()
    signed = SignedData(base64.b64decode(evidence["signature"]))
    signed.verify(record, ca, ExtendedKeyUsageOID.EMAIL_PROTECTION)
    token = base64.b64decode(evidence["timestamp"])
    verify_token(token, sha256(signed.signature), ca)
    proof = evidence["proof"]
    _, size, root = read_checkpoint(proof["checkpoint"], (api.daemon.keys / "log.vkey").read_text())
    leaf = b"".join(len(part).to_bytes(4, "big") + part for part in (record, signed.attributes_der, signed.signature))
    hashes = [base64.b64decode(h) for h in proof["hashes"]]
    assert size == proof["tree_size"]
    assert verify_inclusion(leaf_hash(leaf), proof["leaf_index"], size, hashes, root)
    # The same proof does not hold for a changed record.
    changed = record.replace(b"bob@example.test", b"eve@example.test")
    changed_leaf = b"".join(len(p).to_bytes(4, "big") + p for p in (changed, signed.attributes_der, signed.signature))
    assert not verify_inclusion(leaf_hash(changed_leaf), proof["leaf_index"], size, hashes, root)


def test_an_idempotency_key_sends_once(api):
    headers = {"Idempotency-Key": "invoice-2026-0017"}
    first = api.client.post("/v1/messages", json=mail(), headers=headers)
    again = api.client.post("/v1/messages", json=mail(), headers=headers)
    assert first.status_code == again.status_code == 202, again.text
    assert again.headers["idempotent-replayed"] == "true" and first.headers["idempotent-replayed"] == "false"
    assert again.json()["id"] == first.json()["id"]
    delivered(api, first.json()["id"])
    with api.db() as db:
        assert db.execute("SELECT count(*) FROM certified_message").fetchone()[0] == 1
        assert db.execute("SELECT balance FROM account WHERE name = 'acme'").fetchone()[0] == 19
    assert len(api.copies()) == 1

    other = api.client.post("/v1/messages", json=mail(subject="Another contract"), headers=headers)
    details = problem(other, 422)
    assert first.json()["id"] in details["detail"]
    # An operator cannot point a used key at another message: the table refuses updates.
    with sqlite3.connect(api.daemon.spool / "queue.sqlite") as db, pytest.raises(sqlite3.DatabaseError):
        db.execute("UPDATE idempotency_key SET message_id = 'X'")


def test_a_multipart_form_with_a_file(api):
    response = api.client.post(
        "/v1/messages",
        data={"from": SENDER, "to": "bob@example.test, carol@example.test", "subject": "Form upload",
              "text": "See the file."},
        files={"attachment": ("contract.pdf", CONTRACT, "application/pdf")})
    assert response.status_code == 202, response.text
    sent = response.json()
    assert sorted(sent["to"]) == ["bob@example.test", "carol@example.test"] and sent["units"] == 2
    delivered(api, sent["id"])
    copies = api.copies()
    assert len(copies) == 2
    for copy in copies:
        [attachment] = list(copy.iter_attachments())
        assert attachment.get_content_type() == "application/pdf" and attachment.get_content() == CONTRACT


def test_keys_refusals_and_rate_limit(api):
    anonymous = httpx.get(f"http://127.0.0.1:{api.http}/v1/account")
    assert problem(anonymous, 401) and anonymous.headers["www-authenticate"].startswith("Bearer")
    forged = api.key[:-4] + ("AAAA" if not api.key.endswith("AAAA") else "BBBB")
    assert problem(httpx.get(f"http://127.0.0.1:{api.http}/v1/account",
                             headers={"Authorization": f"Bearer {forged}"}), 401)

    problem(api.client.post("/v1/messages", json=mail(**{"from": "not an address"})), 400)
    problem(api.client.post("/v1/messages", json=mail(to=["bob@example.test\r\nBcc: eve@evil.test"])), 400)
    problem(api.client.post("/v1/messages", json=mail(subject="Hi\r\nBcc: eve@evil.test")), 400)
    problem(api.client.post("/v1/messages", content=b"{not json", headers={"Content-Type": "application/json"}), 400)
    cut = api.client.post("/v1/messages", content=b"--zz\r\nbroken",
                          headers={"Content-Type": "multipart/form-data; boundary=zz"})
    assert "multipart/form-data" in problem(cut, 400)["detail"]
    refused = problem(api.client.post("/v1/messages", json=mail(**{"from": "mallory@acme.test"})), 403)
    assert refused["smtp_reply"].startswith("550")
    too_many = problem(api.client.post("/v1/messages", json=mail(to=[f"r{i}@example.test" for i in range(21)])), 402)
    assert "units" in too_many["detail"]
    with api.db() as db:
        assert db.execute("SELECT count(*) FROM certified_message").fetchone()[0] == 0

    # Another account's key does not see acme's mail.
    sent = api.client.post("/v1/messages", json=mail(attachments=[])).json()
    other_key = api.daemon.cli("apikey", "add", "alice").stdout.strip()
    other = httpx.Client(base_url=f"http://127.0.0.1:{api.http}", headers={"Authorization": f"Bearer {other_key}"})
    problem(other.get(f"/v1/messages/{sent['id']}"), 404)
    problem(other.get(f"/v1/messages/{sent['id']}/evidence.pdf"), 404)

    # Revoked: the next call gets 401 at once.
    listed = api.daemon.cli("apikey", "list", "alice").stdout
    assert other_key.split("_")[1] in listed and "active" in listed and other_key.split("_")[2] not in listed
    api.daemon.cli("apikey", "revoke", other_key.split("_")[1])
    assert "revoked" in problem(other.get("/v1/account"), 401)["detail"]
    other.close()

    # A burst beyond the key's limit (12 at once, 2 a second) gets 429 with Retry-After.
    statuses = [api.client.get("/v1/account") for _ in range(30)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert int(limited[0].headers["retry-after"]) >= 1 and problem(limited[0], 429)


def test_https_with_the_tls_keys(fefaent_binary, tmp_path):
    import ssl
    c = Certifier(fefaent_binary, tmp_path)
    c.daemon.config.write_text(c.daemon.config.read_text().replace(
        f'[http]\nlisten = "127.0.0.1:{c.http}"', f'[http]\nlisten = "127.0.0.1:{c.http}"\ntls = true'))
    key = c.daemon.cli("apikey", "add", "acme").stdout.strip()
    c.start()
    try:
        context = ssl.create_default_context(cafile=str(c.daemon.ca))
        context.check_hostname = False  # the certificate names fefaent.test; the test dials 127.0.0.1
        client = httpx.Client(base_url=f"https://127.0.0.1:{c.http}", verify=context,
                              headers={"Authorization": f"Bearer {key}"})
        response = client.post("/v1/messages", json=mail(attachments=[]))
        assert response.status_code == 202, response.text
        sent = response.json()
        delivered(type("C", (), {"client": client, "wait": c.wait})(), sent["id"])
        evidence_id = client.get(f"/v1/messages/{sent['id']}").json()["evidence"][0]["id"]
        record = json.loads(c.wait(lambda: (r := client.get(f"/v1/evidence/{evidence_id}")).status_code == 200
                                   and r.json(), "the record")["record"])
        assert record["senderAuthentication"]["method"] == "api-key"
        assert "TLSv1.3" in json.dumps(record), record
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{c.http}/healthz", timeout=5)
        client.close()
    finally:
        assert c.stop() == 0, c.daemon.log_text()[-3000:]
