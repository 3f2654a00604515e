"""DKIM: Fefaent's signatures checked by dkimpy, dkimverify and opendkim-testmsg; dkimpy's checked by Fefaent.

Keys come from openssl; the public keys are served as TXT records by a dnsmasq on loopback (or, for the
tools that only read /etc/resolv.conf, by a dnsmasq in a network namespace made by the test).
"""

import base64
import os
import shutil
import subprocess
import time

import pytest

from conftest import free_port

dkim = pytest.importorskip("dkim", reason="dkimpy is installed by .ci/run")

DOMAIN = "example.test"
MESSAGE = (
    b"From: Alice Example <alice@example.test>\r\n"
    b"To: Bob <bob@example.org>, carol@example.net\r\n"
    b"Subject: =?UTF-8?Q?Notificaci=C3=B3_certificada?=\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    b"Message-ID: <dkim-1@example.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Dear Bob,  \r\n"
    b"\r\n"
    b"this  notice\tis signed.\r\n"
    b"\r\n"
    b"\r\n"
)


def public_record(key_path, kind):
    if kind == "rsa":
        der = subprocess.run(["openssl", "rsa", "-in", key_path, "-pubout", "-outform", "DER"],
                             capture_output=True, check=True).stdout
    else:
        der = subprocess.run(["openssl", "pkey", "-in", key_path, "-pubout", "-outform", "DER"],
                             capture_output=True, check=True).stdout[-32:]
    return f"v=DKIM1; k={kind}; p={base64.b64encode(der).decode()}"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dkim-keys")
    rsa, ed = folder / "rsa.pem", folder / "ed.pem"
    subprocess.run(["openssl", "genrsa", "-out", rsa, "2048"], check=True, capture_output=True)
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", ed], check=True, capture_output=True)
    return {
        "rsa": {"path": rsa, "record": public_record(rsa, "rsa")},
        "ed": {"path": ed, "record": public_record(ed, "ed25519")},
    }


def dnsfunc_for(keys):
    records = {f"{selector}._domainkey.{DOMAIN}.".encode(): key["record"].encode() for selector, key in keys.items()}
    return lambda name, timeout=5: records.get(name)


def dnsmasq_arguments(keys, port, address="127.0.0.1"):
    arguments = ["dnsmasq", "--keep-in-foreground", f"--port={port}", f"--listen-address={address}",
                 "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--local=/test/"]
    for selector, key in keys.items():
        record = key["record"]
        chunks = ",".join(record[i:i + 200] for i in range(0, len(record), 200))  # several strings, no quotes
        arguments.append(f"--txt-record={selector}._domainkey.{DOMAIN},{chunks}")
    return arguments


