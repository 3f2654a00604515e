"""Real clients against the running daemon: smtplib, raw pipelining and BDAT."""
import hashlib
import smtplib
import ssl
import subprocess

from conftest import CERTIFIER, PASSWORD, RECEPTION, queue_id_from
from smtp_raw import RawSession

MESSAGE = (b"From: Alice <alice@acme.test>\r\nTo: Bob <bob@example.test>\r\nCc: " + CERTIFIER.encode() +
           b"\r\nSubject: Notice\r\nMessage-ID: <t1@acme.test>\r\n\r\nDear Bob,\r\n.leading dot\r\n\r\nAlice\r\n")


def tls_context(daemon):
    return ssl.create_default_context(cafile=str(daemon.ca))


def test_ehlo_advertises_the_extensions(daemon):
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=20) as client:
        code, _ = client.ehlo("client.acme.test")
        assert code == 250
        for extension in ["pipelining", "size", "8bitmime", "smtputf8", "enhancedstatuscodes", "chunking", "dsn",
                          "starttls"]:
            assert client.has_extn(extension), extension
        assert client.esmtp_features["size"] == str(2 * 1024 * 1024)
        assert not client.has_extn("auth"), "no AUTH on the MX port"


def test_a_mail_accepted_with_250_is_in_the_spool_byte_for_byte(daemon):
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=20) as client:
        client.ehlo("client.acme.test")
        assert client.mail("alice@acme.test")[0] == 250
        assert client.rcpt(CERTIFIER)[0] == 250
        code, reply = client.data(MESSAGE)
    assert code == 250
    assert reply.startswith(b"2.0.0 Ok: queued as ")
    queue_id = queue_id_from(reply)
    row, recipients = daemon.message(queue_id)
    assert row["sender"] == "alice@acme.test" and row["state"] == "queued"
    assert [r["address"] for r in recipients] == [CERTIFIER]
    assert recipients[0]["kind"] == "certifier"
    # smtplib normalises nothing here: the message was already CRLF; the server removed the stuffed dot.
    assert daemon.original_bytes(queue_id) == MESSAGE
    stored = daemon.stored_bytes(queue_id)
    assert stored.startswith(b"Received: from client.acme.test ([127.0.0.1])\r\n\tby fefaent.test (Fefaent) with ESMTP id "
                             + queue_id.encode())
    assert row["sha256"] == hashlib.sha256(MESSAGE).hexdigest()
    # the CLI shows the same message
    listed = subprocess.run([str(daemon.binary), "queue", "show", queue_id, "--raw", "--config", str(daemon.config)],
                            capture_output=True, check=True).stdout
    assert listed == stored
    listing = daemon.cli("queue", "list").stdout
    assert queue_id in listing and CERTIFIER in listing


def test_starttls_with_a_verified_certificate(daemon):
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=20) as client:
        client.ehlo("client.acme.test")
        code, _ = client.starttls(context=tls_context(daemon))
        assert code == 220
        client.ehlo("client.acme.test")
        assert not client.has_extn("starttls")
        client.mail("alice@acme.test")
        client.rcpt(CERTIFIER)
        code, reply = client.data(MESSAGE)
    assert code == 250
    row, _ = daemon.message(queue_id_from(reply))
    assert row["protocol_name"] == "ESMTPS"
    assert row["tls"] in ("TLSv1.2", "TLSv1.3")
    assert b"(using TLSv1." in daemon.stored_bytes(row["id"])


def test_submission_needs_tls_then_auth_then_relays_anywhere(daemon):
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=20) as client:
        client.ehlo("client.acme.test")
        assert not client.has_extn("auth"), "AUTH is not offered before TLS"
        assert client.docmd("AUTH", "PLAIN AGFsaWNlAHB3")[0] == 538
        assert client.mail("alice@acme.test")[0] == 530
        client.starttls(context=tls_context(daemon))
        client.ehlo("client.acme.test")
        assert "PLAIN" in client.esmtp_features["auth"] and "LOGIN" in client.esmtp_features["auth"]
        try:
            client.login("alice", "wrong password")
            raise AssertionError("a wrong password was accepted")
        except smtplib.SMTPAuthenticationError as error:
            assert error.smtp_code == 535
        client.login("alice", PASSWORD)
        assert client.mail("alice@acme.test")[0] == 250
        assert client.rcpt("bob@example.test")[0] == 250
        code, reply = client.data(MESSAGE)
    assert code == 250
    row, recipients = daemon.message(queue_id_from(reply))
    assert row["auth_user"] == "alice" and row["protocol_name"] == "ESMTPSA"
    assert recipients[0]["kind"] == "relay"


