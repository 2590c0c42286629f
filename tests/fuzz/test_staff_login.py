"""/admin/login/: the one form anyone can send that is not a candidate's,
with the login lockout (django-axes) recording every attempt."""

import pytest
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import event as note_outcome
from hypothesis import example, given
from hypothesis import strategies as st

from tests.support.staff import make_staff_user

from .strategies import junk
from .support import changes, fresh_example, fuzz_settings, post_pairs, row_counts

pytestmark = pytest.mark.django_db

USERNAME = "jo@herts.example.org"
AXES_USERNAME_MAX = 255
PASSWORD = "right-password-123"


@pytest.fixture
def staff(db):
    return make_staff_user(username=USERNAME, password=PASSWORD)


# What sits last in X-Forwarded-For: our proxy's view of the client (an
# address), or, from a proxy that adds the port or a client reaching the
# app without the proxy, anything at all.
forwarded_for = st.one_of(
    st.none(),
    st.ip_addresses().map(str),
    st.tuples(st.ip_addresses(v=4).map(str), st.integers(0, 65535)).map("{0[0]}:{0[1]}".format),
    st.lists(st.one_of(st.ip_addresses().map(str), junk()), min_size=1, max_size=3).map(", ".join),
)


def sign_in(client, pairs, **headers):
    before = row_counts()
    response = post_pairs(client, "/admin/login/", pairs, **headers)
    return response, changes(before, row_counts())


def assert_refused(response):
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter the correct" in body or "errorlist" in body


@fuzz_settings(examples=40)
@example(username=USERNAME, password=PASSWORD, next_page="/admin/", forwarded="203.0.113.7:50312")
@example(username="nobody", password="x", next_page="/admin/", forwarded="not-an-address")
@given(
    # Longer than axes stores: see the next test.
    username=st.one_of(
        st.just(USERNAME),
        st.just(USERNAME.upper()),
        junk().map(lambda name: name[:AXES_USERNAME_MAX]),
    ),
    password=st.one_of(st.just(PASSWORD), junk()),
    next_page=st.one_of(
        st.just("/admin/"), st.sampled_from(["https://evil.example/", "//evil.example"]), junk()
    ),
    forwarded=forwarded_for,
)
def test_signing_in_answers_every_attempt_without_an_error(
    client, staff, username, password, next_page, forwarded
):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    pairs = [("username", username), ("password", password), ("next", next_page)]

    with fresh_example(client):
        response, added = sign_in(client, pairs, **headers)

        assert added == {}
        if response.status_code == 302:
            note_outcome("signed in")
            assert (username, password) == (USERNAME, PASSWORD)
            assert url_has_allowed_host_and_scheme(response["Location"], {"testserver"})
        else:
            note_outcome("refused")
            assert_refused(response)


@fuzz_settings(examples=5)
@example(length=AXES_USERNAME_MAX + 1)
@given(length=st.integers(min_value=AXES_USERNAME_MAX + 1, max_value=5000))
def test_a_username_longer_than_the_lockout_stores_is_refused_not_a_500(client, staff, length):
    """Scanners send these. django-axes records every failed login with
    the username in a 255-character column, unshortened (its issue #1381),
    so PostgreSQL refuses the row and the login page fails with a 500.
    Passes once axes gets a username that fits, e.g. AXES_USERNAME_CALLABLE
    returning the posted username cut to 255 characters."""
    pairs = [("username", "u" * length), ("password", "x")]

    with fresh_example(client):
        response, added = sign_in(client, pairs)

        assert_refused(response)
        assert added == {}
