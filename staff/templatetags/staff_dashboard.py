from django import template

from ..dashboard import SUBSCRIBERS_WORTH_AN_EVENT, build_dashboard

register = template.Library()


@register.inclusion_tag("admin/events/_dashboard.html", takes_context=True)
def staff_dashboard(context) -> dict:
    """The events part of the admin home, for staff who may see events."""
    return {
        "dashboard": build_dashboard(),
        "perms": context.get("perms"),
        "subscribers_worth_an_event": SUBSCRIBERS_WORTH_AN_EVENT,
    }
