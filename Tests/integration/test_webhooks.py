"""Webhooks against a loopback receiver that fails twice, then accepts: each event is delivered once,
its signature checked by the Standard Webhooks Python package, and every attempt is in the log."""
import http.server
import json
import threading
import time

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from certified import SENDER, Certifier
from conftest import free_port
import sink

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")


class Receiver:
    """An application's endpoint: answers 500 to the first `failures` calls of each event, then 204."""

    def __init__(self, failures=2):
        self.failures, self.calls, self.lock = failures, [], threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    earlier = [c for c in receiver.calls if c["headers"]["webhook-id"] == self.headers["webhook-id"]]
                    status = 500 if len(earlier) < receiver.failures else 204
                    receiver.calls.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                           "body": body, "status": status, "at": time.time()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/fefaent"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self):
        with self.lock:
            return [c for c in self.calls if c["status"] == 204]

    def close(self):
        self.server.shutdown()


@pytest.fixture
def hooked(fefaent_binary, tmp_path):
    c = Certifier(fefaent_binary, tmp_path)
    c.daemon.config.write_text(c.daemon.config.read_text() + "\n[webhooks]\nretry_seconds = [1, 1, 1]\n")
    c.receiver = Receiver()
    added = c.daemon.cli("webhook", "add", "acme", c.receiver.url, "--events", "accepted,delivered,failed").stdout
    c.webhook_id = added.split()[1]
    c.secret = next(line.split(": ", 1)[1] for line in added.splitlines() if line.startswith("secret: "))
    c.start()
    yield c
    c.receiver.close()
    assert c.stop() == 0, c.daemon.log_text()[-3000:]


