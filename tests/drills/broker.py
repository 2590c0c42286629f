"""A drill's own Redis broker, and what is in it: the send tasks waiting in
a queue, and those a worker took and never acknowledged."""

import base64
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import redis
from kombu import Connection

from tests.support.delivery import free_port, lane_queues


@dataclass(frozen=True)
class PrivateBroker:
    port: int
    start_server: Callable

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the redis-server (again) on the same port."""
        self.start_server(self.port)

    def stop_without_saving(self) -> None:
        """SHUTDOWN NOSAVE: the server exits and forgets every message."""
        with (
            contextlib.closing(self.client()) as client,
            contextlib.suppress(redis.ConnectionError),
        ):
            client.shutdown(nosave=True)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def queued_email_ids(self, queue: str) -> list[int]:
        """The email ids of the send tasks waiting in `queue` and its email
        lanes' queues (tests/support/delivery.py: lane_queues)."""
        names = [queue, *lane_queues(queue).values()]
        with contextlib.closing(self.client()) as client:
            messages = [json.loads(raw) for name in names for raw in client.lrange(name, 0, -1)]
        return [email_id for message in messages for email_id in _email_ids(message)]

    def unacknowledged_email_ids(self) -> list[int]:
        """The email ids of the send tasks a worker took and never
        acknowledged (acks_late: a task is acknowledged once it has run)."""
        with contextlib.closing(self.client()) as client:
            messages = [json.loads(raw)[0] for raw in client.hvals("unacked")]
        return [email_id for message in messages for email_id in _email_ids(message)]

    def drained(self, queue: str) -> bool:
        """Whether every message in `queue` was taken and acknowledged."""
        return not self.queued_email_ids(queue) and not self.unacknowledged_email_ids()

    def redeliver_unacknowledged(self) -> None:
        """What Redis does once the visibility timeout (an hour, in
        settings) has passed since a worker took a message and never
        acknowledged it: put it back in its queue for another worker."""
        with Connection(self.url, transport_options={"visibility_timeout": 0}) as connection:
            connection.default_channel.qos.restore_visible(num=1000)


@pytest.fixture
def private_broker(own_redis):
    """A redis-server of the drill's own, started; stopped after the test."""
    broker = PrivateBroker(port=free_port(), start_server=own_redis)
    broker.start()
    return broker


def _email_ids(message: dict) -> list[int]:
    """The rows a send task carries (a batch, or one in the older form)."""
    _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    return kwargs["email_ids"] if "email_ids" in kwargs else [kwargs["email_id"]]
