"""`fefaent message inspect` and `inject-pixel` over the mail-gem corpus, checked against Python's email package."""

import email
import email.policy
import hashlib
import json
import pathlib
import quopri
import subprocess

import pytest

from mail_reference import describe, walk

CORPUS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "corpus" / "mail-gem"
MESSAGES = sorted(CORPUS.rglob("*.eml"))
PIXEL_URL = "https://certifier.example/p/AbC123.png"


def inspect(binary, path):
    result = subprocess.run([binary, "message", "inspect", str(path)], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def fefaent_leaves(report):
    """Leaf parts as (type, size, sha256); delivery-status blocks are one leaf for us, several for Python."""
    return [
        (part["contentType"], part["size"], part["sha256"])
        for part in report["parts"]
        if not part["isContainer"] and part["contentType"] != "message/delivery-status"
    ]


def python_leaves(raw):
    return [(p["contentType"], p["size"], p["sha256"]) for p in describe(raw)["parts"]]


# Where Fefaent reads a message better than Python's email package, and what it must find instead.
KNOWN_DIVERGENCES = {
    # RFC 5322 §4.5 obs-optional: "From  :" (spaces before the colon) is a header field. Python's email
    # takes the whole message as body; Fefaent reads the obsolete header.
    "rfc2822/example13.eml": {"from": ["jdoe@machine.example"]},
}


def test_corpus_is_there():
    assert len(MESSAGES) >= 100


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_parts_and_hashes_match_python_email(fefaent_binary, path):
    raw = path.read_bytes()
    report = inspect(fefaent_binary, path)
    divergence = KNOWN_DIVERGENCES.get(str(path.relative_to(CORPUS)))
    if divergence:
        assert [a["address"] for a in report["from"]] == divergence["from"]
        return
    assert fefaent_leaves(report) == python_leaves(raw)


def decoded_parts(raw):
    """(type, decoded bytes, inside an attached message) of every leaf. Decoding takes the
    Content-Transfer-Encoding token before any ';' ("quoted-printable;" is quoted-printable to every mail
    client, though not to Python's email package)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = []

    def visit(part, attached):
        if part.get_content_type() != "message/delivery-status" and part.is_multipart():
            for child in part.get_payload():
                visit(child, attached or part.get_content_maintype() == "message")
            return
        written = str(part.get("content-transfer-encoding", "")).strip().lower()
        body = part.get_payload(decode=True) or b""
        if written != "quoted-printable" and written.split(";")[0].strip() == "quoted-printable":
            body = quopri.decodestring(body)  # Python returned it undecoded
        parts.append((part.get_content_type(), body, attached))

    visit(message, False)
    return parts


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_pixel_injection_changes_only_the_html(fefaent_binary, path):
    raw = path.read_bytes()
    if str(path.relative_to(CORPUS)) in KNOWN_DIVERGENCES:
        pytest.skip("Python's email package reads this message differently (see KNOWN_DIVERGENCES)")
    result = subprocess.run([fefaent_binary, "message", "inject-pixel", str(path), "--url", PIXEL_URL],
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    rewritten = result.stdout
    before, after = decoded_parts(raw), decoded_parts(rewritten)
    pixel = b'<img src="' + PIXEL_URL.encode() + b'"'

    # Attachments and every non-HTML body are unchanged, byte for byte once decoded.
    def others(parts):
        return [(kind, hashlib.sha256(body).hexdigest()) for kind, body, attached in parts
                if kind != "text/html" or attached]

    assert others(after) == others(before)

    html_before = [body for kind, body, attached in before if kind == "text/html" and not attached]
    html_after = [body for kind, body, attached in after if kind == "text/html" and not attached]
    if html_before:
        # Each HTML body gained the pixel and nothing else.
        assert len(html_after) == len(html_before)
        for old, new in zip(html_before, html_after):
            assert new.count(pixel) == old.count(pixel) + 1
            start = new.index(pixel)
            end = new.index(b">", start) + 1
            assert new[:start] + new[end:] == old
    elif b"warning: no text part" not in result.stderr:
        # A generated HTML alternative carries the pixel.
        assert len(html_after) == 1 and pixel in html_after[0]
        assert b"multipart/alternative" in rewritten

    # Python finds no defect the original did not have.
    assert set(describe(rewritten)["defects"]) <= set(describe(raw)["defects"])
    # No line the rewrite wrote is over 998 characters.
    old_lines = set(raw.splitlines())
    assert all(len(line) <= 998 for line in rewritten.splitlines() if line not in old_lines)


# File names Python's email package gets wrong (unquoted names with spaces or encoded words), and what
# mail clients show. The two "Quien" names say iso-2022-jp but hold the byte 0x8A, invalid there:
# Python puts U+FFFD in its place, Fefaent keeps the byte (as U+008A), so nothing is lost.
BETTER_FILE_NAMES = {
    "attachment_emails/attachment_with_base64_encoded_name.eml": ["This is a test.pdf"],
    "attachment_emails/attachment_with_unquoted_name.eml": ["This is a test.txt"],
    "mime_emails/raw_email_with_binary_encoded.eml": ["2013-08-13_19-08-28-1.jpg"],
    "attachment_emails/attachment_with_encoded_name.eml": ["01 Quien Te Dij\u008aat. Pitbull.mp3"],
    "plain_emails/raw_email8.eml": ["01 Quien Te Dij\u008aat. Pitbull.mp3"],
}


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_file_names_are_decoded(fefaent_binary, path):
    name = str(path.relative_to(CORPUS))
    if name in KNOWN_DIVERGENCES:
        pytest.skip("read differently, see KNOWN_DIVERGENCES")
    ours = [part["fileName"] for part in inspect(fefaent_binary, path)["parts"] if part.get("fileName")]
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    expected = BETTER_FILE_NAMES.get(name) or [part.get_filename() for part in message.walk() if part.get_filename()]
    assert ours == expected


def test_inspect_prints_addresses_subject_and_parts(fefaent_binary):
    report = inspect(fefaent_binary, CORPUS / "multi_charset" / "japanese_attachment_long_name.eml")
    assert report["subject"] is not None
    leaf = [part for part in report["parts"] if not part["isContainer"]][-1]
    assert leaf["fileName"] == "かきくけこかきくけこかきくけこかきくけこかきくけこ.txt"
    assert set(leaf) >= {"contentType", "transferEncoding", "size", "sha256"}
    report = inspect(fefaent_binary, CORPUS / "multi_charset" / "japanese.eml")
    assert report["subject"] == "まみむめも"
    assert [part.get("charset") for part in report["parts"]] == ["utf-8"]
    assert all("address" in address for address in report["from"] + report["to"])


def test_a_file_that_is_not_mail_is_refused(fefaent_binary, tmp_path):
    junk = tmp_path / "picture.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    for command in (["inspect"], ["inject-pixel", "--url", PIXEL_URL]):
        result = subprocess.run([fefaent_binary, "message", *command, junk], capture_output=True, text=True,
                                timeout=30)
        assert result.returncode == 1
        assert "is not a mail message" in result.stderr
        assert result.stdout == ""
    missing = subprocess.run([fefaent_binary, "message", "inspect", tmp_path / "nope.eml"], capture_output=True,
                             text=True, timeout=30)
    assert missing.returncode == 1 and "cannot open" in missing.stderr


def test_a_uuencoded_attachment_is_hashed_by_its_content(fefaent_binary, tmp_path):
    """An old mail client's x-uuencode attachment: the part's digest is of the file, as Python's
    own uu decoder reads it, not of its encoding."""
    import binascii
    import hashlib
    import json
    import os
    content = os.urandom(1000)
    lines = [binascii.b2a_uu(content[i:i + 45]).rstrip(b"\n") for i in range(0, len(content), 45)]
    body = b"begin 644 report.bin\r\n" + b"\r\n".join(lines) + b"\r\n`\r\nend\r\n"
    message = (b"From: a@example.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
               b"--b\r\nContent-Type: text/plain\r\n\r\nattached\r\n--b\r\n"
               b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"report.bin\"\r\n"
               b"Content-Transfer-Encoding: x-uuencode\r\n\r\n" + body + b"--b--\r\n")
    path = tmp_path / "uu.eml"
    path.write_bytes(message)
    inspected = json.loads(subprocess.run([str(fefaent_binary), "message", "inspect", str(path)], check=True,
                                          capture_output=True, text=True).stdout)
    [part] = [p for p in inspected["parts"] if p.get("fileName") == "report.bin"]
    assert part["sha256"] == hashlib.sha256(content).hexdigest() and part["size"] == len(content)
