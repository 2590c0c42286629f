"""Test settings: the real settings with only what tests need changed."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SITE_URL", "https://events.example.org")
# Tests never read a developer's .env: the environment alone decides.
os.environ.setdefault("DJANGO_READ_DOT_ENV", "false")

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
