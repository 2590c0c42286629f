from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "worker-heartbeat"


@shared_task(name="core.record_heartbeat", ignore_result=True)
def task_record_heartbeat(*, marker: str = "") -> None:
    """Beat runs this every minute; /healthz shows when a worker last did,
    so an operator can see that the worker and beat are alive."""
    cache.set(HEARTBEAT_KEY, {"at": timezone.now().isoformat(), "marker": marker}, timeout=None)


@shared_task(name="core.clear_expired_sessions", ignore_result=True)
def task_clear_expired_sessions() -> None:
    """Sessions carry a candidate's email address to the next page; expired
    ones are deleted daily so the address is not kept beyond the session."""
    from django.contrib.sessions.models import Session

    Session.objects.filter(expire_date__lt=timezone.now()).delete()
