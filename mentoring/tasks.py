from celery import shared_task

from . import services


@shared_task(name="mentoring.erase_expired_requests", ignore_result=True)
def task_erase_expired_requests() -> None:
    services.erase_expired_requests()
