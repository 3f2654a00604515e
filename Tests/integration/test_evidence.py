"""Evidence, checked by outside verifiers: the daemon's records exported and verified with `openssl cms`
and `openssl ts`, tampering caught by `fefaent evidence verify` and `audit`, and an external TSA
(a loopback HTTP wrapper around `openssl ts -reply`), down at first and then up.
"""

import functools
import http.server
import json
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import free_port
import sink
from test_delivery import start_daemon, submit, wait_for

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")

EVIDENCE = """
[evidence]
certificate = "keys/signing.pem"
key = "keys/signing.key"
ca = "keys/ca.pem"
log_key = "keys/log.key"
checkpoint_interval_ms = 100
"""
BUILT_IN_TSA = 'tsa_certificate = "keys/tsa.pem"\ntsa_key = "keys/tsa.key"\n'


def openssl(*arguments):
    result = subprocess.run(["openssl", *arguments], capture_output=True, text=True, timeout=30)
    return result.stdout + result.stderr


def records_of_kind(folder, kind):
    """The exported records of one kind, as JSON."""
    found = []
    for path in sorted((Path(folder) / "records").glob("*.json")):
        if path.name.endswith(".proof.json"):
            continue
        record = json.loads(path.read_bytes())
        if record["kind"] == kind:
            found.append(record)
    return found


def wait_for_evidence(daemon, queue_id, count, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        listing = daemon.cli("evidence", "list", "--queue", queue_id, check=False).stdout
        rows = [line for line in listing.splitlines()[1:] if line.strip()]
        if len(rows) >= count and all(row.rstrip().endswith("yes") for row in rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"evidence for {queue_id} incomplete:\n{listing}\n{daemon.log_text()[-2000:]}")


def delivered_mail(fefaent_binary, tmp_path, tsa_config=BUILT_IN_TSA):
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = start_daemon_with(fefaent_binary, tmp_path / "fefaent", receiver, tsa_config)
    queue_id = submit(daemon, "bob@example.test")
    wait_for(daemon, queue_id, lambda row, rs: all(r["state"] == "delivered" for r in rs))
    return daemon, receiver, queue_id


def start_daemon_with(fefaent_binary, folder, receiver, tsa_config):
    from conftest import Daemon
    daemon = Daemon(fefaent_binary, folder, extra_config=f"""
[delivery]
poll_interval_ms = 100

[delivery.routes]
"*" = "127.0.0.1:{receiver.port}"
{EVIDENCE}{tsa_config}""")
    return daemon.start_with_account()


def test_records_verify_with_openssl_and_fefaent(fefaent_binary, tmp_path):
    daemon, receiver, queue_id = delivered_mail(fefaent_binary, tmp_path)
    try:
        rows = wait_for_evidence(daemon, queue_id, 2)
        assert "SubmissionAcceptance" in rows[0] and "RelayToNonERDS" in rows[1]
        out = tmp_path / "export"
        daemon.cli("evidence", "export", queue_id, "--out", str(out))
        ca = daemon.ca
        for record in sorted((out / "records").glob("*.json")):
            if record.name.endswith(".proof.json"):
                continue
            base = record.with_suffix("")
            assert "CMS Verification successful" in openssl(
                "cms", "-verify", "-binary", "-inform", "DER", "-in", f"{base}.p7s", "-content", str(record),
                "-CAfile", str(ca), "-purpose", "any", "-out", "/dev/null")
            assert "Verification: OK" in openssl("ts", "-verify", "-token_in", "-in", f"{base}.tsr",
                                                 "-data", f"{base}.sig", "-CAfile", str(ca))
        assert "Verification: OK" in openssl("ts", "-verify", "-token_in", "-in", str(out / "checkpoint.tsr"),
                                             "-data", str(out / "checkpoint.txt"), "-CAfile", str(ca))
        # The message itself is in the export, and the records certify its hash.
        assert (out / "message.eml").read_bytes().startswith(b"From: alice@acme.test")
        verify = daemon.cli("evidence", "verify", str(out), "--ca", str(ca), config=False)
        assert verify.stdout.rstrip().endswith("VERIFIED") and "NOT VERIFIED" not in verify.stdout
        assert "is the message the records certify" in verify.stdout
        assert "inclusion proof" in verify.stdout and "time-stamped" in verify.stdout
        relay = records_of_kind(out, "RelayToNonERDS")[0]
        assert relay["event"]["remoteIp"] == "127.0.0.1" and relay["event"]["reply"].startswith("250 ")
        accepted = records_of_kind(out, "SubmissionAcceptance")[0]
        # Every record after the acceptance carries the submission time.
        assert relay["submissionTimeMs"] == accepted["timeMs"] <= relay["timeMs"]
    finally:
        daemon.stop()
        receiver.stop()


def test_tampering_is_detected(fefaent_binary, tmp_path):
    daemon, receiver, queue_id = delivered_mail(fefaent_binary, tmp_path)
    try:
        wait_for_evidence(daemon, queue_id, 2)
        kept = tmp_path / "kept-checkpoint.txt"
        kept.write_text(daemon.cli("evidence", "checkpoint").stdout)
        assert daemon.cli("evidence", "audit", "--checkpoint", str(kept)).stdout.rstrip().splitlines()[-2] == "VERIFIED"

        out = tmp_path / "export"
        daemon.cli("evidence", "export", queue_id, "--out", str(out))
        # A changed byte in a record: openssl and fefaent both refuse it.
        record = next(path for path in (out / "records").glob("*.json")
                      if not path.name.endswith(".proof.json") and b'"RelayToNonERDS"' in path.read_bytes())
        original = record.read_bytes()
        record.write_bytes(original.replace(b"250 ", b"251 ", 1))
        assert "Verification failure" in openssl(
            "cms", "-verify", "-binary", "-inform", "DER", "-in", str(record.with_suffix(".p7s")), "-content",
            str(record), "-CAfile", str(daemon.ca), "-purpose", "any", "-out", "/dev/null")
        verify = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False, check=False)
        assert verify.returncode == 1
        assert "the content does not match the signed digest" in verify.stdout
        assert "inclusion proof fails" in verify.stdout
        record.write_bytes(original)
        # A changed message.eml.
        message = out / "message.eml"
        message.write_bytes(message.read_bytes() + b"forged\r\n")
        verify = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False, check=False)
        assert verify.returncode == 1 and "the message was changed" in verify.stdout
    finally:
        daemon.stop()
        receiver.stop()

    database = daemon.folder / "spool" / "evidence.sqlite"
    with sqlite3.connect(database) as db:
        # The database refuses changes...
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM record")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE record SET body = x'00'")
        # ...until someone drops the triggers and rewrites a record after the checkpoint was handed out.
        db.execute("DROP TRIGGER record_no_update")
        db.execute("UPDATE record SET body = CAST(REPLACE(CAST(body AS TEXT), '250 ', '550 ') AS BLOB) "
                   "WHERE kind = 'RelayToNonERDS'")
    audit = daemon.cli("evidence", "audit", "--checkpoint", str(kept), check=False)
    assert audit.returncode == 1
    assert "was changed after it was logged" in audit.stdout
    assert "kept checkpoint 1: the log is not an extension of it" in audit.stdout
    assert "the log was rewritten" in audit.stdout

    with sqlite3.connect(database) as db:
        db.execute("DROP TRIGGER record_no_delete")
        db.execute("DROP TRIGGER record_timestamp_no_delete")
        db.execute("DELETE FROM record_timestamp")
        db.execute("DELETE FROM record WHERE leaf_index = 0")
    audit = daemon.cli("evidence", "audit", check=False)
    assert audit.returncode == 1 and "missing from the log: deleted" in audit.stdout


