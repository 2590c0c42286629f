from celery import shared_task

from . import services
from .models import EventAlertRun


@shared_task(name="alerts.start_event_alerts", ignore_result=True)
def task_start_event_alerts() -> None:
    services.start_event_alerts()


# trail=False: Celery otherwise keeps a result object for every task a task
# sends (here one per email), and the worker's memory would grow with the
# number of subscribers.
@shared_task(name="alerts.send_event_alerts", ignore_result=True, trail=False)
def task_send_event_alerts(*, run_id: int) -> None:
    run = EventAlertRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    services.send_event_alerts(run)


@shared_task(name="alerts.apply_retention", ignore_result=True)
def task_apply_alert_retention() -> None:
    services.apply_alert_retention()
