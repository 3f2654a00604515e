"""Evidence tried as an auditor would try it against the operator: the outbox writes evidence in the
transaction of each event, a lost, shortened or rewritten log stops the daemon instead of being
rebuilt, published checkpoints catch a truncated log, bundles with a record taken out fail, TLS
verification is a fact of the record, a SIGKILL between the spool commit and the evidence write loses
nothing, and Fefaent's own bounces have evidence too.
"""

import calendar
import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import Daemon, free_port
import sink
from test_delivery import submit, wait_for
from test_evidence import EVIDENCE, BUILT_IN_TSA, records_of_kind, wait_for_evidence
import independent_verifier as independent

pytestmark = pytest.mark.skipif(not sink.available(), reason="smtp-sink is installed by .ci/run")

PARTNER = "inbox@partner.test"


def evidence_daemon(fefaent_binary, folder, routes, extra="", interval=100, record_interval=None):
    """`interval`: the writer's checkpoint and (unless `record_interval` says otherwise) record intervals
    in ms; 60000 keeps it asleep after its first round."""
    config = EVIDENCE.replace("checkpoint_interval_ms = 100", f"checkpoint_interval_ms = {interval}\n"
                              f"record_interval_ms = {record_interval or interval}")
    return Daemon(fefaent_binary, folder, extra_config=f"""
[delivery]
poll_interval_ms = 100
{extra}
[delivery.routes]
{routes}
{config}{BUILT_IN_TSA}""")


def one_mail_with_evidence(fefaent_binary, tmp_path):
    """A daemon relaying to a sink, and one submitted mail whose evidence is written and stamped."""
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{receiver.port}"')
    daemon.start_with_account()
    queue_id = submit(daemon, "bob@example.test")
    wait_for_evidence(daemon, queue_id, 2)
    return daemon, receiver, queue_id


def anchored_size(daemon):
    with sqlite3.connect(daemon.spool / "queue.sqlite") as db:
        row = db.execute("SELECT size FROM evidence_anchor WHERE id = 1").fetchone()
        return row[0] if row else 0


def wait_for_anchor(daemon, size, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if anchored_size(daemon) >= size:
            return
        time.sleep(0.1)
    raise AssertionError(f"the anchor did not reach {size}: {anchored_size(daemon)}")


def refused_start(daemon):
    with pytest.raises(RuntimeError) as refused:
        daemon.start()
    return str(refused.value)


def evidence_files(daemon):
    return sorted(daemon.spool.glob("evidence.sqlite*"))


def test_a_lost_shortened_or_rewritten_log_stops_the_daemon(fefaent_binary, tmp_path):
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{receiver.port}"')
    daemon.start_with_account()
    try:
        queue_id = submit(daemon, "bob@example.test")
        wait_for(daemon, queue_id, lambda row, rs: rs[0]["state"] == "delivered")
        wait_for_evidence(daemon, queue_id, 2)
        wait_for_anchor(daemon, 2)
    finally:
        assert daemon.stop() == 0
    receiver.stop()
    backup = tmp_path / "backup"
    backup.mkdir()
    for path in evidence_files(daemon):
        shutil.copy(path, backup / path.name)

    def restore():
        for path in evidence_files(daemon):
            path.unlink()
        for path in backup.iterdir():
            shutil.copy(path, daemon.spool / path.name)

    # The regeneration attack: change what the queue says, delete the evidence, start again.
    with sqlite3.connect(daemon.spool / "queue.sqlite") as db:
        db.execute("UPDATE recipient SET last_reply = '550 5.1.1 no such user' WHERE message_id = ?", (queue_id,))
    for path in evidence_files(daemon):
        path.unlink()
    error = refused_start(daemon)
    assert "evidence log missing" in error and "anchors a log of 2 records" in error
    assert evidence_files(daemon) == []  # no new log was started

    # A log with its newest record and checkpoint dropped.
    restore()
    with sqlite3.connect(daemon.spool / "evidence.sqlite") as db:
        for trigger in ("record_no_delete", "record_timestamp_no_delete", "checkpoint_no_delete",
                        "checkpoint_timestamp_no_delete"):
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DELETE FROM record_timestamp WHERE evidence_id IN "
                   "(SELECT evidence_id FROM record WHERE leaf_index = 1)")
        db.execute("DELETE FROM record WHERE leaf_index = 1")
        db.execute("DELETE FROM checkpoint_timestamp WHERE size = 2")
        db.execute("DELETE FROM checkpoint WHERE size = 2")
    error = refused_start(daemon)
    assert "evidence log shorter than anchored" in error and "holds 1 records" in error

    # A log whose first record was re-signed (another leaf hash).
    restore()
    with sqlite3.connect(daemon.spool / "evidence.sqlite") as db:
        db.execute("DROP TRIGGER record_no_update")
        db.execute("UPDATE record SET leaf_hash = randomblob(32) WHERE leaf_index = 0")
    assert "evidence log rewritten" in refused_start(daemon)

    # The restored backup starts.
    restore()
    daemon.start()
    assert daemon.stop() == 0

    # A real disaster: the log is gone. `recover` records the loss; it never re-creates a record.
    for path in evidence_files(daemon):
        path.unlink()
    recovered = daemon.cli("evidence", "recover", "--statement", "disk of the evidence database failed")
    assert "evidence log missing" in recovered.stdout and "incident record" in recovered.stdout
    daemon.start()
    try:
        listing = daemon.cli("evidence", "list").stdout
        assert "EvidenceLogIncident" in listing
        assert "SubmissionAcceptance" not in listing and "RelayToNonERDS" not in listing
        incident_id = listing.splitlines()[1].split()[1]
        shown = daemon.cli("evidence", "show", incident_id).stdout
        incident = json.loads(shown[:shown.index("\nsignature")])
        assert incident["event"]["anchoredSize"] == 2 and incident["event"]["foundSize"] == 0
        assert incident["event"]["statement"] == "disk of the evidence database failed"
        audit = daemon.cli("evidence", "audit", check=False)
        assert audit.returncode == 0, audit.stdout
    finally:
        assert daemon.stop() == 0


