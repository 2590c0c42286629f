from django import template

from alerts.queries import confirmed_subscribers_by_role
from events.models import Role

register = template.Library()


@register.inclusion_tag("admin/alerts/_summary.html")
def alerts_summary() -> dict:
    """Confirmed subscribers per role, for the admin dashboard: two queries."""
    counts = confirmed_subscribers_by_role()
    names = dict(Role.objects.values_list("code", "name"))
    return {"by_role": [(names.get(code, code), count) for code, count in counts.items()]}
