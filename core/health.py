"""What /healthz reports: can we reach the database and, when configured,
the Celery broker? Each check answers quickly and never raises."""

from django.conf import settings
from django.db import connection


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
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def worker_last_seen() -> str | None:
    """When a Celery worker last ran the heartbeat task (ISO time), if known."""
    from django.core.cache import cache

    from .tasks import HEARTBEAT_KEY

    try:
        heartbeat = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001 - the cache being down is reported as unknown
        return None
    return heartbeat["at"] if heartbeat else None