TSA_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
signer_cert = {keys}/tsa.pem
certs = {keys}/tsa.pem
signer_key = {keys}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class QuietFileHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder (the CA's CRL) without logging each request."""

    def log_message(self, *arguments):
        pass


class OpenSSLTSAHandler(http.server.BaseHTTPRequestHandler):
    """RFC 3161 over HTTP: the query goes through `openssl ts -reply`."""
    config = None
    requests = 0

    def do_POST(self):
        query = self.rfile.read(int(self.headers["Content-Length"]))
        folder = Path(self.config).parent
        (folder / "query.tsq").write_bytes(query)
        subprocess.run(["openssl", "ts", "-reply", "-config", self.config, "-queryfile", str(folder / "query.tsq"),
                        "-out", str(folder / "reply.tsr")], check=True, capture_output=True)
        reply = (folder / "reply.tsr").read_bytes()
        type(self).requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *arguments):
        pass


def test_an_external_tsa_that_is_down_defers_the_stamps(fefaent_binary, tmp_path):
    port = free_port()
    tsa_config = f'tsa_url = "http://127.0.0.1:{port}/"\n'
    daemon, receiver, queue_id = delivered_mail(fefaent_binary, tmp_path, tsa_config)
    try:
        # The TSA is down: the records are written and logged, not stamped; mail flowed anyway.
        time.sleep(1.5)
        listing = daemon.cli("evidence", "list", "--queue", queue_id).stdout
        assert listing.count("not yet") == 2, listing
        assert "time-stamping deferred" in daemon.log_text()
    finally:
        daemon.stop()

    folder = tmp_path / "tsa"
    folder.mkdir()
    (folder / "serial").write_text("01\n")
    config = folder / "tsa.cnf"
    config.write_text(TSA_CONFIG.format(dir=folder, keys=daemon.keys))
    OpenSSLTSAHandler.config = str(config)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), OpenSSLTSAHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        daemon.start()
        rows = wait_for_evidence(daemon, queue_id, 2)
        assert len(rows) == 2
        assert OpenSSLTSAHandler.requests >= 3  # two records and a checkpoint
        out = tmp_path / "export"
        daemon.cli("evidence", "export", queue_id, "--out", str(out))
        token = next((out / "records").glob("*.tsr"))
        text = openssl("ts", "-reply", "-token_in", "-in", str(token), "-text", "-token_out")
        # Stamped by openssl's TSA (its policy, and the nonce Fefaent sent), not by the built-in one.
        assert "Policy OID: tsa_policy1" in text and "Nonce: 0x" in text
        verify = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False)
        assert verify.stdout.rstrip().endswith("VERIFIED")
    finally:
        daemon.stop()
        receiver.stop()
        server.shutdown()


