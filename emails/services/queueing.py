"""Writing outbox rows, in the caller's transaction. Each reason (dedupe
key) is looked up once: queue_email and queue_emails look it up themselves;
queue_new_reasons is the one path for callers that queue many at once (event
changes, reminders, alerts, staff messages), which learn which reasons are
new before they build anything (a secret link, say) for them."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..lanes import lane_of
from ..models import OutgoingEmail
from ..queries import email_queued, queued_keys
from ..rendering import render_email, renders_later
from .broker import enqueue_rows

Item = TypeVar("Item")

# What a new row takes from new_row, and what a resent copy takes from its original.
ROW_FIELDS = [
    *["kind", "lane", "to", "subject", "body_text", "body_html", "attachments", "context"],
    *["about", "next_attempt_at", "enqueued_at", "message_id"],
]


@dataclass(frozen=True)
class EmailToQueue:
    """One email for queue_emails: the same arguments as queue_email. For a
    kind the worker renders (rendering.render_later), `context` is the JSON
    its loader reads."""

    kind: str
    to: str
    context: dict
    dedupe_key: str
    about: str = ""
    attachments: list[dict] = field(default_factory=list)
    # Extra headers for this email only, e.g. List-Unsubscribe (RFC 8058).
    headers: dict[str, str] = field(default_factory=dict)


def queue_email(
    *,
    kind: str,
    to: str,
    context: dict,
    dedupe_key: str,
    about: str = "",
    attachments: list[dict] | None = None,
) -> OutgoingEmail | None:
    """Write one outbox row, unless one with `dedupe_key` exists already.

    Call inside the transaction of the change that causes the email: the row
    commits or rolls back with it, and the send task is enqueued on commit.
    Returns the new row, or None when the email was queued before.
    """
    if email_queued(dedupe_key):
        return None
    row = new_row(EmailToQueue(kind, to, context, dedupe_key, about, attachments or []))
    fields = {name: getattr(row, name) for name in ROW_FIELDS}
    email, created = OutgoingEmail.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_rows([email]), robust=True)
    return email


def queue_emails(
    emails: Sequence[EmailToQueue], *, new_reasons: bool = False
) -> list[OutgoingEmail]:
    """Write many outbox rows in one INSERT, skipping reasons queued before,
    and enqueue them together on commit. Call inside the caller's
    transaction, holding a lock that keeps a second run for the same reasons
    out (the unique dedupe_key would otherwise fail the whole batch).
    `new_reasons`: the caller knows no email was queued for these reasons
    (queue_new_reasons looked, or their keys name a row it has just
    inserted), so nothing is looked up. Returns the new rows."""
    skip = set() if new_reasons else queued_keys(email.dedupe_key for email in emails)
    rows = []
    for email in emails:
        if email.dedupe_key not in skip:
            skip.add(email.dedupe_key)
            rows.append(new_row(email))
    OutgoingEmail.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(lambda: enqueue_rows(rows), robust=True)
    return rows


def queue_new_reasons(
    items: Iterable[Item],
    *,
    dedupe_key: Callable[[Item], str],
    build: Callable[[list[tuple[Item, str]]], list[EmailToQueue]],
) -> list[OutgoingEmail]:
    """The bulk callers' one path: work out each item's reason, look them
    all up once (a query per thousand), and call `build` with the (item,
    key) pairs that have no email yet, so that it makes links and context for
    those only; write what it returns in one INSERT. Call inside a
    transaction holding the lock that keeps a second run for the same
    reasons out. Returns the new rows."""
    pairs: dict[str, Item] = {}
    for item in items:
        pairs.setdefault(dedupe_key(item), item)
    done = queued_keys(pairs)
    todo = [(item, key) for key, item in pairs.items() if key not in done]
    if not todo:
        return []
    return queue_emails(build(todo), new_reasons=True)


def new_row(email: EmailToQueue) -> OutgoingEmail:
    """An unsaved row, rendered now (the text is fixed when the reason
    happens), or holding the context the worker will render it from. The
    Message-ID is fixed too, so a retry after a worker died mid-send carries
    the same one and the receiving server can drop the duplicate. It is
    marked as handed to the broker: its transaction's on-commit hook does
    that, and clears the mark if the broker refuses."""
    now = timezone.now()
    row = OutgoingEmail(
        kind=email.kind,
        lane=lane_of(email.kind),
        dedupe_key=email.dedupe_key,
        to=email.to,
        attachments=email.attachments,
        headers=email.headers,
        about=email.about,
        next_attempt_at=now,
        enqueued_at=now,
        message_id=new_message_id(),
    )
    if renders_later(email.kind):
        row.context = email.context
    else:
        row.subject, row.body_text, row.body_html = render_email(email.kind, email.context)
    return row


def new_message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return make_msgid(domain=domain)