def test_auth_login_mechanism(daemon):
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=20) as client:
        client.starttls(context=tls_context(daemon))
        client.ehlo("client.acme.test")
        client.user, client.password = "alice", PASSWORD
        code, _ = client.auth("LOGIN", client.auth_login)
        assert code == 235


def test_implicit_tls_port(daemon):
    with smtplib.SMTP_SSL("127.0.0.1", daemon.submissions, timeout=20, context=tls_context(daemon)) as client:
        client.ehlo("client.acme.test")
        assert not client.has_extn("starttls")
        client.login("alice", PASSWORD)
        client.mail("alice@acme.test")
        client.rcpt("carol@example.test")
        code, _ = client.data(MESSAGE)
        assert code == 250


def test_smtputf8_addresses(daemon):
    body = "From: José <josé@acme.test>\r\nTo: certify@fefaent.test\r\nSubject: Notificació\r\n\r\nBon dia\r\n"
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=20) as client:
        client.ehlo("client.acme.test")
        client.command_encoding = "utf-8"  # what smtplib does itself once SMTPUTF8 is declared
        assert client.mail("josé@acme.test")[0] == 553  # not declared
        assert client.mail("josé@acme.test", ["SMTPUTF8", "BODY=8BITMIME"])[0] == 250
        assert client.rcpt(CERTIFIER)[0] == 250
        code, reply = client.data(body.encode())
    assert code == 250
    row, _ = daemon.message(queue_id_from(reply))
    assert row["sender"] == "josé@acme.test" and row["smtputf8"] == 1
    assert daemon.original_bytes(row["id"]) == body.encode()


def test_dsn_parameters_are_kept_with_the_recipient(daemon):
    with smtplib.SMTP("127.0.0.1", daemon.mx, timeout=20) as client:
        client.ehlo("client.acme.test")
        client.mail("alice@acme.test", ["RET=HDRS", "ENVID=QQ314159"])
        client.rcpt(CERTIFIER, ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;certify@fefaent.test"])
        # A reception mailbox goes in a transaction of its own: 452, which clients retry apart.
        assert client.rcpt(RECEPTION, ["NOTIFY=NEVER"])[0] == 452
        client.rcpt("abuse@fefaent.test", ["NOTIFY=NEVER"])
        code, reply = client.data(MESSAGE)
    row, recipients = daemon.message(queue_id_from(reply))
    assert row["dsn_ret"] == "HDRS" and row["dsn_envid"] == "QQ314159"
    assert recipients[0]["notify"] == "SUCCESS,FAILURE" and recipients[0]["orcpt"] == "rfc822;certify@fefaent.test"
    assert recipients[1]["notify"] == "NEVER" and recipients[1]["kind"] == "system"


def test_pipelining_the_whole_transaction(daemon):
    session = RawSession(daemon.mx)
    session.read_reply()
    session.send(b"EHLO client.acme.test\r\nMAIL FROM:<alice@acme.test>\r\nRCPT TO:<bob@example.test>\r\n"
                 b"RCPT TO:<" + CERTIFIER.encode() + b">\r\nDATA\r\n")
    replies = session.read_replies(5)
    assert replies[1] == b"250 2.1.0 Ok\r\n"
    assert replies[2] == b"550 5.7.1 Relay access denied\r\n"
    assert replies[3] == b"250 2.1.5 Ok\r\n"
    assert replies[4].startswith(b"354 ")
    session.send(MESSAGE.replace(b"\r\n.leading", b"\r\n..leading") + b".\r\nQUIT\r\n")
    queued, bye = session.read_replies(2)
    assert bye == b"221 2.0.0 Bye\r\n"
    assert daemon.original_bytes(queue_id_from(queued)) == MESSAGE


def test_bdat_chunks(daemon):
    session = RawSession(daemon.mx)
    session.read_reply()
    first, second = MESSAGE[:50], MESSAGE[50:]
    session.send(b"EHLO client.acme.test\r\nMAIL FROM:<alice@acme.test>\r\nRCPT TO:<" + CERTIFIER.encode() + b">\r\n"
                 + b"BDAT %d\r\n" % len(first) + first + b"BDAT %d LAST\r\n" % len(second) + second)
    replies = session.read_replies(5)
    assert replies[3] == b"250 2.0.0 Ok: %d octets received\r\n" % len(first)
    queue_id = queue_id_from(replies[4])
    # BDAT carries the message as is: a line starting with a dot is not unstuffed.
    assert daemon.original_bytes(queue_id) == MESSAGE
    assert daemon.message(queue_id)[0]["protocol_name"] == "ESMTP"
