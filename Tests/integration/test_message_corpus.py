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
