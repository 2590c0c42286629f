"""The machinery of the end-to-end email tests (tests/emails/test_delivery.py)
and the fault drills (tests/drills/): a real SMTP server on loopback, real
Celery worker processes, redis-servers of a test's own, and waiting for a
condition instead of sleeping.

Fixtures here are imported by the conftest.py of each directory that uses
them."""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import redis
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import override_settings
from kombu import pools

from recruitment.celery import app as celery_app
from recruitment.settings import BASE_DIR
from tests.conftest import requires_postgresql, requires_redis

DELIVERY_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, what: str, timeout: float = DELIVERY_TIMEOUT_SECONDS):
    """Poll `condition` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class RelayHandler:
    """A real SMTP server on loopback (aiosmtpd, in a thread of the test
    process) that records what it accepts and answers as a relay would:

    - an address starting `nobody@` is refused for good: 550 at RCPT;
    - an address starting `greylisted@` is refused for now the first time
      (451 at RCPT, as greylisting does) and accepted after;
    - an address starting `busy@` gets 451 after DATA the first time.

    `quit_delay` (seconds) makes it slow to answer QUIT, after it has
    accepted the message: a client killed in that pause never learns that
    its message went.

    `limit` (messages, seconds) makes it answer "421 4.7.0 too many" at
    RCPT once it has accepted that many messages in the last that many
    seconds, as a relay's rate limit does; `throttled` counts those answers.
    `times` holds when each message was accepted (time.monotonic())."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.times: list[float] = []
        self.tries = Counter()
        self.lock = threading.Lock()
        self.quit_delay = 0.0
        # Seconds before answering DATA, after taking the message: a worker
        # keeps its connection open (no QUIT per email), so this is how a
        # slow relay holds it mid-send.
        self.data_delay = 0.0
        self.limit: tuple[int, float] | None = None
        self.throttled = 0
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    def _over_limit(self) -> bool:
        if self.limit is None:
            return False
        count, seconds = self.limit
        since = time.monotonic() - seconds
        with self.lock:
            if sum(1 for at in self.times if at > since) < count:
                return False
            self.throttled += 1
            return True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.tries[address] += 1
            first_try = self.tries[address] == 1
        if self._over_limit():
            return "421 4.7.0 Too many messages, slow down"
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("greylisted@") and first_try:
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if any(address.startswith("busy@") for address in envelope.rcpt_tos):
            with self.lock:
                self.tries["DATA busy"] += 1
                if self.tries["DATA busy"] == 1:
                    return "451 4.3.0 Mail server busy, try again later"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.times.append(time.monotonic())
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return "250 Message accepted"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.quit_delay:
            await asyncio.sleep(self.quit_delay)
        return "221 Bye"

    def received(self, to: str | None = None) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if to is None or m["To"] == to]


@pytest.fixture
def smtp_server():
    """The handler, with `.port`; stopped after the test."""
    handler = RelayHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def fresh_sending_rate():
    """No pause, bucket or daily count of the shared sending rate
    (emails/ratelimit.py) left in the test Redis before or after the test."""
    from emails import ratelimit

    def empty():
        ratelimit.forget_pause()
        if not os.environ.get("REDIS_URL"):
            return
        with contextlib.closing(redis.Redis.from_url(os.environ["REDIS_URL"])) as client:
            client.delete(ratelimit.BUCKET_KEY, *client.keys("emails:day:*"))

    empty()
    yield
    empty()


@pytest.fixture
def smtp_backend(settings, smtp_server):
    """The worker's SMTP backend (emails/smtp.py) in the test process, pointed at the
    loopback server."""
    settings.EMAIL_BACKEND = "emails.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server


# The marks of a test module whose tests run real worker or server processes:
# they need PostgreSQL and Redis, and commit for real so that the other
# processes see the rows (each test ends with the rows migrations made put
# back, tests/support/database.py). Under pytest-xdist they all run in one
# of its processes, one after another (`--dist loadgroup`): two such tests
# at once on a small machine would each starve the other's workers.
REAL_PROCESSES = [
    requires_postgresql,
    requires_redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("real-processes"),
]