def submit_subject(daemon, subject):
    import smtplib
    import ssl
    from email.header import Header
    from conftest import PASSWORD
    encoded = Header(subject, "utf-8").encode(linesep="\r\n")
    body = (f"From: alice@acme.test\r\nTo: bob@example.test\r\nSubject: {encoded}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Benvolgut Bob, us notifiquem la rescissió del contracte.\r\n契約の解除を通知します。\r\n").encode()
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(daemon.ca)))
        client.login("alice", PASSWORD)
        client.mail("alice@acme.test")
        client.rcpt("bob@example.test")
        code, reply = client.data(body)
        assert code == 250
        return reply.decode().split()[-1]


@pytest.mark.skipif(shutil.which("pdfsig") is None or shutil.which("pyhanko") is None or shutil.which("certutil") is None,
                    reason="poppler-utils, libnss3-tools and pyhanko are installed by .ci/run")
def test_the_evidence_pdf_is_signed_searchable_and_carries_the_message(fefaent_binary, tmp_path):
    # The development CA publishes its CRL over loopback HTTP, where every certificate says it is.
    crl_port = free_port()
    keys = tmp_path / "fefaent" / "keys"
    subprocess.run([str(fefaent_binary), "keys", "init", "--dir", str(keys), "--hostname", "fefaent.test",
                    "--crl-url", f"http://127.0.0.1:{crl_port}/ca.crl"], check=True, capture_output=True)
    crl_server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", crl_port), functools.partial(QuietFileHandler, directory=str(keys)))
    threading.Thread(target=crl_server.serve_forever, daemon=True).start()
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = start_daemon_with(fefaent_binary, tmp_path / "fefaent", receiver,
                               BUILT_IN_TSA + 'pdf_certificate = "keys/pdf-signing.pem"\npdf_key = "keys/pdf-signing.key"\n'
                               'crls = ["keys/ca.crl"]\n')
    try:
        subject = "Notificació de rescissió — 契約解除のお知らせ"
        queue_id = submit_subject(daemon, subject)
        wait_for_evidence(daemon, queue_id, 2)
        pdf = tmp_path / "evidence.pdf"
        daemon.cli("evidence", "pdf", queue_id, "--out", str(pdf))

        nss = tmp_path / "nss"
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "fefaent-ca", "-t", "CT,C,C", "-i", str(daemon.ca)],
                       check=True)
        report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True).stdout
        assert "Signature is Valid." in report and "Certificate is Trusted." in report, report
        # PAdES B-LT: a revision after the signature adds the document security store (chain and CRL).
        assert "Not total document signed" in report
        assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES, not the legacy adbe.pkcs7.detached
        validate = subprocess.run(["pyhanko", "sign", "validate", "--trust", str(daemon.ca), "--trust-replace",
                                   "--no-revocation-check", str(pdf)], capture_output=True, text=True)
        assert validate.returncode == 0, validate.stdout + validate.stderr
        assert "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>" in validate.stdout
        assert "EXTENDED_WITH_LTA_UPDATES" in validate.stdout  # pyHanko sees the DSS revision as an LTV update
        # With revocation required: every certificate names its CRL, and the CA publishes it.
        forced = subprocess.run(["pyhanko", "sign", "validate", "--force-revinfo", "--trust", str(daemon.ca),
                                 "--trust-replace", str(pdf)], capture_output=True, text=True)
        assert forced.returncode == 0, forced.stdout + forced.stderr
        assert "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>" in forced.stdout
        # PDF/A-3b's parts, read by pikepdf (qpdf) and Pillow's LittleCMS (no PDF/A validator is packaged
        # for this machine): XMP claiming 3B and repeating the document information, an sRGB output
        # intent with a valid ICC profile, every embedded file with a MIME subtype and a relationship.
        import io
        import pikepdf
        from PIL import ImageCms
        with pikepdf.open(pdf) as document:
            metadata = document.open_metadata()
            assert metadata.pdfa_status == "3B"
            assert metadata.get("dc:title") == str(document.docinfo["/Title"])
            assert "D:" + metadata.get("xmp:CreateDate").replace("-", "").replace(":", "").replace("T", "") \
                == str(document.docinfo["/CreationDate"])
            intent = document.Root.OutputIntents[0]
            assert intent.S == "/GTS_PDFA1"
            profile = ImageCms.ImageCmsProfile(io.BytesIO(intent.DestOutputProfile.read_bytes()))
            assert profile.profile.xcolor_space.strip() == "RGB" and profile.profile.device_class == "mntr"
            for spec in document.Root.AF:
                assert spec.AFRelationship == "/Source" and "/Subtype" in spec.EF.F
        # The fonts are subsets (a few hundred glyphs of DejaVu and Droid Sans Fallback): well under 1 MB.
        assert pdf.stat().st_size < 1_000_000, pdf.stat().st_size
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout.splitlines()[2:]
        assert len(fonts) == 2 and all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts), fonts
        rendered = subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
                                  capture_output=True, text=True)
        assert rendered.returncode == 0 and rendered.stderr == "", rendered.stderr
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Notificació de rescissió" in text and "契約解除のお知らせ" in text, text[:2000]
        assert "RelayToNonERDS" in text and "250 2.0.0" in text
        attached = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True).stdout
        assert "message.eml" in attached and "manifest.p7s" in attached and ".p7s" in attached
        assert ".proof.json" in attached and "checkpoint.txt" in attached and "checkpoint.tsr" in attached
        check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout
        ours = daemon.cli("evidence", "verify", str(pdf), "--ca", str(daemon.ca), config=False)
        assert ours.stdout.rstrip().endswith("VERIFIED") and "time-stamped" in ours.stdout
        assert "PAdES baseline B-T" in ours.stdout
        assert "PAdES B-LT: a later revision adds only the document security store" in ours.stdout
        assert "PAdES B-LTA: a document time-stamp of" in ours.stdout
        # Offline, long-term: pyHanko's AdES validation reads the CRLs from the security store.
        crl_server.shutdown()
        ades = subprocess.run(["pyhanko", "sign", "adesverify", "--trust", str(daemon.ca), "--trust-replace",
                               str(pdf)], capture_output=True, text=True)
        assert ades.returncode == 0 and "INTACT:TRUSTED" in ades.stdout, ades.stdout + ades.stderr
        # Anything appended after the document time-stamp is refused.
        appended = tmp_path / "appended.pdf"
        appended.write_bytes(pdf.read_bytes() + b"% more\n")
        ours = daemon.cli("evidence", "verify", str(appended), "--ca", str(daemon.ca), config=False, check=False)
        assert ours.returncode == 1 and "bytes were added after it" in ours.stdout
        # A CRL in the security store that the CA did not sign.
        data = bytearray(pdf.read_bytes())
        store = data[data.rindex(b"/Type /DSS"):]
        crl_object = store[store.index(b"/CRLs [") + 7:].split(b" ")[0]
        crl_stream = data.index(b"stream\n", data.index(b"\n" + crl_object + b" 0 obj\n<< /Length ")) + 7
        data[crl_stream + 60] ^= 0x01  # inside the signed TBSCertList
        forged = tmp_path / "forged-dss.pdf"
        forged.write_bytes(bytes(data))
        ours = daemon.cli("evidence", "verify", str(forged), "--ca", str(daemon.ca), config=False, check=False)
        assert ours.returncode == 1 and "CRL" in ours.stdout, ours.stdout

        # One changed byte: every verifier refuses it.
        data = bytearray(pdf.read_bytes())
        position = data.index(b"BT /F0")
        data[position + 3] = ord("G") if data[position + 3] != ord("G") else ord("H")
        bad = tmp_path / "tampered.pdf"
        bad.write_bytes(bytes(data))
        report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(bad)], capture_output=True, text=True).stdout
        assert "Digest Mismatch." in report, report
        assert subprocess.run(["pyhanko", "sign", "validate", "--trust", str(daemon.ca), "--trust-replace",
                               "--no-revocation-check", str(bad)], capture_output=True).returncode != 0
        ours = daemon.cli("evidence", "verify", str(bad), "--ca", str(daemon.ca), config=False, check=False)
        assert ours.returncode == 1 and "the signed data was changed" in ours.stdout
    finally:
        daemon.stop()
        receiver.stop()
        crl_server.server_close()
