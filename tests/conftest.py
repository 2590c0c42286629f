import os

import pytest
from django.conf import settings
from django.core.cache import caches

from core import redis_breaker
from tests.factories import EventFactory
from tests.support.staff import sign_in_staff


@pytest.fixture(autouse=True)
def _site_settings(settings):
    settings.FORCE_NAME = "Hertfordshire Constabulary"
    settings.SITE_URL = "https://events.example.org"


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test renders its pages afresh (core/pages.py caches them per process)."""
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _redis_breaker_closed():
    """Each test starts trusting Redis again (core/redis_breaker.py)."""
    redis_breaker.reset()


@pytest.fixture
def event(db):
    return EventFactory()


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


requires_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="needs DATABASE_URL (real PostgreSQL)"
)
requires_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (real Redis)"
)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with the second factor the
    admin requires (tests/support/staff.py)."""
    return sign_in_staff(client, admin_user)
