from django import template

from emails.queries import outbox_summary as read_outbox_summary

register = template.Library()


@register.inclusion_tag("admin/emails/_outbox_summary.html")
def outbox_summary() -> dict:
    """How many emails wait and how many failed, where staff will see it."""
    return {"outbox": read_outbox_summary()}
