"""Turns a kind and its context into the subject, text and HTML of an email,
from templates/emails/<kind>_subject.txt, <kind>.txt and <kind>.html."""

from django.conf import settings
from django.template.loader import render_to_string


def render_email(kind: str, context: dict) -> tuple[str, str, str]:
    context = {"force_name": settings.FORCE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{kind}_subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{kind}.txt", context)
    html = render_to_string(f"emails/{kind}.html", context)
    return subject, text, html
