"""What /healthz reports: can we reach the database and, when configured,
the Celery broker? Each check answers quickly and never raises."""

from django.conf import settings
from django.db import connection

from . import redis_breaker


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down", reported, not raised
        return False


def check_broker() -> bool | None:
    """True or False, or None when no broker is configured (tasks run eagerly)."""
    if not settings.REDIS_URL:
        return None
    return bool(redis_breaker.call(lambda client: client.ping(), default=False))


def redis_skipped_for() -> float:
    """Seconds for which this process still skips Redis after a failure
    (core/redis_breaker.py); 0 when it uses Redis."""
    return redis_breaker.open_for()


def worker_last_seen() -> str | None:
    """When a Celery worker last ran the heartbeat task (ISO time), if known."""
    from django.core.cache import cache

    from .tasks import HEARTBEAT_KEY

    try:
        heartbeat = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001 - the cache being down is reported as unknown
        return None
    return heartbeat["at"] if heartbeat else None