def database_url(*, port: int | None = None) -> str:
    """The test database, for another process; through `port` (a proxy on
    loopback) instead of the database's own when given."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    if port is None:
        return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    # No TLS, so that a proxy can see which statement it is passing on.
    return f"postgres://{db['USER']}{password}@127.0.0.1:{port}/{db['NAME']}?sslmode=disable"


def lane_queues(queue_name: str) -> dict[str, str]:
    """A test's own queue for each email lane (settings.EMAIL_QUEUES). With
    Celery's default queue (a drill's own Redis, whose site runs with the
    real settings), the real names."""
    if queue_name == "celery":
        return {lane: lane for lane in ("transactional", "bulk")}
    return {lane: f"{queue_name}-{lane}" for lane in ("transactional", "bulk")}


def worker_queues(queue_name: str) -> str:
    """What the test's worker consumes, in the Procfile's order."""
    lanes = lane_queues(queue_name)
    return f"{lanes['transactional']},{queue_name},{lanes['bulk']}"


@pytest.fixture
def queue_name():
    name = f"test-emails-{uuid.uuid4().hex[:12]}"
    yield name
    with contextlib.closing(redis.Redis.from_url(os.environ["REDIS_URL"])) as client:
        client.delete(name, *lane_queues(name).values())


@pytest.fixture
def start_worker(smtp_server, queue_name):
    """Start a real worker (the production settings, SMTP to the loopback
    server) on a broker, in a process group of its own so that a drill can
    kill it with its pool; all are stopped after the test. Without
    `concurrency` it runs one task at a time in one process (solo pool);
    with it, a prefork pool of that many children, as the Procfile runs it."""
    processes = []

    def start(
        broker_url: str, *, concurrency: int | None = None, env: dict | None = None
    ) -> subprocess.Popen:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "recruitment.settings",
            "DJANGO_READ_DOT_ENV": "false",
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
            "EMAIL_TIMEOUT": "5",
            **(env or {}),
        }
        # `env` adds to or replaces the worker's environment (EMAIL_RATE, say).
        pool = ["--pool=solo"] if concurrency is None else ["--concurrency", str(concurrency)]
        command = [sys.executable, "-m", "celery", "-A", "recruitment", "worker", "-Q"]
        command += [worker_queues(queue_name), "--prefetch-multiplier", "1"]
        command += [*pool, "--loglevel=WARNING", "--without-gossip", "--without-mingle"]
        processes.append(
            subprocess.Popen(command, cwd=BASE_DIR, env=environment, start_new_session=True)
        )
        return processes[-1]

    yield start
    for process in processes:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """Stop a process started in a session of its own, gracefully if it
    will, then anything left in its group."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGCONT)  # in case a test paused it
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_process_group(process)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def kill_process_group(process: subprocess.Popen) -> None:
    """SIGKILL a process started in a session of its own and every process
    it started (a worker and its pool): no cleanup, as in a power cut."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def own_redis():
    """Start a redis-server of the test's own on a port (nothing saved to
    disk); every one started is stopped after the test."""
    servers = []

    def start(port: int) -> subprocess.Popen:
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        servers.append(server)
        wait_for(lambda: redis_answers(port), what=f"redis-server on port {port}", timeout=10)
        return server

    yield start
    for server in servers:
        server.send_signal(signal.SIGCONT)
        server.terminate()
        server.wait(timeout=10)


def redis_answers(port: int) -> bool:
    with contextlib.closing(redis.Redis(port=port, socket_timeout=1)) as client:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False


@contextlib.contextmanager
def through_broker(url: str, queue_name: str):
    """Tasks go through the broker at `url` (not in-process) for a while,
    on the test's own queues."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_default_queue, conf.task_always_eager)
    forget_broker_connections()
    conf.broker_url, conf.task_default_queue, conf.task_always_eager = url, queue_name, False
    try:
        with override_settings(EMAIL_QUEUES=lane_queues(queue_name)):
            yield
    finally:
        forget_broker_connections()
        conf.broker_url, conf.task_default_queue, conf.task_always_eager = saved


def broker_drained(url: str, queue_name: str) -> bool:
    """Whether every send task on the test's queues at `url` was taken and
    acknowledged: none waits in a queue and no worker holds one it has not
    acknowledged (acks_late: a task is acknowledged once it has run, so by
    then its email has reached the SMTP server). Looked at twice a moment
    apart, so that a message a worker is just taking is not missed."""
    names = {queue_name, *lane_queues(queue_name).values()}

    def drained_now(client) -> bool:
        if any(client.llen(name) for name in names):
            return False
        held = (json.loads(raw) for raw in client.hvals("unacked"))
        return not any(routing_key in names for _message, _exchange, routing_key in held)

    with contextlib.closing(redis.Redis.from_url(url, socket_timeout=5)) as client:
        if not drained_now(client):
            return False
        time.sleep(0.2)
        return drained_now(client)


def forget_broker_connections():
    """Close the pooled broker connections and forget the pools, as a forked
    process does, so the next publish connects to the broker now configured."""
    pools.reset()
    celery_app._after_fork()