def test_published_checkpoints_catch_a_truncated_log(fefaent_binary, tmp_path):
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    published = tmp_path / "published"
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{receiver.port}"')
    daemon.config.write_text(daemon.config.read_text() + f'publication_folder = "{published}"\n')
    daemon.start_with_account()
    try:
        first = submit(daemon, "bob@example.test")
        wait_for_evidence(daemon, first, 2)
        second = submit(daemon, "carol@example.test")
        wait_for_evidence(daemon, second, 2)
        wait_for_anchor(daemon, 4)
        deadline = time.monotonic() + 10
        while not (published / "checkpoint-000000000004.tsr").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        assert daemon.stop() == 0
        receiver.stop()
    assert (published / "checkpoint-000000000004.txt").read_text().splitlines()[1] == "4"
    assert "Verification: OK" in __import__("test_evidence").openssl(
        "ts", "-verify", "-token_in", "-in", str(published / "checkpoint-000000000004.tsr"),
        "-data", str(published / "checkpoint-000000000004.txt"), "-CAfile", str(daemon.ca))

    # The operator drops the second mail's records and every checkpoint that covers them, and moves
    # the queue's anchor back to match: the daemon and a plain audit see nothing wrong...
    with sqlite3.connect(daemon.spool / "evidence.sqlite") as db:
        for trigger in ("record_no_delete", "record_timestamp_no_delete", "checkpoint_no_delete",
                        "checkpoint_timestamp_no_delete"):
            db.execute(f"DROP TRIGGER {trigger}")
        db.execute("DELETE FROM record_timestamp WHERE evidence_id IN (SELECT evidence_id FROM record WHERE "
                   "queue_id = ?)", (second,))
        db.execute("DELETE FROM record WHERE queue_id = ?", (second,))
        db.execute("DELETE FROM checkpoint_timestamp WHERE size > 2")
        db.execute("DELETE FROM checkpoint WHERE size > 2")
        root, note = db.execute("SELECT root, note FROM checkpoint WHERE size = 2").fetchone()
    with sqlite3.connect(daemon.spool / "queue.sqlite") as db:
        db.execute("UPDATE evidence_anchor SET size = 2, root = ?, note = ?", (root, note))
    assert "\nVERIFIED\n" in daemon.cli("evidence", "audit").stdout
    # ...but the checkpoint that left their hands says otherwise.
    audit = daemon.cli("evidence", "audit", "--checkpoint", str(published / "latest.txt"), check=False)
    assert audit.returncode == 1, audit.stdout
    assert "kept checkpoint 1: covers 4 records but the log has only 2: records were dropped" in audit.stdout


