"""Personal data of registrations is kept only RETENTION_MONTHS after the
event; then the people are anonymised and only the counts (status, role,
how they heard, attendance) stay for the force's statistics. The same
anonymisation serves an erasure on request (privacy.services)."""

from datetime import datetime

from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat

from .models import Registration, RegistrationLink

BATCH_SIZE = 1000


def anonymise_registrations(registrations: QuerySet[Registration]) -> int:
    """Anonymise these registrations now, in the caller's transaction: blank
    who the person is and delete the secret links, so old links stop
    working; the event, status, role, how they heard and the dates stay for
    the counts. Rows anonymised before are left alone. Returns how many were
    anonymised."""
    ids = list(registrations.exclude(email="").values_list("pk", flat=True))
    RegistrationLink.objects.filter(registration_id__in=ids).delete()
    return Registration.objects.filter(pk__in=ids).update(
        first_name="",
        last_name="",
        email="",
        # Unique per event among active registrations, and no longer anyone's.
        email_key=Concat(Value("erased:"), Cast("pk", CharField())),
        phone="",
        access_needs="",
        form_key="",
    )


def anonymise_registrations_before(cutoff: datetime) -> int:
    """Anonymise registrations for events that ended before `cutoff`, in
    batches of short transactions (see anonymise_registrations). Returns how
    many were anonymised."""
    done = 0
    while True:
        ids = list(
            Registration.objects.filter(event__ends_at__lt=cutoff)
            .exclude(email="")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            return done
        with transaction.atomic():
            done += anonymise_registrations(Registration.objects.filter(pk__in=ids))
