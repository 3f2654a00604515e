"""Bounces and delay notices (RFC 3464) reach the sender, and Python's email package reads them."""
import email
import email.policy
import smtplib
import ssl
import time

import pytest

from conftest import PASSWORD, Daemon, free_port, queue_id_from
import sink

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink comes with postfix (.ci/run installs it)")

BODY = b"From: alice@acme.test\r\nTo: bob@refusing.test\r\nSubject: will bounce\r\nMessage-ID: <b1@acme.test>\r\n\r\nHello\r\n"


def submit(daemon, recipient, rcpt_options=(), mail_options=(), body=BODY):
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(daemon.ca)))
        client.ehlo("client.acme.test")
        client.login("alice", PASSWORD)
        client.mail("alice@acme.test", list(mail_options))
        assert client.rcpt(recipient, list(rcpt_options))[0] == 250
        code, reply = client.data(body)
        assert code == 250
        return queue_id_from(reply)


def wait_for_messages(receiver, count, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(receiver.messages()) >= count:
            time.sleep(0.5)  # smtp-sink creates the file at MAIL FROM and fills it as the data arrives
            return receiver.messages()
        time.sleep(0.1)
    raise AssertionError(f"{len(receiver.messages())} messages arrived, expected {count}")


def report_of(dump: bytes):
    # smtp-sink writes its own X- lines first and stores LF line ends
    lines = dump.decode().split("\n")
    while lines and lines[0].startswith("X-"):
        lines.pop(0)
    return email.message_from_string("\n".join(lines), policy=email.policy.default)


@pytest.fixture
def setup(fefaent_binary, tmp_path):
    refusing = sink.Sink(tmp_path / "r", free_port(), "-f", "RCPT").start()
    busy = sink.Sink(tmp_path / "b", free_port(), "-r", "RCPT").start()
    home = sink.Sink(tmp_path / "h", free_port()).start()  # the sender's own mail server
    daemon = Daemon(fefaent_binary, tmp_path / "fefaent", extra_config=f"""
[delivery]
poll_interval_ms = 100
retry_initial = 1
retry_maximum = 2
delay_warning = 2

[delivery.routes]
"refusing.test" = "127.0.0.1:{refusing.port}"
"busy.test" = "127.0.0.1:{busy.port}"
"acme.test" = "127.0.0.1:{home.port}"
""")
    daemon.start_with_account()
    yield daemon, home
    assert daemon.stop() == 0
    for receiver in (refusing, busy, home):
        receiver.stop()


def test_a_bounce_is_a_delivery_status_report_with_the_original(setup):
    daemon, home = setup
    queue_id = submit(daemon, "bob@refusing.test", ["ORCPT=rfc822;bob@refusing.test"], ["ENVID=E42"])
    [dump] = wait_for_messages(home, 1)
    assert b"X-Mail-Args: <>" in dump  # bounces have the null sender
    assert b"X-Rcpt-Args: <alice@acme.test>" in dump
    report = report_of(dump)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    assert report["Auto-Submitted"] == "auto-replied"
    text, status, original = report.iter_parts()
    assert "bob@refusing.test" in text.get_content()
    assert status.get_content_type() == "message/delivery-status"
    per_message, per_recipient = status.get_payload()
    assert per_message["Reporting-MTA"] == "dns; fefaent.test"
    assert per_message["X-Fefaent-Queue-ID"] == queue_id
    assert per_message["Original-Envelope-Id"] == "E42"
    assert per_recipient["Final-Recipient"] == "rfc822; bob@refusing.test"
    assert per_recipient["Original-Recipient"] == "rfc822;bob@refusing.test"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"].startswith("5.")
    assert per_recipient["Diagnostic-Code"].startswith("smtp; 5")
    assert original.get_content_type() == "message/rfc822"
    assert original.get_content()["Message-ID"] == "<b1@acme.test>"
    assert not report.defects


def test_a_large_original_comes_back_by_its_headers_only(setup):
    """Like Postfix's bounce_size_limit (50,000 octets by default): a 300 KB mail that bounces is
    returned by its headers, with a sentence that says why, though the sender asked for it whole;
    the daemon never reads more than its header block for the bounce."""
    daemon, home = setup
    line = b"All work and no play makes a large attachment.\r\n"
    body = BODY.replace(b"Hello\r\n", line * (300_000 // len(line)))
    submit(daemon, "bob@refusing.test", [], ["RET=FULL"], body=body)
    [dump] = wait_for_messages(home, 1)
    assert len(dump) < 20_000
    report = report_of(dump)
    text, status, headers = report.iter_parts()
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Subject: will bounce" in headers.get_content() and "All work" not in headers.get_content()
    assert "too large to return" in text.get_content()
    assert status.get_payload()[1]["Action"] == "failed"
    assert not report.defects


def test_ret_hdrs_returns_only_the_headers_and_notify_never_returns_nothing(setup):
    daemon, home = setup
    submit(daemon, "bob@refusing.test", ["NOTIFY=NEVER"])
    submit(daemon, "carol@refusing.test", [], ["RET=HDRS"])
    [dump] = wait_for_messages(home, 1)
    time.sleep(1)
    assert len(home.messages()) == 1, "NOTIFY=NEVER must not produce a bounce"
    report = report_of(dump)
    _, status, headers = report.iter_parts()
    assert status.get_payload()[1]["Final-Recipient"] == "rfc822; carol@refusing.test"
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Subject: will bounce" in headers.get_content() and "Hello" not in headers.get_content()


def test_a_delay_notice_after_the_warning_time(setup):
    daemon, home = setup
    queue_id = submit(daemon, "dan@busy.test")
    [dump] = wait_for_messages(home, 1)
    report = report_of(dump)
    assert report["Subject"] == "Delayed Mail (still being retried)"
    _, status, _ = report.iter_parts()
    assert status.get_payload()[1]["Action"] == "delayed"
    assert status.get_payload()[1]["Status"].startswith("4.")
    _, recipients = daemon.message(queue_id)
    assert recipients[0]["state"] == "deferred" and recipients[0]["delay_notified"] == 1
    time.sleep(3)
    assert len(home.messages()) == 1, "one delay notice per recipient"
