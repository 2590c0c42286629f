"""Reads across the apps for subject access and erasure: everything held
about one email address. Registrations and alert subscriptions are found by
the case-folded address they keep (`email_key`); the spellings found there
then find positive-action requests and outbox emails, which keep the
address only as typed. Equality monitoring is never read: its answers are
kept apart from identity and nothing links them to a person."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet

from alerts.models import Subscription
from emails.models import OutgoingEmail
from emails.queries import emails_to
from events.models import Registration
from mentoring.models import MentoringRequest


@dataclass(frozen=True)
class HeldData:
    """What is held about one address, read in a few queries."""

    spellings: frozenset[str]
    registrations: list[Registration]
    mentoring_requests: list[MentoringRequest]
    subscriptions: list[Subscription]
    emails: list[OutgoingEmail]

    @property
    def abouts(self) -> list[str]:
        """The outbox's `about` for each record (the form each app writes)."""
        return [
            *[f"registration:{row.pk}" for row in self.registrations],
            *[f"mentoring_request:{row.pk}" for row in self.mentoring_requests],
            *[f"subscription:{row.pk}" for row in self.subscriptions],
        ]

    def counts(self) -> dict[str, int]:
        return {
            "registrations": len(self.registrations),
            "positive_action_requests": len(self.mentoring_requests),
            "alert_subscriptions": len(self.subscriptions),
            "emails": len(self.emails),
        }

    def is_empty(self) -> bool:
        return not any(self.counts().values())


def held_about(address: str) -> HeldData:
    """Everything held about `address` (already stripped), any case."""
    key = address.casefold()
    registrations = list(
        Registration.objects.filter(email_key=key)
        .select_related("event", "role")
        .order_by("event__starts_at", "pk")
    )
    subscriptions = list(Subscription.objects.filter(email_key=key).prefetch_related("roles"))
    spellings = {address, *(row.email for row in [*registrations, *subscriptions])}
    mentoring_requests = list(
        MentoringRequest.objects.filter(_any_spelling("email", spellings))
        .select_related("role")
        .prefetch_related("contacts")
        .order_by("created_at", "pk")
    )
    spellings.update(row.email for row in mentoring_requests)
    held = HeldData(
        spellings=frozenset(spelling for spelling in spellings if spelling),
        registrations=registrations,
        mentoring_requests=mentoring_requests,
        subscriptions=subscriptions,
        emails=[],
    )
    emails = emails_to(held.spellings, abouts=held.abouts).order_by("created_at", "pk")
    return replace(held, emails=list(emails))


def _any_spelling(field: str, spellings: Iterable[str]) -> Q:
    match = Q(pk__in=[])
    for spelling in spellings:
        match |= Q(**{f"{field}__iexact": spelling})
    return match


def sessions_holding(spellings: Iterable[str]) -> list[str]:
    """The keys of browser sessions whose data holds the address: the forms
    keep it there for the page that follows, and a flash message may name
    it. Session data is encoded, so each is decoded and read; a longer
    address that merely contains this one does not count."""
    patterns = [_address_pattern(spelling) for spelling in spellings]
    found = []
    for session in Session.objects.iterator(chunk_size=500):
        text = json.dumps(session.get_decoded(), ensure_ascii=False, default=str)
        if any(pattern.search(text) for pattern in patterns):
            found.append(session.session_key)
    return found


def _address_pattern(address: str) -> re.Pattern:
    # Not preceded by a character an address may hold, not followed by more
    # of the domain: "jo@example.org" is not in "ajo@example.org.uk".
    return re.compile(
        r"(?<![\w.!#$%&'*+/=?^`{|}~-])" + re.escape(address) + r"(?![\w-]|\.[\w-])",
        re.IGNORECASE,
    )


def admin_history_naming(spellings: Iterable[str]) -> QuerySet[LogEntry]:
    """Entries in the admin's history whose text names the address (a
    record whose name is its address, such as an alert subscription)."""
    match = Q(pk__in=[])
    for spelling in spellings:
        match |= Q(object_repr__icontains=spelling) | Q(change_message__icontains=spelling)
    return LogEntry.objects.filter(match)
