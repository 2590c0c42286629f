"""What the equality tests share: answers as the form posts them, answers
stored directly, and closing an event's answers as beat does."""

from datetime import timedelta

from equality import services
from equality.models import EqualityResponse
from equality.services import ANSWER_FIELDS
from events.models import Event

FIRST_PAGE = {
    "sex": "female",
    "gender_identity": "yes",
    "age_band": "25_34",
    "ethnic_group": "black",
    "long_term_condition": "yes",
    "sexual_orientation": "bisexual",
    "religion": "none",
}
FOLLOW_UPS = {"ethnic_background": "black_caribbean", "condition_impact": "a_little"}


def answer(client, path: str, first_page: dict | None = None, **follow_ups):
    """Send the first page and, if it calls for them, the follow-ups (the
    second page posts the first page's answers again, as its hidden fields
    do); the last response."""
    first_page = FIRST_PAGE if first_page is None else first_page
    response = client.post(path, first_page)
    if response.status_code == 200 and b"equality-follow-up-form" in response.content:
        response = client.post(path, {**first_page, "follow_up": "1", **FOLLOW_UPS, **follow_ups})
    return response


def store_answers(event: Event, number: int = 1, **answers) -> None:
    """`number` people's identical answers for `event`, stored directly."""
    fields = {field: answers.get(field, "") for field in ANSWER_FIELDS}
    EqualityResponse.objects.bulk_create(
        EqualityResponse(event=event, **fields) for _ in range(number)
    )


def close_answers(*events: Event) -> services.Flushed:
    """Flush the pool as beat would once the events' answers have closed
    (it closes any other event whose answers closed before them too)."""
    last = max(services.answers_close_at(event) for event in events)
    return services.flush_answer_pool(now=last + timedelta(minutes=1))
