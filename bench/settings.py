"""The product's settings with the bench's comparison views added. Only the
gunicorn started by `make bench` uses this module; the Celery worker it starts
runs on recruitment.settings itself."""

import os

from recruitment.settings import *  # noqa: F403

# The bare views and their template; no models, so no migrations.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
# collectstatic goes to a temporary folder, never the developer's staticfiles/.
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
# Every load comes from 127.0.0.1 and posts the instant it has the form: the
# public forms' rate limits and minimum fill time (core/antispam.py) would
# turn the load away. The bench measures the work behind them.
RATELIMIT_ENABLE = False
FORM_MIN_FILL_SECONDS = 0
