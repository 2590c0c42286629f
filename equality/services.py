"""Writes for equality monitoring (STYLE.md: services write)."""

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from events.models import Registration

from .models import EqualityResponse, QuestionnaireInvitation

LONDON = ZoneInfo("Europe/London")
ANSWER_FIELDS = [
    "sex",
    "gender_identity",
    "age_band",
    "ethnic_group",
    "ethnic_background",
    "disability",
    "sexual_orientation",
    "religion",
]


def month_of(moment: datetime) -> date:
    """The first day of the month, in London, that `moment` falls in."""
    return moment.astimezone(LONDON).date().replace(day=1)


def offer_questionnaire(
    registration: Registration, *, now: datetime | None = None
) -> QuestionnaireInvitation:
    """Record that the questions were offered to this registration (once;
    later calls return the same invitation)."""
    invitation, _ = QuestionnaireInvitation.objects.get_or_create(
        registration=registration, defaults={"offered_at": now or timezone.now()}
    )
    return invitation


def record_answers(
    registration: Registration, *, answers: Mapping[str, str], now: datetime | None = None
) -> EqualityResponse | None:
    """Store one person's answers for the registration's event, at most once
    per registration.

    Marks the registration's invitation answered with a conditional UPDATE
    and writes the answers in the same transaction, so two submissions at
    once store one. The answers keep only the event and the month: nothing
    in them, their key included, leads back to the registration. Stores
    nothing and returns None when every answer is blank (that is skipping)
    or the registration has already answered."""
    answers = {field: answers.get(field, "") for field in ANSWER_FIELDS}
    if not any(answers.values()):
        return None
    now = now or timezone.now()
    with transaction.atomic():
        invitation = offer_questionnaire(registration, now=now)
        claimed = QuestionnaireInvitation.objects.filter(
            pk=invitation.pk, answered_at__isnull=True
        ).update(answered_at=now)
        if not claimed:
            return None
        return EqualityResponse.objects.create(
            event_id=registration.event_id, answered_month=month_of(now), **answers
        )