def test_tls_verification_in_the_record_is_the_fact_not_a_string(fefaent_binary, tmp_path):
    receiver = Daemon(fefaent_binary, tmp_path / "receiver", reception=PARTNER).start()  # MX with STARTTLS
    facts = {}
    try:
        for policy in ("opportunistic", "verify"):
            sender = evidence_daemon(
                fefaent_binary, tmp_path / policy, f'"partner.test" = "127.0.0.1:{receiver.mx}"',
                extra=f'tls = "{policy}"\ntls_ca_file = "{receiver.ca}"\n')
            sender.start_with_account()
            try:
                queue_id = submit(sender, PARTNER)
                wait_for(sender, queue_id, lambda row, rs: rs[0]["state"] == "delivered")
                wait_for_evidence(sender, queue_id, 2)
                out = tmp_path / f"export-{policy}"
                sender.cli("evidence", "export", queue_id, "--out", str(out))
                [relay] = records_of_kind(out, "RelayToNonERDS")
                facts[policy] = relay["event"]["tls"]
            finally:
                assert sender.stop() == 0
    finally:
        assert receiver.stop() == 0
    assert facts["opportunistic"]["version"].startswith("TLSv1.")
    assert facts["opportunistic"]["peerVerified"] is False
    assert facts["verify"]["peerVerified"] is True


def test_a_bundle_with_a_record_taken_out_fails(fefaent_binary, tmp_path):
    daemon, receiver, queue_id = one_mail_with_evidence(fefaent_binary, tmp_path)
    try:
        out = tmp_path / "export"
        daemon.cli("evidence", "export", queue_id, "--out", str(out))
        # Export refuses a folder that holds files.
        again = daemon.cli("evidence", "export", queue_id, "--out", str(out), check=False)
        assert again.returncode != 0 and "is not empty" in again.stderr
        pdf = tmp_path / "evidence.pdf"
        daemon.cli("evidence", "pdf", queue_id, "--out", str(pdf))
        missing = daemon.cli("evidence", "pdf", queue_id, "--out", str(tmp_path / "nowhere" / "x.pdf"), check=False)
        assert missing.returncode != 0 and "does not exist" in missing.stderr and "Foundation" not in missing.stderr
    finally:
        assert daemon.stop() == 0
        receiver.stop()
    verify = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False)
    assert "ok   manifest: signed; lists 2 record(s)" in verify.stdout
    # `verify FILE.pdf` checks what the PDF carries, not only its signature.
    checked = daemon.cli("evidence", "verify", str(pdf), "--ca", str(daemon.ca), config=False)
    assert checked.stdout.rstrip().endswith("VERIFIED") and "NOT VERIFIED" not in checked.stdout
    assert "ok   manifest" in checked.stdout and "(inclusion proof)" in checked.stdout
    assert "is the message the records certify" in checked.stdout

    [failure] = [path for path in (out / "records").glob("*.json")
                 if not path.name.endswith(".proof.json") and b'"RelayToNonERDS"' in path.read_bytes()]
    evidence_id = failure.name[:-5]
    for path in (out / "records").glob(evidence_id + ".*"):
        path.unlink()
    verify = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False, check=False)
    assert verify.returncode == 1
    assert f"record {evidence_id}: RelayToNonERDS, listed in the manifest, is missing" in verify.stdout
    # Taking the manifest out as well does not help.
    (out / "manifest.json").unlink()
    verify = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False, check=False)
    assert verify.returncode == 1 and "whether records were removed cannot be told" in verify.stdout


def test_records_follow_their_events_within_the_record_interval_and_checkpoints_keep_theirs(fefaent_binary,
                                                                                             tmp_path):
    # Records every 100 ms, checkpoints every 20 s: a mail's acceptance is signed and logged at once,
    # and no checkpoint is made for it before its interval.
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", '"*" = "127.0.0.1:9"', interval=20000,
                             record_interval=100)
    daemon.start_with_account()
    try:
        time.sleep(1)  # the writer's first round (the empty log gets no checkpoint) is over
        queue_id = submit(daemon, "bob@example.test")
        accepted = time.monotonic()

        def records():
            with sqlite3.connect(daemon.spool / "evidence.sqlite", timeout=10) as db:
                return db.execute("SELECT leaf_index FROM record WHERE queue_id = ?", (queue_id,)).fetchall()
        daemon.wait(records, "the acceptance record", seconds=5)
        assert time.monotonic() - accepted < 2.0
        with sqlite3.connect(daemon.spool / "evidence.sqlite", timeout=10) as db:
            assert db.execute("SELECT COUNT(*) FROM checkpoint").fetchone()[0] == 0
        listing = daemon.cli("evidence", "list", "--queue", queue_id).stdout
        assert "not yet" in listing  # signed and logged, not yet stamped: no checkpoint covers it
    finally:
        assert daemon.stop() == 0
    # At shutdown the writer's last round checkpoints what it wrote.
    with sqlite3.connect(daemon.spool / "evidence.sqlite", timeout=10) as db:
        assert db.execute("SELECT MAX(size) FROM checkpoint").fetchone()[0] >= 1


