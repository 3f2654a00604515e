"""The queue runner relays to a real receiving server (Postfix's smtp-sink) on loopback."""
import smtplib
import ssl
import time

import pytest

from conftest import PASSWORD, Daemon, free_port, queue_id_from
import sink

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink comes with postfix (.ci/run installs it)")

BODY = b"From: alice@acme.test\r\nTo: bob@example.test\r\nSubject: relay\r\n\r\n.dot line\r\nbody\r\n"


def submit(daemon, *recipients) -> str:
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(daemon.ca)))
        client.ehlo("client.acme.test")
        client.login("alice", PASSWORD)
        client.mail("alice@acme.test")
        for recipient in recipients:
            assert client.rcpt(recipient)[0] == 250
        code, reply = client.data(BODY)
        assert code == 250
        return queue_id_from(reply)


def wait_for(daemon, queue_id, predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row, recipients = daemon.message(queue_id)
        if predicate(row, recipients):
            return row, recipients
        time.sleep(0.1)
    raise AssertionError(f"timed out: {daemon.message(queue_id)}\n{daemon.log_text()[-3000:]}")


def start_daemon(fefaent_binary, folder, routes: str, retry_initial: int = 300):
    daemon = Daemon(fefaent_binary, folder, extra_config=f"""
[delivery]
tls = "opportunistic"
poll_interval_ms = 100
retry_initial = {retry_initial}
retry_maximum = {max(retry_initial, 60)}

[delivery.routes]
{routes}
""")
    return daemon.start_with_account()


def test_a_relayed_mail_reaches_the_sink_and_the_reply_is_recorded(fefaent_binary, tmp_path):
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = start_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{receiver.port}"')
    try:
        queue_id = submit(daemon, "bob@example.test", "carol@example.test")
        row, recipients = wait_for(daemon, queue_id, lambda row, rs: all(r["state"] == "delivered" for r in rs))
        assert row["state"] == "done"
        for recipient in recipients:
            assert recipient["last_reply"] == "250 2.0.0 Ok"  # smtp-sink's final reply, recorded verbatim
            assert recipient["remote_ip"] == "127.0.0.1" and recipient["remote_host"] == "127.0.0.1"
            assert recipient["finished_at"] is not None
        [received] = receiver.messages()  # one transaction for both recipients of the same domain
        assert b"X-Rcpt-Args: <bob@example.test>" in received and b"X-Rcpt-Args: <carol@example.test>" in received
        # dot-stuffed on the wire, unstuffed by the sink (which stores lines with LF)
        assert received.rstrip(b"\n").endswith(BODY.replace(b"\r\n", b"\n").rstrip(b"\n"))
        assert b"by fefaent.test (Fefaent) with ESMTPSA id " + queue_id.encode() in received
    finally:
        assert daemon.stop() == 0
        receiver.stop()


def test_a_permanent_refusal_bounces_and_a_temporary_one_defers(fefaent_binary, tmp_path):
    refusing = sink.Sink(tmp_path / "refusing", free_port(), "-f", "RCPT").start()
    busy = sink.Sink(tmp_path / "busy", free_port(), "-r", "RCPT").start()
    daemon = start_daemon(fefaent_binary, tmp_path / "fefaent",
                          f'"refusing.test" = "127.0.0.1:{refusing.port}"\n"busy.test" = "127.0.0.1:{busy.port}"')
    try:
        queue_id = submit(daemon, "bob@refusing.test", "dan@busy.test")
        row, recipients = wait_for(daemon, queue_id, lambda row, rs: all(r["attempts"] >= 1 for r in rs))
        by_address = {r["address"]: r for r in recipients}
        assert by_address["bob@refusing.test"]["state"] == "bounced"
        assert by_address["bob@refusing.test"]["last_reply"].startswith("5")
        assert by_address["dan@busy.test"]["state"] == "deferred"
        assert by_address["dan@busy.test"]["last_reply"].startswith("4")
        assert row["state"] == "queued"  # dan is still to be delivered
        assert refusing.messages() == [] and busy.messages() == []
    finally:
        assert daemon.stop() == 0
        refusing.stop()
        busy.stop()


def test_a_receiver_that_is_down_then_up_gets_the_mail_on_retry(fefaent_binary, tmp_path):
    port = free_port()
    daemon = start_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{port}"', retry_initial=1)
    receiver = sink.Sink(tmp_path / "sink", port)
    try:
        queue_id = submit(daemon, "bob@example.test")
        _, recipients = wait_for(daemon, queue_id, lambda row, rs: rs[0]["state"] == "deferred")
        assert "cannot connect" in recipients[0]["last_reply"]
        receiver.start()
        _, recipients = wait_for(daemon, queue_id, lambda row, rs: rs[0]["state"] == "delivered")
        assert recipients[0]["attempts"] >= 2
        assert len(receiver.messages()) == 1
    finally:
        assert daemon.stop() == 0
        receiver.stop()


def test_a_receiver_that_drops_the_connection_after_the_data_defers(fefaent_binary, tmp_path):
    receiver = sink.Sink(tmp_path / "sink", free_port(), "-q", ".").start()  # hangs up instead of answering "."
    daemon = start_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{receiver.port}"')
    try:
        queue_id = submit(daemon, "bob@example.test")
        _, recipients = wait_for(daemon, queue_id, lambda row, rs: rs[0]["state"] == "deferred")
        # no final reply: not delivered, tried again later (a duplicate is possible, a loss is not)
        assert recipients[0]["last_reply"] == "421 4.4.2 connection lost"
        assert recipients[0]["next_attempt_at"] is not None
    finally:
        assert daemon.stop() == 0
        receiver.stop()
