from django import template

from .. import queries

register = template.Library()


@register.simple_tag
def questionnaire_open(registration) -> bool:
    """Whether a registration's own page should offer the questions: while
    it is active, has not answered them and its event takes answers."""
    return registration.is_active and queries.may_answer(registration)