def test_sigkill_between_the_spool_commit_and_the_evidence_write_loses_nothing(fefaent_binary, tmp_path):
    # The evidence writer runs at start and then once a minute: the mail's evidence waits in the outbox.
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", '"*" = "127.0.0.1:9"', interval=60000)
    daemon.start_with_account()
    time.sleep(1)  # the writer's first round is over
    queue_id = submit(daemon, "bob@example.test")
    row, _ = daemon.message(queue_id)
    with sqlite3.connect(daemon.spool / "queue.sqlite") as db:
        outbox = db.execute("SELECT evidence_id, kind FROM evidence_outbox WHERE queue_id = ?", (queue_id,)).fetchall()
    assert [kind for _, kind in outbox] == ["submissionAccepted"]
    daemon.kill()
    killed_at = time.time()
    with sqlite3.connect(daemon.spool / "evidence.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM record WHERE queue_id = ?", (queue_id,)).fetchone()[0] == 0

    time.sleep(1.2)
    daemon.config.write_text(daemon.config.read_text().replace("interval_ms = 60000", "interval_ms = 100"))
    daemon.start()
    try:
        [listed] = wait_for_evidence(daemon, queue_id, 1)
        assert outbox[0][0] in listed  # the id given in the spool transaction
        shown = daemon.cli("evidence", "show", outbox[0][0]).stdout
        record = json.loads(shown[:shown.index("\nsignature")])
        assert record["kind"] == "SubmissionAcceptance"
        # The event's own time (the queue row's), signed later, after the restart.
        received_ms = int(sqlite3.connect(daemon.spool / "queue.sqlite").execute(
            "SELECT CAST(ROUND((julianday(received_at) - 2440587.5) * 86400000) AS INTEGER) FROM message WHERE id = ?",
            (queue_id,)).fetchone()[0])
        assert record["timeMs"] == received_ms
        signed_at = next(line for line in shown.splitlines() if line.startswith("signed at")).split()[-1]
        signed = calendar.timegm(time.strptime(signed_at[:19], "%Y-%m-%dT%H:%M:%S"))
        assert signed >= int(killed_at) and signed * 1000 > record["timeMs"]
        with sqlite3.connect(daemon.spool / "queue.sqlite") as db:
            deadline = time.monotonic() + 10
            while db.execute("SELECT COUNT(*) FROM evidence_outbox").fetchone()[0] and time.monotonic() < deadline:
                time.sleep(0.1)
            assert db.execute("SELECT COUNT(*) FROM evidence_outbox").fetchone()[0] == 0  # pruned once written
    finally:
        assert daemon.stop() == 0


