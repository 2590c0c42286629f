"""One breaker for every use of Redis in a process: the cache (and so the
public forms' rate limits and the worker heartbeat), handing emails to the
broker, and the shared sending rate. After a Redis call fails (a timeout, a
refused connection), each of them skips Redis for OPEN_SECONDS instead of
waiting for its own timeout, so a hung or stopped Redis costs a web request
one short timeout in all. What is skipped fails open: rate limits do not
limit, emails wait in the outbox for the sweeper, the sending rate is the
relay's. /healthz says when the breaker is open."""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

OPEN_SECONDS = 15.0
# Short, like the cache's and the broker's: Redis answers in a millisecond.
SOCKET_TIMEOUT_SECONDS = 2.0

_lock = threading.Lock()
_state = {"open_until": 0.0, "trips": 0}
_clients: dict[str, redis.Redis] = {}


class RedisSkipped(redis.ConnectionError):
    """Raised instead of calling Redis while the breaker is open."""


def available() -> bool:
    """Whether Redis may be called now (the breaker is closed)."""
    return time.monotonic() >= _state["open_until"]


def open_for() -> float:
    """Seconds until Redis is tried again; 0 when the breaker is closed."""
    return max(0.0, _state["open_until"] - time.monotonic())


def trip(error: BaseException | None = None) -> None:
    """Skip Redis for OPEN_SECONDS from now."""
    with _lock:
        _state["open_until"] = time.monotonic() + OPEN_SECONDS
        _state["trips"] += 1
    logger.warning("Redis failed (%s): skipped for %.0f s", error or "unknown", OPEN_SECONDS)


def trips() -> int:
    """How many times this process has tripped the breaker."""
    return _state["trips"]


def reset() -> None:
    """Close the breaker (for tests, which start and stop Redis servers)."""
    with _lock:
        _state["open_until"] = 0.0


def guarded(function: Callable[[], Result]) -> Result:
    """Run a Redis call unless the breaker is open (then raise RedisSkipped);
    a connection error or timeout trips the breaker and is raised."""
    if not available():
        raise RedisSkipped("Redis skipped after a recent failure")
    try:
        return function()
    except (redis.ConnectionError, redis.TimeoutError) as error:
        trip(error)
        raise


def call(function: Callable[[redis.Redis], Result], default: Result = None) -> Result:
    """Run `function` with a client of REDIS_URL, or return `default` when
    there is no Redis, the breaker is open, or the call fails."""
    if not settings.REDIS_URL:
        return default
    try:
        return guarded(lambda: function(client()))
    except redis.RedisError as error:
        if not isinstance(error, RedisSkipped | redis.ConnectionError | redis.TimeoutError):
            logger.warning("Redis call failed: %s", error)
        return default


def client() -> redis.Redis:
    """A client of REDIS_URL with short timeouts, one per process and URL."""
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(
            url,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
        )
    return _clients[url]
