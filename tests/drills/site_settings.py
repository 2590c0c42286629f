"""Settings for the site a drill serves with gunicorn: the test settings,
except that tasks go through the broker at REDIS_URL to a worker, as in
production, instead of running in the web process."""

from tests.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
