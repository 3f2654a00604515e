"""Delivery over STARTTLS to another Fefaent acting as the recipient's MX: opportunistic and verified."""
from conftest import Daemon
from test_delivery import submit, wait_for

PARTNER = "inbox@partner.test"  # a certified-reception mailbox of the receiving Fefaent


def test_verified_tls_to_the_next_hop(fefaent_binary, tmp_path):
    receiver = Daemon(fefaent_binary, tmp_path / "receiver", reception=PARTNER).start()  # own CA, MX with STARTTLS
    sender = Daemon(fefaent_binary, tmp_path / "sender", extra_config=f"""
[delivery]
poll_interval_ms = 100
tls_ca_file = "{receiver.ca}"

[delivery.routes]
"partner.test" = "127.0.0.1:{receiver.mx}"
"wrong-ca.test" = "127.0.0.1:{receiver.mx}"

[delivery.tls_policy]
"partner.test" = "verify"
"wrong-ca.test" = "required"
""")
    sender.start_with_account()
    try:
        queue_id = submit(sender, PARTNER)
        _, recipients = wait_for(sender, queue_id, lambda row, rs: rs[0]["state"] == "delivered")
        assert recipients[0]["tls"].startswith("TLSv1.") and recipients[0]["tls"].endswith("certificate verified")
        assert recipients[0]["last_reply"].startswith("250 2.0.0 Ok: queued as ")
        received_id = recipients[0]["last_reply"].rsplit(" ", 1)[-1]
        row, _ = receiver.message(received_id)
        assert row["protocol_name"] == "ESMTPS" and row["tls"].startswith("TLSv1.")
    finally:
        assert sender.stop() == 0
        assert receiver.stop() == 0


def test_verify_with_an_untrusted_certificate_defers(fefaent_binary, tmp_path):
    receiver = Daemon(fefaent_binary, tmp_path / "receiver", reception=PARTNER).start()
    sender = Daemon(fefaent_binary, tmp_path / "sender", extra_config=f"""
[delivery]
poll_interval_ms = 100

[delivery.routes]
"partner.test" = "127.0.0.1:{receiver.mx}"

[delivery.tls_policy]
"partner.test" = "verify"
""")
    sender.start_with_account()
    try:
        queue_id = submit(sender, PARTNER)
        _, recipients = wait_for(sender, queue_id, lambda row, rs: rs[0]["state"] == "deferred")
        assert recipients[0]["last_reply"].startswith("4")
        assert receiver.message_count() == 0
    finally:
        assert sender.stop() == 0
        assert receiver.stop() == 0


def test_a_receiver_that_requires_starttls(fefaent_binary, tmp_path):
    import smtplib
    from conftest import free_port
    tls_port = free_port()
    receiver = Daemon(fefaent_binary, tmp_path / "receiver", reception=PARTNER, extra_config=f"""
[[listener]]
name = "mx-tls"
kind = "mx"
address = "127.0.0.1:{tls_port}"
require_tls = true
""").start()
    sender = Daemon(fefaent_binary, tmp_path / "sender", extra_config=f"""
[delivery]
poll_interval_ms = 100

[delivery.routes]
"partner.test" = "127.0.0.1:{tls_port}"
""")
    sender.start_with_account()
    try:
        with smtplib.SMTP("127.0.0.1", tls_port, timeout=10) as client:
            client.ehlo("plain.test")
            assert client.mail("a@acme.test") == (530, b"5.7.0 Must issue a STARTTLS command first")
        queue_id = submit(sender, PARTNER)  # opportunistic STARTTLS satisfies the receiver
        _, recipients = wait_for(sender, queue_id, lambda row, rs: rs[0]["state"] == "delivered")
        assert recipients[0]["tls"].startswith("TLSv1.") and recipients[0]["tls"].endswith("not verified")
    finally:
        assert sender.stop() == 0
        assert receiver.stop() == 0
