from celery import shared_task

from . import services


@shared_task(name="equality.flush_answer_pool", ignore_result=True)
def task_flush_answer_pool() -> None:
    flushed = services.flush_answer_pool()
    if flushed.moved or flushed.closed:
        services.vacuum_answer_tables()
