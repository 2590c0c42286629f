"""Test settings: the real settings with only what tests need changed."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SITE_URL", "https://events.example.org")
# Tests never read a developer's .env: the environment alone decides.
os.environ.setdefault("DJANGO_READ_DOT_ENV", "false")


def _own_redis_database(url: str, worker: str) -> str:
    """REDIS_URL for pytest-xdist's worker `worker` ("gw0", "gw1", ...): the
    same server, the database numbered that many after REDIS_URL's own, so
    that the processes' caches, rate buckets and queues never meet. The test
    database is made per worker by pytest-django (test_NAME_gw0, ...)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{number}"))


# Set in the environment, not only in settings: the workers and servers
# that tests start read it from there. Once: such a process inherits
# PYTEST_XDIST_WORKER too, and is given a REDIS_URL already its own (or a
# private redis-server's).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker and os.environ.get("TESTS_REDIS_FOR") != _worker:
    os.environ["REDIS_URL"] = _own_redis_database(os.environ["REDIS_URL"], _worker)
    os.environ["TESTS_REDIS_FOR"] = _worker

from recruitment.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="insight-tests-media-")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
# Tasks run in-process unless a test starts a real worker against REDIS_URL.
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the finders: tests do not run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests post forms in milliseconds and many times from one address; the
# tests of core/antispam.py switch these back on.
FORM_MIN_FILL_SECONDS = 0
RATELIMIT_ENABLE = False