def test_each_event_once_after_two_failures_signed(hooked):
    code, reply = hooked.send_cc(["bob@example.test", "nobody@refuse.test"])
    assert code == 250, reply
    queue_id = reply.split()[-1] if "queued as" in reply else None

    def all_three():
        calls = hooked.receiver.accepted()
        return len(calls) >= 3 and calls
    accepted = hooked.wait(all_three, "the accepted, delivered and failed events", seconds=60)
    time.sleep(1.5)  # anything sent twice would show up now
    accepted = hooked.receiver.accepted()
    ids = [c["headers"]["webhook-id"] for c in accepted]
    assert len(ids) == len(set(ids)) == 3, ids

    verifier = Webhook(hooked.secret)
    events = {}
    for call in accepted:
        payload = verifier.verify(call["body"], call["headers"])  # raises unless the signature holds
        events[payload["type"]] = payload
    assert set(events) == {"message.accepted", "message.delivered", "message.failed"}
    accepted_event = events["message.accepted"]["data"]
    assert accepted_event["from"] == SENDER and accepted_event["units"] == 2
    assert sorted(accepted_event["recipients"]) == ["bob@example.test", "nobody@refuse.test"]
    delivered = events["message.delivered"]["data"]
    assert delivered["recipient"] == "bob@example.test" and delivered["reply"]["code"] == 250
    assert delivered["message_id"] == accepted_event["message_id"]
    if queue_id:
        assert delivered["message_id"] == queue_id
    failed = events["message.failed"]["data"]
    assert failed["recipient"] == "nobody@refuse.test" and failed["reply"]["code"] >= 500
    assert failed["failure_reason"] == "rejectedByRemoteServer"
    # The evidence id in the event is the record's: the record exists and names the same recipient.
    with hooked.db() as db:
        row = db.execute("SELECT evidence_id FROM recipient WHERE message_id = ? AND address = 'bob@example.test'",
                         (delivered["message_id"],)).fetchone()
    assert row["evidence_id"] == delivered["evidence_id"]

    # Each event: two failed attempts (500) with the same webhook-id, then the accepted one.
    for event_id in ids:
        tries = [c for c in hooked.receiver.calls if c["headers"]["webhook-id"] == event_id]
        assert [c["status"] for c in tries] == [500, 500, 204]
        assert tries[1]["at"] - tries[0]["at"] >= 0.9  # the retry schedule, not a tight loop

    # A forged or replayed-with-another-body call does not verify.
    with pytest.raises(WebhookVerificationError):
        verifier.verify(accepted[0]["body"] + b" ", accepted[0]["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(accepted[0]["body"], accepted[0]["headers"])

    log = hooked.daemon.cli("webhook", "log", hooked.webhook_id).stdout
    assert log.count("HTTP 500") == 6 and log.count("HTTP 204") == 3 and log.count("delivered") >= 6, log


def test_the_test_command_and_an_unreachable_receiver(hooked):
    result = hooked.daemon.cli("webhook", "test", hooked.webhook_id, "--wait", "20", check=False)
    # The receiver fails the first two calls of each event: the command reports the first answer.
    assert result.returncode == 1 and "HTTP 500" in result.stdout, result.stdout + result.stderr
    hooked.wait(lambda: any(json.loads(c["body"])["type"] == "webhook.test" for c in hooked.receiver.accepted()),
                "the test event, after its retries")

    dead = free_port()
    added = hooked.daemon.cli("webhook", "add", "acme", f"http://127.0.0.1:{dead}/gone").stdout
    result = hooked.daemon.cli("webhook", "test", added.split()[1], "--wait", "20", check=False)
    assert result.returncode == 1 and "no answer" in result.stdout, result.stdout
    listed = hooked.daemon.cli("webhook", "list", "acme").stdout
    assert hooked.receiver.url in listed and f"127.0.0.1:{dead}" in listed and "whsec_" not in listed
    hooked.daemon.cli("webhook", "remove", added.split()[1])
    assert "removed" in hooked.daemon.cli("webhook", "list", "acme").stdout


def test_api_sends_trigger_webhooks(hooked):
    key = hooked.daemon.cli("apikey", "add", "acme").stdout.strip()
    response = httpx.post(f"http://127.0.0.1:{hooked.http}/v1/messages", headers={"Authorization": f"Bearer {key}"},
                          json={"from": SENDER, "to": ["bob@example.test"], "subject": "By API", "text": "Hi"})
    assert response.status_code == 202, response.text
    message_id = response.json()["id"]

    def both():
        types = {json.loads(c["body"])["type"]: json.loads(c["body"]) for c in hooked.receiver.accepted()}
        return {"message.accepted", "message.delivered"} <= set(types) and types
    types = hooked.wait(both, "the API mail's events", seconds=60)
    assert types["message.accepted"]["data"]["message_id"] == message_id
    assert types["message.delivered"]["data"]["message_id"] == message_id


def test_an_opened_document_reaches_the_webhook(fefaent_binary, tmp_path):
    """Openum: the sender's application hears of the access the moment it is recorded."""
    import base64
    import re
    c = Certifier(fefaent_binary, tmp_path)
    c.daemon.config.write_text(c.daemon.config.read_text() + "\n[webhooks]\nretry_seconds = [1]\n")
    c.receiver = Receiver(failures=0)
    added = c.daemon.cli("webhook", "add", "acme", c.receiver.url, "--events", "opened-document").stdout
    secret = next(line.split(": ", 1)[1] for line in added.splitlines() if line.startswith("secret: "))
    key = c.daemon.cli("apikey", "add", "acme").stdout.strip()
    c.start()
    try:
        response = httpx.post(
            f"http://127.0.0.1:{c.http}/v1/documents", headers={"Authorization": f"Bearer {key}"},
            json={"from": SENDER, "to": ["bob@example.test"], "subject": "Notice",
                  "document": {"filename": "notice.pdf", "content": base64.b64encode(b"%PDF-1.4 notice").decode()}})
        assert response.status_code == 202, response.text

        def link():
            for raw in c.accepting.messages():
                found = re.search(rb"http://127\.0\.0\.1:\d+/d/[a-z0-9]{26}", raw)
                if found:
                    return found.group(0).decode()
        url = c.wait(link, "the invitation")
        agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
        with httpx.Client(headers={"User-Agent": agent}) as browser:
            nonce = re.search(r'name="nonce" value="([a-z0-9]+)"', browser.get(url).text).group(1)
            opened = browser.post(url + "/open", data={"nonce": nonce})
        assert opened.status_code == 200
        [call] = c.wait(lambda: c.receiver.accepted(), "the opened-document event")
        event = Webhook(secret).verify(call["body"], call["headers"])
        assert event["type"] == "document.opened"
        assert event["data"]["recipient"] == "bob@example.test" and event["data"]["user_agent"] == agent
        assert event["data"]["evidence_id"] == opened.headers["x-fefaent-evidence"]
        assert event["data"]["first_access"] is True and event["data"]["document"] == "notice.pdf"
        # Only the chosen event: the acceptance and the invitation's delivery were not sent.
        time.sleep(1)
        assert [json.loads(c["body"])["type"] for c in c.receiver.calls] == ["document.opened"]
    finally:
        c.receiver.close()
        assert c.stop() == 0, c.daemon.log_text()[-3000:]