def test_fefaents_own_bounce_has_evidence(fefaent_binary, tmp_path):
    refusing = sink.Sink(tmp_path / "r", free_port(), "-f", "RCPT").start()
    home = sink.Sink(tmp_path / "h", free_port()).start()  # the sender's own server
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent",
                             f'"refusing.test" = "127.0.0.1:{refusing.port}"\n"acme.test" = "127.0.0.1:{home.port}"')
    daemon.start_with_account()
    try:
        # A first mail gives the log a checkpoint, which every notice then carries.
        first = submit(daemon, "carol@acme.test")
        wait_for_evidence(daemon, first, 2)
        wait_for_anchor(daemon, 2)
        queue_id = submit(daemon, "bob@refusing.test")
        wait_for(daemon, queue_id, lambda row, rs: rs[0]["state"] == "bounced")
        wait_for_evidence(daemon, queue_id, 2)
        out = tmp_path / "original"
        daemon.cli("evidence", "export", queue_id, "--out", str(out))
        [failure] = records_of_kind(out, "RelayToNonERDSFailure")
        assert failure["reason"] == "rejectedByRemoteServer" and failure["event"]["reply"].startswith("5")
        # The bounce itself: a SenderNotification record, then its own delivery to the sender's server.
        deadline = time.monotonic() + 20
        notices = []
        while time.monotonic() < deadline and not notices:
            listing = daemon.cli("evidence", "list").stdout
            notices = [line.split()[1] for line in listing.splitlines() if "SenderNotification" in line]
            time.sleep(0.2)
        assert notices, listing
        shown = daemon.cli("evidence", "show", notices[0]).stdout
        notice = json.loads(shown[:shown.index("\nsignature")])
        assert notice["event"]["notice"] == "deliveryFailureReport"
        assert notice["event"]["aboutQueueId"] == queue_id
        assert notice["event"]["reportedRecipients"] == ["bob@refusing.test"]
        assert notice["recipients"] == ["alice@acme.test"]
        wait_for_evidence(daemon, notice["queueId"], 2)
        # The bounce the sender got carries the log's latest signed checkpoint.
        import email
        import email.policy
        from test_dsn import wait_for_messages
        bounce = next(dump for dump in wait_for_messages(home, 2) if b"X-Mail-Args: <>" in dump)
        lines = bounce.split(b"\n")
        while lines and lines[0].startswith(b"X-"):  # smtp-sink's own lines come first
            lines.pop(0)
        raw = b"\n".join(lines)
        text = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",)).get_content()
        assert "latest checkpoint of this server's evidence log" in text, text
        lines = text.replace("\r", "")[text.replace("\r", "").index("fefaent.test/evidence\n"):].split("\n")
        note = "\n".join(lines[:next(i for i, line in enumerate(lines) if line.startswith("\u2014 ")) + 1]) + "\n"
        _, size, _ = independent.read_checkpoint(note, (daemon.keys / "log.vkey").read_text())
        assert size >= 2
    finally:
        assert daemon.stop() == 0
        refusing.stop()
        home.stop()


def test_records_name_their_issuer_policy_and_how_the_sender_was_authenticated(fefaent_binary, tmp_path):
    receiver = sink.Sink(tmp_path / "sink", free_port()).start()
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", f'"*" = "127.0.0.1:{receiver.port}"',
                             extra="")
    daemon.config.write_text(daemon.config.read_text().replace(
        "[auth]\n", '[auth]\ntrusted_networks = ["127.0.0.2/32"]\n') + 'issuer_name = "Fefaent Test Provider"\n'
        'policy_id = "1.3.6.1.4.1.99999.7"\npolicy_url = "https://fefaent.test/policy"\n')
    daemon.start_with_account()
    try:
        submitted = submit(daemon, "bob@example.test")
        # The company MTA on a trusted network relays without AUTH.
        import smtplib
        with smtplib.SMTP("127.0.0.1", daemon.mx, source_address=("127.0.0.2", 0), timeout=30) as client:
            client.ehlo("mta.acme.test")
            client.mail("alice@acme.test")
            assert client.rcpt("carol@example.test")[0] == 250
            code, reply = client.data(b"From: alice@acme.test\r\nSubject: trusted\r\n\r\nhello\r\n")
            assert code == 250
        trusted = reply.decode().rsplit(" ", 1)[-1]
        for queue_id in (submitted, trusted):
            wait_for_evidence(daemon, queue_id, 2)
        records = {}
        for queue_id in (submitted, trusted):
            out = tmp_path / queue_id
            daemon.cli("evidence", "export", queue_id, "--out", str(out))
            records[queue_id] = (records_of_kind(out, "SubmissionAcceptance")[0], records_of_kind(out, "RelayToNonERDS")[0])
    finally:
        assert daemon.stop() == 0
        receiver.stop()
    accepted, relayed = records[submitted]
    assert accepted["issuer"] == {"name": "Fefaent Test Provider", "policyId": "1.3.6.1.4.1.99999.7",
                                  "policyUrl": "https://fefaent.test/policy"}
    assert relayed["issuer"] == accepted["issuer"]
    assert accepted["digestAlgorithm"] == "2.16.840.1.101.3.4.2.1"
    assert accepted["senderAuthentication"] == {"method": "smtp-auth", "identity": "alice"}
    assert relayed["senderAuthentication"] is None  # a property of the submission, not of the relay
    assert records[trusted][0]["senderAuthentication"] == {"method": "trusted-network", "identity": None}
    assert records[trusted][0]["event"]["helo"] == "mta.acme.test"


