from django import template

from alerts.queries import alerts_still_to_queue
from emails.queries import lane_summary
from emails.queries import outbox_summary as read_outbox_summary

register = template.Library()


@register.inclusion_tag("admin/emails/_outbox_summary.html")
def outbox_summary() -> dict:
    """How many emails wait and how many failed, and each lane's backlog,
    rate and finishing estimate (an alert fan-out's emails still to be
    written count in the bulk lane), where staff will see it."""
    return {
        "outbox": read_outbox_summary(),
        "lanes": lane_summary(bulk_still_to_queue=alerts_still_to_queue()),
    }
