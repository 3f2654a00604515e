"""An evidence verifier that shares no code with Fefaent: asn1crypto reads the CMS and RFC 3161
structures, `cryptography` checks the ECDSA/RSA signatures and the certificate chain, pynacl the
Ed25519 checkpoint signature, and the Merkle proofs follow RFC 9162 §2.1 as written.

It checks an exported folder (`fefaent evidence export`) and returns a list of problems (empty when
everything holds). Usable on its own: `python3 independent_verifier.py FOLDER CA.pem`.
"""

import base64
import hashlib
import json
import sys
from pathlib import Path

import nacl.exceptions
import nacl.signing
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# RFC 9162 §2.1.1: leaves and nodes.
def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list, root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old_size == new_size:
        return old_root == new_root and not proof
    if old_size == 0 or old_size > new_size:
        return False
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        proof = [old_root] + list(proof)
    if not proof:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def read_checkpoint(note: str, verifier_key: str):
    """A C2SP signed note: origin, size, root; Ed25519 signature by the verifier key."""
    name, key_id_hex, key_b64 = verifier_key.strip().split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 1, "not an Ed25519 verifier key"
    key = nacl.signing.VerifyKey(raw[1:])
    assert sha256(name.encode() + b"\n\x01" + raw[1:])[:4].hex() == key_id_hex, "key id does not match the key"
    body, signatures = note.split("\n\n", 1)
    body += "\n"
    origin, size, root = body.splitlines()[:3]
    for line in signatures.splitlines():
        if not line.startswith(f"\u2014 {origin} "):
            continue
        blob = base64.b64decode(line.split(" ", 2)[2])
        if blob[:4].hex() != key_id_hex:
            continue
        try:
            key.verify(body.encode(), blob[4:])
            return origin, int(size), base64.b64decode(root)
        except nacl.exceptions.BadSignatureError:
            pass
    raise ValueError("no valid signature by the log key")