def test_a_spool_file_lost_before_the_writer_ran_still_gets_its_acceptance_record(fefaent_binary, tmp_path):
    # A careless operator deletes the spool's message files while the evidence writer sleeps.
    daemon = evidence_daemon(fefaent_binary, tmp_path / "fefaent", '"*" = "127.0.0.1:9"', interval=60000)
    daemon.start_with_account()
    time.sleep(1)  # the writer's first round is over
    queue_id = submit(daemon, "bob@example.test")
    sent = daemon.original_bytes(queue_id)
    daemon.kill()
    for segment in (daemon.spool / "seg").glob("*"):
        segment.unlink()
    daemon.config.write_text(daemon.config.read_text().replace("interval_ms = 60000", "interval_ms = 100"))
    daemon.start()
    try:
        [listed] = wait_for_evidence(daemon, queue_id, 1)
        evidence_id = listed.split()[1]
        shown = daemon.cli("evidence", "show", evidence_id).stdout
        record = json.loads(shown[:shown.index("\nsignature")])
        # What the spool transaction recorded stands: the digest and size taken at reception...
        import hashlib
        assert record["message"] == {"sha256": hashlib.sha256(sent).hexdigest(), "size": len(sent)}
        # ...and so do the parts: they were hashed while the message streamed in, and the outbox
        # event carries them; the evidence writer never needed the file that was lost.
        [part] = record["attachments"]
        body = sent[sent.index(b"\r\n\r\n") + 4:]
        assert part["sha256"] == hashlib.sha256(body).hexdigest() and part["size"] == len(body)
        assert "cannot read a message for its evidence" not in daemon.log_text()
        assert daemon.message(queue_id)[0]["state"] == "missing"
    finally:
        assert daemon.stop() == 0


def test_renewal_adds_archive_time_stamps_that_openssl_and_verify_check(fefaent_binary, tmp_path):
    daemon, receiver, queue_id = one_mail_with_evidence(fefaent_binary, tmp_path)
    assert daemon.stop() == 0
    receiver.stop()
    # The development TSA certificate lives two years: nothing is due within 90 days, all within 1000.
    assert daemon.cli("evidence", "renew").stdout.startswith("0 of 0 record(s)")
    assert daemon.cli("evidence", "renew", "--within-days", "1000").stdout.startswith("2 of 2 record(s)")
    assert daemon.cli("evidence", "renew", "--within-days", "1000").stdout.startswith("2 of 2 record(s)")
    out = tmp_path / "export"
    daemon.cli("evidence", "export", queue_id, "--out", str(out))
    verify = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False)
    assert verify.stdout.count("renewed 2 time(s)") == 2 and "NOT VERIFIED" not in verify.stdout
    audit = daemon.cli("evidence", "audit", "--deep")
    assert "\nVERIFIED\n" in audit.stdout

    # What each archive time-stamp covers, computed here: length-prefixed record, signed attributes,
    # signature and the tokens before it; openssl checks the token against that digest.
    import hashlib
    record_path = next(p for p in (out / "records").glob("*.json") if not p.name.endswith(".proof.json"))
    base = record_path.with_suffix("")
    signed = independent.SignedData(Path(f"{base}.p7s").read_bytes())
    parts = [record_path.read_bytes(), signed.attributes_der, signed.signature, Path(f"{base}.tsr").read_bytes()]
    for position in (1, 2):
        digest = hashlib.sha256(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).hexdigest()
        token = Path(f"{base}.ats{position}.tsr")
        assert "Verification: OK" in __import__("test_evidence").openssl(
            "ts", "-verify", "-token_in", "-in", str(token), "-digest", digest, "-CAfile", str(daemon.ca))
        parts.append(token.read_bytes())

    # A renewal swapped for another record's: the chain breaks and verify says where.
    other = next(p for p in (out / "records").glob("*.json")
                 if not p.name.endswith(".proof.json") and p != record_path).with_suffix("")
    Path(f"{base}.ats1.tsr").write_bytes(Path(f"{other}.ats1.tsr").read_bytes())
    broken = daemon.cli("evidence", "verify", str(out), "--ca", str(daemon.ca), config=False, check=False)
    assert broken.returncode == 1 and "archive time-stamp 1" in broken.stdout
