"""Every other public page: opened with junk in the query string, in the
event's slug, or with a method it does not take."""

from typing import NamedTuple

import pytest
from hypothesis import event as note_outcome
from hypothesis import example, given
from hypothesis import strategies as st

from .strategies import junk, junk_pairs, raw_bodies
from .support import (
    FORM_CONTENT_TYPE,
    assert_not_found,
    changes,
    encode,
    fresh_example,
    fuzz_settings,
    row_counts,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/events/",
    "/events/{}/",
    "/events/{}/register/",
    "/events/{}/register/done/",
    "/positive-action/",
    "/positive-action/sent/",
    "/positive-action/withdrawn/",
    "/alerts/",
    "/alerts/check-your-email/",
    "/alerts/unsubscribed/",
    "/equality-questions/",
    "/equality-questions/thank-you/",
    "/equality-questions/skipped/",
    "/privacy/",
    "/accessibility/",
    "/cookies/",
    "/admin/login/",
]
# A page that takes a POST answers a body without its form's fields with
# the form again; the rest refuse the method.
TAKES_A_POST = {"/events/{}/register/", "/positive-action/", "/alerts/", "/equality-questions/"}


class OneOfTheEvents(NamedTuple):
    """The slug of the `events` fixture's event of that name."""

    name: str


@fuzz_settings(examples=80)
@given(
    page=st.sampled_from(PAGES),
    method=st.sampled_from(["GET", "GET", "HEAD", "POST"]),
    query=junk_pairs(max_size=3),
    body=raw_bodies(),
    slug=st.one_of(
        st.sampled_from(["open", "full", "cancelled", "closed"]).map(OneOfTheEvents),
        junk().filter(bool),
    ),
)
# An unknown event is 404 whatever the method, not 405 (events/views.py).
@example(page="/events/{}/", method="POST", query=[], body=(FORM_CONTENT_TYPE, b""), slug="null")
@example(
    page="/events/{}/register/done/",
    method="POST",
    query=[],
    body=(FORM_CONTENT_TYPE, b""),
    slug="null",
)
def test_every_public_page_answers_junk_without_an_error_or_a_write(
    client, events, page, method, query, body, slug
):
    real_slugs = [event.slug for event in events.values()]
    if isinstance(slug, OneOfTheEvents):
        slug = events[slug.name].slug
    path = page.format(encode(slug)) + "?" + "&".join(f"{encode(k)}={encode(v)}" for k, v in query)
    content_type, payload = body

    with fresh_example(client):
        before = row_counts()
        response = client.generic(method, path, payload, content_type=content_type)

        note_outcome(f"{method} {page} {response.status_code}")
        assert changes(before, row_counts()) == {}
        if "{}" in page and slug not in real_slugs:
            assert response.status_code == 404
            if method != "HEAD":
                assert_not_found(response)
        elif method == "POST" and page not in TAKES_A_POST and page != "/admin/login/":
            assert response.status_code == 405
        else:
            assert response.status_code in {200, 302, 400}, response.status_code
            if response.status_code == 400:
                # Django refuses a form body it cannot read (not UTF-8).
                assert method == "POST"
                assert "charset=latin-1" in content_type or content_type.startswith("multipart/")