class SignedData:
    """A detached CMS SignedData with one signer, as asn1crypto reads it."""

    def __init__(self, der: bytes):
        content = cms.ContentInfo.load(der)
        assert content["content_type"].native == "signed_data", "not a CMS SignedData"
        self.signed_data = content["content"]
        self.signer = self.signed_data["signer_infos"][0]
        attributes = self.signer["signed_attrs"]
        self.attributes_der = b"\x31" + attributes.dump()[1:]  # RFC 5652 §5.4: signed as a SET OF
        self.attributes = {a["type"].native: a["values"][0] for a in attributes}
        self.signature = self.signer["signature"].native
        self.certificates = [x509.load_der_x509_certificate(c.chosen.dump())
                             for c in self.signed_data["certificates"]]
        unsigned = self.signer["unsigned_attrs"]
        self.unsigned = {a["type"].native: a["values"][0] for a in unsigned} if unsigned.native else {}

    def signer_certificate(self) -> x509.Certificate:
        serial = self.signer["sid"].chosen["serial_number"].native
        return next(c for c in self.certificates if c.serial_number == serial)

    def verify(self, content: bytes, ca: x509.Certificate, usage) -> x509.Certificate:
        """Checks the digest, the signature and the chain to `ca` with the extended key usage."""
        assert self.attributes["message_digest"].native == sha256(content), "content does not match its digest"
        certificate = self.signer_certificate()
        key = certificate.public_key()
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(self.signature, self.attributes_der, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(self.signature, self.attributes_der, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise ValueError("unexpected key type")
        certificate.verify_directly_issued_by(ca)
        eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert usage in eku, f"signer lacks the extended key usage {usage._name}"
        return certificate

    def signing_time(self):
        return self.attributes["signing_time"].native


def verify_token(token_der: bytes, imprint: bytes, ca: x509.Certificate):
    """An RFC 3161 TimeStampToken over `imprint` (SHA-256), by a TSA the CA issued; returns genTime."""
    token = SignedData(token_der)
    info_bytes = token.signed_data["encap_content_info"]["content"].contents
    token.verify(info_bytes, ca, ExtendedKeyUsageOID.TIME_STAMPING)
    info = tsp.TSTInfo.load(info_bytes)
    assert info["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert info["message_imprint"]["hashed_message"].native == imprint, "the token is over something else"
    return info["gen_time"].native


def canonical(obj) -> bytes:
    """RFC 8785 for what records hold (strings, integers, booleans, null, arrays, objects)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify_folder(folder, ca_path) -> list:
    folder, problems = Path(folder), []
    ca = x509.load_pem_x509_certificate(Path(ca_path).read_bytes())
    note = (folder / "checkpoint.txt").read_text()
    try:
        _, size, root = read_checkpoint(note, (folder / "log.vkey").read_text())
    except Exception as error:  # noqa: BLE001 - every failure is a finding
        return [f"checkpoint: {error}"]
    try:
        verify_token((folder / "checkpoint.tsr").read_bytes(), sha256(note.encode()), ca)
    except Exception as error:  # noqa: BLE001
        problems.append(f"checkpoint token: {error}")

    manifest_bytes = (folder / "manifest.json").read_bytes()
    try:
        SignedData((folder / "manifest.p7s").read_bytes()).verify(manifest_bytes, ca,
                                                                  ExtendedKeyUsageOID.EMAIL_PROTECTION)
    except Exception as error:  # noqa: BLE001
        problems.append(f"manifest signature: {error}")
    manifest = json.loads(manifest_bytes)
    listed = {entry["evidenceId"]: entry for entry in manifest["records"]}
    present = {p.name[:-5] for p in (folder / "records").glob("*.json") if not p.name.endswith(".proof.json")}
    for missing in sorted(set(listed) - present):
        problems.append(f"record {missing}: listed in the manifest but missing")
    for extra in sorted(present - set(listed)):
        problems.append(f"record {extra}: not in the manifest")

    digests = set()
    for evidence_id in sorted(present & set(listed)):
        base = folder / "records" / evidence_id
        body = base.with_suffix(".json").read_bytes()
        record = json.loads(body)
        digests.add(record["message"]["sha256"])
        if canonical(record) != body:
            problems.append(f"record {evidence_id}: not in canonical form")
        if sha256(body).hex() != listed[evidence_id]["sha256"]:
            problems.append(f"record {evidence_id}: not the record the manifest lists")
        try:
            signed = SignedData(base.with_suffix(".p7s").read_bytes())
            signed.verify(body, ca, ExtendedKeyUsageOID.EMAIL_PROTECTION)
            signed_at = signed.signing_time().timestamp() * 1000
            if signed_at + 1000 < record["timeMs"]:
                problems.append(f"record {evidence_id}: signed before the event it attests")
            token = signed.unsigned.get("signature_time_stamp_token")
            assert token is not None, "no signature time-stamp (CAdES-T)"
            gen_time = verify_token(token.dump(), sha256(signed.signature), ca)
            if gen_time.timestamp() * 1000 + 1000 < signed_at:
                problems.append(f"record {evidence_id}: time-stamped before it was signed")
            if base.with_suffix(".tsr").read_bytes() != token.dump():
                problems.append(f"record {evidence_id}: the .tsr file is not the token in the signature")
            # The leaf commits to the record and its signature (4-byte big-endian lengths).
            leaf = b"".join(len(part).to_bytes(4, "big") + part
                            for part in (body, signed.attributes_der, signed.signature))
            proof = json.loads(Path(str(base) + ".proof.json").read_bytes())
            if proof["treeSize"] != size or not verify_inclusion(
                    leaf_hash(leaf), proof["leafIndex"], size, [base64.b64decode(h) for h in proof["hashes"]], root):
                problems.append(f"record {evidence_id}: the inclusion proof fails")
        except Exception as error:  # noqa: BLE001
            problems.append(f"record {evidence_id}: {type(error).__name__}: {error}")

    latest = folder / "latest-checkpoint.txt"
    if latest.exists():
        try:
            _, latest_size, latest_root = read_checkpoint(latest.read_text(), (folder / "log.vkey").read_text())
            proof = json.loads((folder / "consistency.json").read_bytes())
            if (proof["oldSize"], proof["newSize"]) != (size, latest_size) or not verify_consistency(
                    size, latest_size, root, latest_root, [base64.b64decode(h) for h in proof["hashes"]]):
                problems.append("latest checkpoint: the consistency proof fails")
        except Exception as error:  # noqa: BLE001
            problems.append(f"latest checkpoint: {error}")

    message = folder / "message.eml"
    if message.exists() and sha256(message.read_bytes()).hex() not in digests:
        problems.append("message.eml: not the message the records certify")
    return problems


if __name__ == "__main__":
    found = verify_folder(sys.argv[1], sys.argv[2])
    print("\n".join(found) or "VERIFIED")
    sys.exit(1 if found else 0)
