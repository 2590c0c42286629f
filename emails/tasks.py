from celery import shared_task

from . import services


@shared_task(name="emails.send_email", ignore_result=True)
def task_send_email(*, email_id: int) -> None:
    email = services.claim_email(email_id)
    if email is None:
        return
    try:
        services.send_email(email)
    except Exception:  # noqa: BLE001 - recorded on the row; the sweeper retries it
        return
