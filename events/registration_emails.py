"""The emails about one registration are rendered by the worker, not in the
request that causes them: a rush of registrations then spends its CPU on
registering. The outbox row holds a small JSON context (which registration,
its secret link, its waiting-list position, which calendar file); the loader
below reads the registration again when the email is sent, so the email
shows the event as it is then."""

from emails.rendering import render_later

from . import calendar, door_pass, queries
from .models import Registration

# Which calendar file goes with each kind, unless the caller says otherwise.
INVITES = {"registration_confirmed": "publish", "promoted_from_waiting_list": "publish"}
KINDS = [
    "registration_confirmed",
    "waiting_list_joined",
    "promoted_from_waiting_list",
    "registration_cancelled",
    "registration_link_resent",
]


def stored_context(
    registration: Registration,
    *,
    kind: str,
    manage_url: str | None,
    position: int | None,
    invite: str | None = None,
    give_back_url: str | None = None,
) -> dict:
    """What the outbox row keeps until the worker renders it. `invite` is
    "publish" (add to the calendar), "cancel" (remove it) or None."""
    return {
        "registration": registration.pk,
        "manage_url": manage_url,
        "give_back_url": give_back_url,
        "position": position,
        "invite": invite or INVITES.get(kind),
    }


def load(stored: dict) -> tuple[dict, list[dict]]:
    """The templates' context and attachments, from stored_context()."""
    registration = Registration.objects.select_related("event").get(pk=stored["registration"])
    context = {
        "registration": registration,
        "event": registration.event,
        "position": stored["position"],
        "manage_url": stored["manage_url"],
        # Rows queued before the one-tap link existed have none.
        "give_back_url": stored.get("give_back_url"),
    }
    invite = stored["invite"]
    if invite is None:
        return context, []
    attachments = [calendar.registration_ics(registration, cancel=invite == "cancel")]
    context["door_pass"] = invite == "publish" and door_pass.wanted(registration)
    if context["door_pass"]:
        attachments += door_pass.attachments(registration)
    return context, attachments


def load_waiting_list_joined(stored: dict) -> tuple[dict, list[dict]]:
    """As load(), with the other dates that still have places (as the
    event's page lists them): the email is not a dead end."""
    context, attachments = load(stored)
    context["other_dates"] = queries.other_open_dates(context["event"])
    return context, attachments


LOADERS = {"waiting_list_joined": load_waiting_list_joined}


def register() -> None:
    for kind in KINDS:
        render_later(kind, LOADERS.get(kind, load))
