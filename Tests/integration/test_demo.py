"""`fefaent demo --keep DIR`, as a new admin runs it: the whole certified mail on loopback, and what it
leaves behind (the CA, every evidence PDF, every notice as .eml) checks with public tools."""
import email
import email.policy
import os
import shutil
import subprocess

import pytest


def test_the_demo_leaves_verifiable_notices_and_evidence(fefaent_binary, tmp_path):
    keep = tmp_path / "demo"
    result = subprocess.run([str(fefaent_binary), "demo", "--keep", str(keep)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Not built yet" in result.stdout
    assert "Aquesta evidència és vàlida" in result.stdout  # the verification page, asked in Catalan
    notices = sorted((keep / "notices").glob("*.eml"))
    kinds = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["X-Fefaent-Notice"] for p in notices]
    assert sorted(kinds) == sorted(["processingNotice"] * 2 + ["deliveryCertificate"] * 3 +
                                   ["nonDeliveryCertificate", "openingAddendum", "receptionAcknowledgement"])
    pdfs = sorted((keep / "evidence").glob("*.pdf"))
    # five certificates, the reception's acknowledgement, the API's PDF and Openum's access certificate
    assert len(pdfs) == 8, pdfs
    assert len(list((keep / "evidence").glob("api-*.pdf"))) == 1
    # The web side: one API call (retried safely) and one Openum access.
    assert "POST /v1/messages -> 202" in result.stdout and "Idempotent-Replayed: true" in result.stdout
    assert "delivered, server reply 250" in result.stdout
    assert "ContentHandover record E" in result.stdout and "Document access certificate" in result.stdout
    # Certified reception: the claim is in the Maildir, behind the fields Fefaent adds.
    (stored,) = list((keep / "maildir" / "new").iterdir())
    claim = email.message_from_bytes(stored.read_bytes(), policy=email.policy.default)
    assert claim["Subject"] == "Claim for the October delivery" and claim["X-Fefaent-Evidence"].startswith("E")
    assert "spf=pass" in claim["Authentication-Results"] and "dmarc=pass" in claim["Authentication-Results"]
    assert (keep / "ca.pem").exists() and (keep / "fefaent.toml").exists() and (keep / "spool").is_dir()
    for pdf in pdfs:
        verified = subprocess.run([str(fefaent_binary), "evidence", "verify", str(pdf), "--ca", str(keep / "ca.pem")],
                                  capture_output=True, text=True)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    if shutil.which("pdfsig") and shutil.which("certutil"):
        nss = tmp_path / "nss"
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "ca", "-t", "CT,C,C", "-i", str(keep / "ca.pem")],
                       check=True)
        report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdfs[0])], capture_output=True, text=True).stdout
        assert "Signature is Valid." in report and "Certificate is Trusted." in report, report
    # A second run refuses to overwrite what the first kept.
    again = subprocess.run([str(fefaent_binary), "demo", "--keep", str(keep)], capture_output=True, text=True,
                           timeout=60)
    assert again.returncode != 0 and "not empty" in again.stderr


def test_the_demo_runs_without_fonts(fefaent_binary, tmp_path):
    # A fresh machine with Swift only has no fonts to draw PDFs with: the demo still runs end to end,
    # the certificates say where the PDF would be, and the demo says what to install.
    env = dict(os.environ, FEFAENT_FONTS="/nonexistent/font.ttf")
    keep = tmp_path / "demo"
    result = subprocess.run([str(fefaent_binary), "demo", "--keep", str(keep)], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "fonts-dejavu-core" in result.stdout
    assert list((keep / "evidence").glob("*.pdf")) == []
    certificates = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                    for p in sorted((keep / "notices").glob("*Certificate.eml"))]
    assert len(certificates) == 4
    for certificate in certificates:
        assert "Evidence PDF not attached" in certificate.get_body(("plain",)).get_content()