@pytest.fixture(scope="module")
def dns(keys):
    if shutil.which("dnsmasq") is None:
        pytest.skip("dnsmasq is installed by .ci/run")
    port = free_port()
    process = subprocess.Popen(dnsmasq_arguments(keys, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=5)


def fefaent_sign(binary, tmp_path, keys, selector, message=MESSAGE):
    source = tmp_path / "message.eml"
    source.write_bytes(message)
    result = subprocess.run([binary, "message", "dkim-sign", source, "--key", keys[selector]["path"],
                             "--domain", DOMAIN, "--selector", selector], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def fefaent_verify(binary, tmp_path, signed, nameserver):
    path = tmp_path / "signed.eml"
    path.write_bytes(signed)
    return subprocess.run([binary, "message", "dkim-verify", path, "--nameserver", nameserver],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("selector", ["rsa", "ed"])
def test_fefaent_signature_verifies_with_dkimpy(fefaent_binary, tmp_path, keys, selector):
    signed = fefaent_sign(fefaent_binary, tmp_path, keys, selector)
    algorithm = b"rsa-sha256" if selector == "rsa" else b"ed25519-sha256"
    assert signed.startswith(b"DKIM-Signature: v=1; a=" + algorithm)
    assert signed.endswith(MESSAGE)
    assert dkim.verify(signed, dnsfunc=dnsfunc_for(keys))
    # A changed body and a changed signed header both fail.
    assert not dkim.verify(signed.replace(b"is signed.", b"is signed!"), dnsfunc=dnsfunc_for(keys))
    assert not dkim.verify(signed.replace(b"Notificaci=C3=B3", b"Notificacio"), dnsfunc=dnsfunc_for(keys))


@pytest.mark.parametrize("selector,canonicalize", [
    ("rsa", (b"relaxed", b"relaxed")), ("rsa", (b"simple", b"simple")), ("rsa", (b"relaxed", b"simple")),
    ("ed", (b"relaxed", b"relaxed")),
])
def test_dkimpy_signature_verifies_in_fefaent(fefaent_binary, tmp_path, keys, dns, selector, canonicalize):
    private_key = keys[selector]["path"].read_bytes()
    algorithm = b"rsa-sha256" if selector == "rsa" else b"ed25519-sha256"
    if selector == "ed":
        # dkimpy wants the raw 32-byte Ed25519 seed, base64-encoded.
        der = subprocess.run(["openssl", "pkey", "-in", keys[selector]["path"], "-outform", "DER"],
                             capture_output=True, check=True).stdout
        private_key = base64.b64encode(der[-32:])
    signature = dkim.sign(MESSAGE, selector.encode(), DOMAIN.encode(), private_key, canonicalize=canonicalize,
                          signature_algorithm=algorithm)
    signed = signature + MESSAGE
    result = fefaent_verify(fefaent_binary, tmp_path, signed, dns)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"dkim=pass (d={DOMAIN} s={selector})" in result.stdout

    tampered = fefaent_verify(fefaent_binary, tmp_path, signed.replace(b"this  notice", b"that notice"), dns)
    assert tampered.returncode == 1
    assert "dkim=fail (d=example.test): body hash does not match" in tampered.stdout


def test_unknown_selector_is_a_permerror(fefaent_binary, tmp_path, keys, dns):
    signature = dkim.sign(MESSAGE, b"gone", DOMAIN.encode(), keys["rsa"]["path"].read_bytes())
    result = fefaent_verify(fefaent_binary, tmp_path, signature + MESSAGE, dns)
    assert result.returncode == 1
    assert "dkim=permerror: no key record at gone._domainkey.example.test" in result.stdout


def namespace_available():
    return (os.geteuid() == 0 and shutil.which("unshare") and shutil.which("dnsmasq")
            and subprocess.run(["unshare", "--mount", "--net", "true"], capture_output=True).returncode == 0)


@pytest.mark.skipif(not namespace_available(), reason="needs root, unshare and dnsmasq (as on CI)")
@pytest.mark.parametrize("selector", ["rsa", "ed"])
def test_fefaent_signature_verifies_with_dkimverify_and_opendkim(fefaent_binary, tmp_path, keys, selector):
    # Debian's python3-dkim command (pip's dkimpy installs another one earlier on PATH).
    dkimverify = "/usr/bin/dkimverify" if os.path.exists("/usr/bin/dkimverify") else shutil.which("dkimverify")
    if dkimverify is None or shutil.which("opendkim-testmsg") is None:
        pytest.skip("python3-dkim and opendkim-tools are installed by .ci/run")
    signed = tmp_path / "signed.eml"
    signed.write_bytes(fefaent_sign(fefaent_binary, tmp_path, keys, selector))
    tampered = tmp_path / "tampered.eml"
    tampered.write_bytes(signed.read_bytes().replace(b"is signed.", b"is signed!"))
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\n")
    dnsmasq = " ".join(f"'{argument}'" for argument in dnsmasq_arguments(keys, 53))
    # A network namespace of our own: loopback only, our dnsmasq on port 53, our resolv.conf.
    script = f"""
DKIMVERIFY={dkimverify}
ip link set lo up
mount --bind {resolv} /etc/resolv.conf
{dnsmasq} >/dev/null 2>&1 &
DNSMASQ=$!
sleep 0.5
for file in {signed} {tampered}; do
  echo "== dkimverify $file"; $DKIMVERIFY < "$file" 2>&1; echo "rc=$?"
  echo "== opendkim $file"; opendkim-testmsg < "$file" 2>&1; echo "rc=$?"
done
kill $DNSMASQ
"""
    output = subprocess.run(["unshare", "--mount", "--net", "sh", "-c", script], capture_output=True, text=True,
                            timeout=60).stdout
    good, bad = output.split(f"== dkimverify {tampered}")
    assert "signature ok" in good, output
    assert "opendkim" in good and good.split("== opendkim")[1].strip().splitlines()[1:] == ["rc=0"], output
    # The tampered copy: dkimverify reports the body hash mismatch, opendkim a bad signature.
    dkimverify_bad, opendkim_bad = bad.split("== opendkim")
    assert "body hash mismatch" in dkimverify_bad and "rc=1" in dkimverify_bad, output
    assert "Bad signature" in opendkim_bad and "rc=0" not in opendkim_bad, output
