from django import template

from .. import queries

register = template.Library()


@register.simple_tag
def questionnaire_open(registration) -> bool:
    """Whether a registration's own page should offer the questions: while
    it is active and has not answered them."""
    return registration.is_active and not queries.has_answered(registration)
