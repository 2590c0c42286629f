"""The bare Django views the product's pages are measured against: the same
middleware, the least work that could answer.

bare_event_list is the floor for the admin's event changelist: a signed-in
member of staff (the same session and user lookups), the first 100 upcoming
events in a plain table, one query for them; no counts, filters, actions or
permissions.

bare_register writes a Registration without events.services on purpose: it
is the floor that register_candidate is compared with (the same row lock,
one count, one insert; no form, no link, no email)."""

import secrets
from functools import cache

from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from events.models import Event, HeardFrom, Registration, RegistrationStatus, Role


def bare_event_page(request, slug):
    """A small template and one query."""
    event = get_object_or_404(Event, slug=slug)
    return render(request, "bench/bare_event.html", {"event": event})


BARE_LIST_ROWS = 100  # the admin changelist's page size


@staff_member_required
def bare_event_list(request):
    """Staff only; one query for up to 100 upcoming events."""
    events = Event.objects.filter(ends_at__gt=timezone.now()).order_by("starts_at", "pk")
    return render(request, "bench/bare_event_list.html", {"events": events[:BARE_LIST_ROWS]})


@cache
def _role_id() -> int:
    return Role.objects.values_list("pk", flat=True).first()


@require_POST
def bare_register(request, slug):
    """Lock the event row, count the confirmed places, insert one row."""
    email = request.POST.get("email", "")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(slug=slug)
        confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        full = confirmed >= event.capacity
        Registration.objects.create(
            event=event,
            reference=f"BB-{secrets.token_hex(6)}",
            status=RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED,
            first_name="Bare",
            last_name="Bench",
            email=email,
            email_key=email.casefold(),
            role_id=_role_id(),
            heard_from=HeardFrom.SOCIAL_MEDIA,
            privacy_accepted_at=timezone.now(),
        )
    return HttpResponseRedirect(f"/bench/bare/{slug}/")
