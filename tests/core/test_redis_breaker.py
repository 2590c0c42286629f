"""The Redis breaker (core/redis_breaker.py): after one failure, the cache
and the enqueue skip Redis instead of each waiting for a timeout."""

import pytest
from django.core.cache import caches

from core import redis_breaker
from tests.emails.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_redis(settings):
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.REDIS_URL = url
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "core.cache.GuardedRedisCache", "LOCATION": url},
    }
    return url


def test_after_one_failure_the_cache_skips_redis_and_healthz_says_so(client, dead_redis):
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the client raises
        caches["default"].get("a")
    trips = redis_breaker.trips()

    with pytest.raises(redis_breaker.RedisSkipped):
        caches["default"].get("b")
    body = client.get("/healthz").json()

    assert redis_breaker.trips() == trips
    assert body["broker"] == "unavailable"
    assert 0 < body["redis_skipped_for_seconds"] <= redis_breaker.OPEN_SECONDS
