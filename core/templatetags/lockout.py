from django import template

from ..lockout import policy

register = template.Library()


@register.simple_tag
def lockout_policy() -> dict:
    """{% lockout_policy as policy %}: failures allowed and minutes locked."""
    return policy()
