"""The `alerts_confirm` email is rendered by the worker, not in the request
that subscribes: a form sent for a known address in its quiet period, which
sends nothing, then does the same work as one that sends (issue 13). The
outbox row holds which subscription, whether it was already confirmed and
its two links; the loader reads the subscription's roles and format again
when the email is sent."""

from emails.rendering import render_later

from .models import Subscription


def stored_context(
    subscription: Subscription, *, confirm_url: str | None, manage_url: str | None
) -> dict:
    return {
        "subscription": subscription.pk,
        "already_confirmed": subscription.is_confirmed,
        "confirm_url": confirm_url,
        "manage_url": manage_url,
    }


def load(stored: dict) -> tuple[dict, list[dict]]:
    """The templates' context, from stored_context(). A subscription gone
    since (unsubscribed, or deleted unconfirmed) fails the row for good."""
    subscription = Subscription.objects.get(pk=stored["subscription"])
    return {
        "subscription": subscription,
        "role_names": ", ".join(role.name for role in subscription.roles.all()),
        "already_confirmed": stored["already_confirmed"],
        "confirm_url": stored["confirm_url"],
        "manage_url": stored["manage_url"],
    }, []


def register() -> None:
    render_later("alerts_confirm", load)
