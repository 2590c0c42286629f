"""Every page behind a secret link, opened with a link that is not quite
right, or with a method no page expects."""

import pytest
from hypothesis import event as note_outcome
from hypothesis import given
from hypothesis import strategies as st

from alerts.services import add_link
from tests.factories import SubscriptionFactory
from tests.mentoring.support import make_request

from .strategies import raw_bodies, tampered
from .support import assert_not_found, changes, encode, fresh_example, fuzz_settings, row_counts

pytestmark = pytest.mark.django_db

# Each page behind a secret link: which kind of link opens it.
PAGES = {
    "/registration/{}/": "registration",
    "/registration/{}/cancel/": "registration",
    "/registration/{}/equality-questions/": "registration",
    "/positive-action/request/{}/": "mentoring",
    "/positive-action/request/{}/withdraw/": "mentoring",
    "/alerts/confirm/{}/": "subscription",
    "/alerts/manage/{}/": "subscription",
    "/alerts/unsubscribe/{}/": "subscription",
}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@pytest.fixture
def tokens(registration):
    _, registration_token = registration
    _, mentoring_token = make_request()
    return {
        "registration": registration_token,
        "mentoring": mentoring_token,
        "subscription": add_link(SubscriptionFactory()),
    }


def request(client, method: str, path: str, body: tuple[str, bytes]):
    content_type, data = body
    return client.generic(method, path, data, content_type=content_type)


@fuzz_settings(examples=100)
@given(page=st.sampled_from(sorted(PAGES)), method=st.sampled_from(METHODS), data=st.data())
def test_a_wrong_link_finds_nothing_and_changes_nothing(client, tokens, page, method, data):
    real = tokens[PAGES[page]]
    others = [token for kind, token in tokens.items() if kind != PAGES[page]]
    token = data.draw(st.one_of(tampered(real), st.sampled_from(others)), label="token")
    body = data.draw(raw_bodies(), label="body")

    with fresh_example(client):
        before = row_counts()
        response = request(client, method, page.format(encode(token)), body)

        note_outcome(f"{method} {response.status_code}")
        if method == "HEAD":
            assert response.status_code == 404
        else:
            assert_not_found(response)
        assert changes(before, row_counts()) == {}


# What opening a page may write: nothing is written by a GET, and no other
# method writes.
OPENING_WRITES: dict[str, dict[str, int]] = {}


@fuzz_settings(examples=60)
@given(
    page=st.sampled_from(sorted(PAGES)),
    method=st.sampled_from(["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    body=raw_bodies(),
)
def test_only_a_post_changes_anything_behind_a_real_link(client, tokens, page, method, body):
    path = page.format(tokens[PAGES[page]])

    with fresh_example(client):
        before = row_counts()
        response = request(client, method, path, body)

        note_outcome(f"{method} {response.status_code}")
        assert response.status_code in {200, 302, 405}, response.status_code
        if method in {"GET", "HEAD"}:
            assert response.status_code in {200, 302}
            assert changes(before, row_counts()) == OPENING_WRITES.get(page, {})
        else:
            assert changes(before, row_counts()) == {}
