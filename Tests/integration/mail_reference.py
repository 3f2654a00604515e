"""What Python's `email` package finds in a message: the reference the MailMessage parser is compared to.

Usage: python3 mail_reference.py FILE...   (prints one JSON object per file)
"""

import email
import email.policy
import hashlib
import json
import sys


def leaf_parts(message):
    """Every non-multipart part, in document order, as Python's email package decodes it."""
    parts = []
    for part in walk(message):
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            payload = b""
        parts.append(
            {
                "contentType": part.get_content_type(),
                "fileName": part.get_filename(),
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        )
    return parts


def walk(part):
    """Like Message.walk(), but a message/delivery-status part is one part: Python splits its header
    blocks into sub-messages with empty bodies, which are not attachments of anything."""
    yield part
    if part.get_content_type() == "message/delivery-status":
        return
    if part.is_multipart():
        for child in part.get_payload():
            yield from walk(child)


def describe(raw):
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    return {"parts": leaf_parts(message), "defects": sorted(defect_names(message))}


def defect_names(message):
    names = set()
    for part in message.walk():
        for defect in part.defects:
            names.add(type(defect).__name__)
    return names


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path, "rb") as handle:
            print(json.dumps({"file": path, **describe(handle.read())}))
