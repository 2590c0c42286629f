"""Announcing an event to its subscribers, once.

Events know nothing of alerts, so beat looks for events that take
registrations and have no EventAlertRun yet, starts one each, and hands it
to a worker. The worker walks the matching confirmed subscriptions in
primary-key order, BATCH_SIZE at a time, each batch one short transaction
that inserts its links and outbox rows in bulk and records how far it got:
nothing holds a long transaction or loads every subscriber, and a run that
stopped (worker killed, deploy) resumes after the last subscription done.
The outbox's dedupe key `event_alert:<subscription id>:<event id>` makes a
second email for the same event impossible even if two workers overlap."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from emails.services import EmailToQueue, queue_new_reasons
from events.models import Event

from .. import queries
from ..models import AlertRunStatus, EventAlertRun, Subscription
from .subscriptions import add_links, list_headers, manage_url, unsubscribe_url

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# A run that has not moved for this long lost its worker (or its message):
# beat hands it over again. Two workers on one run are safe, only wasteful.
STALLED_AFTER = timedelta(minutes=10)


def start_event_alerts(*, now: datetime | None = None) -> list[EventAlertRun]:
    """What beat runs every minute: start a run for each event that takes
    registrations and has none, and hand again the runs that stalled.
    Returns the runs started."""
    now = now or timezone.now()
    started = [start_event_alert_run(event, now=now) for event in queries.events_to_alert(now=now)]
    resume_stalled_runs(now=now)
    return [run for run in started if run is not None]


def start_event_alert_run(event: Event, *, now: datetime | None = None) -> EventAlertRun | None:
    """Create the event's run (unless it has one), counting the matching
    confirmed subscribers up to the newest one now, and enqueue the fan-out
    on commit. Returns the new run, or None if the event had one."""
    now = now or timezone.now()
    role_ids = list(event.roles.values_list("pk", flat=True))
    with transaction.atomic():
        until = Subscription.objects.aggregate(last=Max("pk"))["last"] or 0
        matching = Subscription.objects.matching(event, role_ids=role_ids).filter(pk__lte=until)
        run, created = EventAlertRun.objects.get_or_create(
            event=event,
            defaults={
                "total": matching.count(),
                "until_subscription_id": until,
                "started_at": now,
                "progressed_at": now,
            },
        )
        if not created:
            return None
        transaction.on_commit(lambda: enqueue_run(run.pk), robust=True)
    return run


def resume_stalled_runs(*, now: datetime) -> int:
    """Hand over again each run that has not moved for STALLED_AFTER, and
    mark it as moved, so it is handed over at most once per period."""
    stalled = EventAlertRun.objects.filter(
        status=AlertRunStatus.RUNNING, progressed_at__lt=now - STALLED_AFTER
    )
    ids = list(stalled.values_list("pk", flat=True))
    EventAlertRun.objects.filter(pk__in=ids).update(progressed_at=now)
    for run_id in ids:
        logger.warning("Event alert run %s stalled; handing it to a worker again", run_id)
        enqueue_run(run_id)
    return len(ids)


def enqueue_run(run_id: int) -> bool:
    """Hand a run to a worker. Never raises: with the broker down the run
    waits, and beat hands it over once it counts as stalled."""
    from ..tasks import task_send_event_alerts

    try:
        task_send_event_alerts.apply_async(kwargs={"run_id": run_id}, retry=False)
    except Exception:  # noqa: BLE001 - the run is committed; beat resumes it
        logger.warning("Broker unavailable: event alert run %s waits", run_id, exc_info=True)
        return False
    return True


def send_event_alerts(run: EventAlertRun, *, batch_size: int = BATCH_SIZE) -> EventAlertRun:
    """Queue the run's alerts batch by batch until it is done or stopped.
    Returns the run as it ended."""
    while run.status == AlertRunStatus.RUNNING:
        run = send_event_alert_batch(run, batch_size=batch_size)
    return run


def send_event_alert_batch(run: EventAlertRun, *, batch_size: int = BATCH_SIZE) -> EventAlertRun:
    """One batch in one transaction: lock the run row (a second worker on the
    same run waits, then carries on after this batch), read the next
    `batch_size` matching subscriptions after the last one done, insert a
    link and an `event_alert` email for each, and record the progress. Ends
    the run when none are left, or stops it when the event no longer takes
    registrations. Returns the run."""
    with transaction.atomic():
        run = EventAlertRun.objects.select_for_update().get(pk=run.pk)
        if run.status != AlertRunStatus.RUNNING:
            return run
        now = timezone.now()
        event = Event.objects.prefetch_related("roles").get(pk=run.event_id)
        if not queries.takes_registrations(event, now=now):
            return _finish(run, status=AlertRunStatus.STOPPED, now=now)
        batch = list(
            Subscription.objects.matching(event, role_ids=[role.pk for role in event.roles.all()])
            .filter(pk__gt=run.last_subscription_id, pk__lte=run.until_subscription_id)
            .order_by("pk")
            .values_list("pk", "email")[:batch_size]
        )
        if not batch:
            return _finish(run, status=AlertRunStatus.DONE, now=now)
        run.queued += _queue_alerts(event, batch)
        run.last_subscription_id = batch[-1][0]
        run.progressed_at = now
        run.save(update_fields=["queued", "last_subscription_id", "progressed_at"])
    return run


def _finish(run: EventAlertRun, *, status: str, now: datetime) -> EventAlertRun:
    run.status = status
    run.finished_at = run.progressed_at = now
    run.save(update_fields=["status", "finished_at", "progressed_at"])
    return run


def alert_key(subscription_id: int, event_id: int) -> str:
    return f"event_alert:{subscription_id}:{event_id}"


def _queue_alerts(event: Event, batch: list[tuple[int, str]]) -> int:
    """An `event_alert` email to each (id, address) not alerted about this
    event yet, each with a fresh link for its unsubscribe and manage links
    and its List-Unsubscribe header. Returns how many were queued."""
    event_url = settings.SITE_URL + event.get_absolute_url()
    role_names = ", ".join(role.name for role in event.roles.all())

    def build(todo: list[tuple[tuple[int, str], str]]) -> list[EmailToQueue]:
        links = add_links([pk for (pk, _), _ in todo])
        return [
            EmailToQueue(
                kind="event_alert",
                to=email,
                context={
                    "event": event,
                    "event_url": event_url,
                    "role_names": role_names,
                    "manage_url": manage_url(links[pk]),
                    "unsubscribe_url": unsubscribe_url(links[pk]),
                },
                dedupe_key=key,
                about=f"subscription:{pk}",
                headers=list_headers(links[pk]),
            )
            for (pk, email), key in todo
        ]

    return len(
        queue_new_reasons(batch, dedupe_key=lambda item: alert_key(item[0], event.pk), build=build)
    )
