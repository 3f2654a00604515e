"""The queue runner is woken by each accepted mail (it does not wait out its poll interval) and keeps
a finished connection open for the next mail to the same domain, as Postfix's connection cache does,
then says QUIT once it has been idle for `connection_cache_ms`. The receiving server is aiosmtpd on
loopback, which counts the sessions it is given and when each ends."""
import smtplib
import ssl
import threading
import time

import pytest

from conftest import PASSWORD, Daemon, free_port, queue_id_from

BODY = b"From: alice@acme.test\r\nTo: bob@example.test\r\nSubject: %d\r\n\r\nbody %d\r\n"


class Counting:
    """An aiosmtpd handler that notes each session's EHLO and QUIT (with the time) and keeps each mail."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sessions = 0
        self.quits = []
        self.mails = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.mails += 1
        return "250 2.0.0 kept"

    async def handle_QUIT(self, server, session, envelope):
        with self.lock:
            self.quits.append(time.monotonic())
        return "221 2.0.0 bye"


def start(fefaent_binary, folder, port: int, cache_ms: int) -> Daemon:
    # A poll interval of a minute: a mail delivered within seconds was delivered because its
    # acceptance woke the runner.
    daemon = Daemon(fefaent_binary, folder, extra_config=f"""
[delivery]
poll_interval_ms = 60000
connection_cache_ms = {cache_ms}

[delivery.routes]
"*" = "127.0.0.1:{port}"
""")
    return daemon.start_with_account()


def submit(daemon, number: int) -> str:
    with smtplib.SMTP("127.0.0.1", daemon.submission, timeout=30) as client:
        client.starttls(context=ssl.create_default_context(cafile=str(daemon.ca)))
        client.ehlo("client.acme.test")
        client.login("alice", PASSWORD)
        client.mail("alice@acme.test")
        assert client.rcpt("bob@example.test")[0] == 250
        code, reply = client.data(BODY % (number, number))
        assert code == 250
        return queue_id_from(reply)


def delivered_within(daemon, queue_id: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        _, recipients = daemon.message(queue_id)
        if recipients and all(r["state"] == "delivered" for r in recipients):
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"{queue_id} not delivered within {seconds} s: {daemon.message(queue_id)}")


def wait_until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def receiver():
    """aiosmtpd on a free loopback port, counting; yields (handler, port, restart)."""
    from aiosmtpd.controller import Controller

    counting = Counting()
    port = free_port()
    controllers = [Controller(counting, hostname="127.0.0.1", port=port)]
    controllers[0].start()

    def restart():
        controllers[-1].stop()  # closes its sessions from the server's side
        controllers.append(Controller(counting, hostname="127.0.0.1", port=port))
        controllers[-1].start()

    yield counting, port, restart
    controllers[-1].stop()


@pytest.fixture
def relay(fefaent_binary, tmp_path, receiver):
    """Starts Fefaent relaying to the receiver with a given `connection_cache_ms`; stops it after the
    test, which must exit 0."""
    started = []

    def start_with(cache_ms: int) -> Daemon:
        started.append(start(fefaent_binary, tmp_path / "fefaent", receiver[1], cache_ms))
        return started[-1]

    yield start_with
    for daemon in started:
        assert daemon.stop() == 0


def send_one_by_one(daemon, mails: int) -> list:
    """Sends `mails` mails, each once the one before was delivered; returns how long each waited."""
    waits = []
    for number in range(mails):
        waits.append(delivered_within(daemon, submit(daemon, number), 5))
        time.sleep(0.3)  # each mail in a batch of its own
    return waits


def test_mails_one_after_another_share_one_connection_then_it_is_closed(receiver, relay):
    counting, _, _ = receiver
    daemon = relay(2000)
    waits = send_one_by_one(daemon, 5)
    last = time.monotonic()
    # Woken by each acceptance: never the minute's poll.
    assert max(waits) < 3, waits
    assert counting.mails == 5
    # Five batches, one connection: the first was kept for the next four.
    assert counting.sessions == 1
    assert counting.quits == []
    # Idle for the cache time, the connection is closed with QUIT (not dropped).
    assert wait_until(lambda: counting.quits, 6), "the idle connection was never closed"
    idle = counting.quits[0] - last
    assert 1.5 < idle < 4, idle


def test_without_the_cache_each_batch_opens_and_closes_its_own_connection(receiver, relay):
    counting, _, _ = receiver
    daemon = relay(0)
    waits = send_one_by_one(daemon, 3)
    assert max(waits) < 3, waits
    assert counting.mails == 3
    assert counting.sessions == 3
    assert wait_until(lambda: len(counting.quits) == 3, 3)


def test_a_connection_the_receiver_closed_while_idle_is_replaced(receiver, relay):
    """The cached connection's server went away (restarted): the next mail opens a new one and arrives."""
    counting, _, restart = receiver
    daemon = relay(30000)
    delivered_within(daemon, submit(daemon, 1), 5)
    restart()
    delivered_within(daemon, submit(daemon, 2), 5)
    assert counting.mails == 2
    assert counting.sessions == 2


def test_a_stopping_daemon_says_quit_on_its_idle_connections(fefaent_binary, tmp_path, receiver):
    counting, port, _ = receiver
    daemon = start(fefaent_binary, tmp_path / "fefaent", port, cache_ms=30000)
    delivered_within(daemon, submit(daemon, 1), 5)
    assert counting.quits == []
    assert daemon.stop() == 0
    assert len(counting.quits) == 1
