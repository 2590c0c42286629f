"""Figures 4b and 4c: the two email lanes and the shared sending rate,
through the Procfile's worker (its queues, prefetch 1) to the SMTP sink.

- A confirmation's delay during an event-alert fan-out: ALERTS alerts wait
  in the bulk lane and the worker is sending them when one confirmation is
  queued; its delay runs from its commit to its sent_at. Target under 10 s
  (before lanes it waited behind every alert: two minutes for 20,000).
- The fan-out's send rate with EMAIL_RATE set: alerts sent per minute
  between WARM_UP and WARM_UP + MEASURE seconds after the first went, from
  the rows' sent_at. Target within 5 % of EMAIL_RATE.

`python -m bench.lanes` prepares the bench database and runs the email
figures (4 and these) alone."""

import time
from pathlib import Path

from . import prepare, processes
from .report import Row, load_now, verdict

ALERTS = 20_000
DEDUPE_PREFIX = "bench-lanes:"
DELAY_TARGET_SECONDS = 10
RATE_PER_MINUTE = 300
WARM_UP = 5
MEASURE = 40
TIMEOUT_SECONDS = 240


def queue_alerts(count: int, *, tag: str) -> list[int]:
    """`count` event alerts in the outbox, rendered once (the worker sends
    them as they are), marked as handed over. Returns their ids, oldest first."""
    from django.db import transaction

    from emails.models import OutgoingEmail
    from emails.services import EmailToQueue
    from emails.services.queueing import new_message_id, new_row
    from events.models import Event

    event = Event.objects.get(slug=prepare.PAGE_EVENT)
    context = {
        "event": event,
        "event_url": "https://events.example.org/",
        "role_names": "Police officer",
        "manage_url": "https://events.example.org/alerts/manage/bench/",
        "unsubscribe_url": "https://events.example.org/alerts/unsubscribe/bench/",
    }
    template = new_row(EmailToQueue("event_alert", "x@bench.example.org", context, "x"))
    rows = []
    for number in range(count):
        row = OutgoingEmail(
            **{
                field.name: getattr(template, field.name)
                for field in OutgoingEmail._meta.concrete_fields
                if field.name != "id"
            }
        )
        row.to = f"alert-{number}@bench.example.org"
        row.dedupe_key = f"{DEDUPE_PREFIX}{tag}:{number}"
        row.message_id = new_message_id()
        rows.append(row)
    with transaction.atomic():
        OutgoingEmail.objects.bulk_create(rows, batch_size=2000)
    return [row.pk for row in rows]


def hand_over(ids: list[int]) -> None:
    from emails.services import enqueue_sends

    for start in range(0, len(ids), 1000):
        enqueue_sends(ids[start : start + 1000], lane="bulk")


def queue_confirmation(tag: str) -> float:
    """One confirmation, as register_candidate queues it; the time of its commit."""
    from .mail import queue_emails

    return queue_emails(1, prefix=f"{DEDUPE_PREFIX}{tag}:confirmation:")


def _rows(tag: str):
    from emails.models import OutgoingEmail

    return OutgoingEmail.objects.filter(dedupe_key__startswith=f"{DEDUPE_PREFIX}{tag}:")


def _wait(condition, what: str):
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise RuntimeError(f"timed out waiting for {what}")


def confirmation_delay(env: dict, port: int, logs: Path) -> tuple[float, int]:
    """Seconds from a confirmation's commit to its sending while ALERTS
    alerts wait, and how many alerts were still waiting then."""
    from emails.models import EmailStatus

    prepare.purge_broker()
    with processes.celery_worker(env=env, log=logs / "celery-worker-lanes.log"):
        hand_over(queue_alerts(ALERTS, tag="delay"))
        alerts = _rows("delay").filter(kind="event_alert")
        _wait(lambda: alerts.filter(status=EmailStatus.SENT).count() >= 200, "alerts to go")
        committed = queue_confirmation("delay")
        confirmation = _rows("delay").filter(kind="registration_confirmed")
        sent = _wait(
            lambda: (
                confirmation.filter(status=EmailStatus.SENT)
                .values_list("sent_at", flat=True)
                .first()
            ),
            "the confirmation",
        )
        waiting = alerts.exclude(status=EmailStatus.SENT).count()
    prepare.purge_broker()
    return sent.timestamp() - committed, waiting


def fan_out_rate(env: dict, port: int, logs: Path) -> float:
    """Alerts a minute the worker sends with EMAIL_RATE set."""
    from django.db.models import Min

    from emails import ratelimit
    from emails.models import EmailStatus

    prepare.forget_rate(ratelimit.BUCKET_KEY)
    count = int(RATE_PER_MINUTE / 60 * (WARM_UP + MEASURE) * 1.2)
    worker_env = {**env, "EMAIL_RATE": str(RATE_PER_MINUTE)}
    with processes.celery_worker(env=worker_env, log=logs / "celery-worker-rate.log"):
        hand_over(queue_alerts(count, tag="rate"))
        sent = _rows("rate").filter(status=EmailStatus.SENT)
        first = _wait(lambda: sent.aggregate(first=Min("sent_at"))["first"], "the first alert")
        time.sleep(max(0.0, first.timestamp() + WARM_UP + MEASURE + 1 - time.time()))
        start, end = first.timestamp() + WARM_UP, first.timestamp() + WARM_UP + MEASURE
        times = [at.timestamp() for at in sent.values_list("sent_at", flat=True)]
    prepare.purge_broker()
    return sum(1 for at in times if start <= at < end) / MEASURE * 60


def lane_rows(env: dict, logs: Path) -> list[Row]:
    port = processes.free_port()
    worker_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "recruitment.settings",
        "EMAIL_URL": f"smtp://{processes.HOST}:{port}",
    }
    with processes.smtp_sink(port=port, env=env, log=logs / "smtp-sink-lanes.log"):
        delay, waiting = confirmation_delay(worker_env, port, logs)
        rate = fan_out_rate(worker_env, port, logs)
    print(
        f"  confirmation {delay:.1f} s with {waiting:,} alerts still waiting; "
        f"rate {rate:.0f}/min for EMAIL_RATE={RATE_PER_MINUTE}, load {load_now():.1f}"
    )
    return [
        Row(
            f"Seconds a confirmation waits during a {ALERTS:,}-alert fan-out "
            f"({waiting:,} alerts still waiting when it went)",
            f"{delay:.1f}",
            target=f"< {DELAY_TARGET_SECONDS}",
            verdict=verdict(delay < DELAY_TARGET_SECONDS),
        ),
        Row(
            f"Fan-out emails a minute with EMAIL_RATE={RATE_PER_MINUTE}",
            f"{rate:.0f}",
            ratio=f"{rate / RATE_PER_MINUTE:.3f}",
            target="within 5 %",
            verdict=verdict(abs(rate / RATE_PER_MINUTE - 1) <= 0.05),
        ),
    ]


def main() -> None:
    import os

    from . import mail
    from .__main__ import LOGS, _setup_django

    env = prepare.environment(port=processes.free_port(), static_root=Path("/tmp"))
    _setup_django(env)
    LOGS.mkdir(parents=True, exist_ok=True)
    os.environ.update(env)
    for row in [*mail.mail_rows(env, LOGS), *lane_rows(env, LOGS)]:
        print(row)


if __name__ == "__main__":
    main()
