"""Dates and times in the GOV.UK style ("Tuesday 8 December 2026", "7pm",
"7:30pm"), always in Europe/London."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template

register = template.Library()
LONDON = ZoneInfo("Europe/London")


def _local(value: datetime) -> datetime:
    return value.astimezone(LONDON)


@register.filter
def govuk_date(value: datetime | None) -> str:
    if value is None:
        return ""
    local = _local(value)
    return f"{local:%A} {local.day} {local:%B %Y}"


@register.filter
def govuk_time(value: datetime | None) -> str:
    if value is None:
        return ""
    local = _local(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.hour == 12 and local.minute == 0:
        return "midday"
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


@register.filter
def govuk_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{govuk_date(value)} at {govuk_time(value)}"


@register.simple_tag
def event_when(starts_at: datetime, ends_at: datetime) -> str:
    """ "Tuesday 8 December 2026, 7pm to 9pm", or both dates when it spans days."""
    if _local(starts_at).date() == _local(ends_at).date():
        return f"{govuk_date(starts_at)}, {govuk_time(starts_at)} to {govuk_time(ends_at)}"
    return f"{govuk_datetime(starts_at)} to {govuk_datetime(ends_at)}"
