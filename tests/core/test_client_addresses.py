"""Where a client's address comes from (core.lockout.client_ip, behind
TRUSTED_PROXY_COUNT proxies) and what the public forms' rate limits count
(client_network: an IPv6 client's /64)."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core.lockout import client_ip, client_network
from events.models import Registration
from tests.support.registration import form_data, register_url


def request_from(remote: str, forwarded: str | None = None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        # What a client writes itself is at the left; our proxy appends on the right.
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        (2, "2001:db8:1:2::99, 10.1.1.1", "2001:db8:1:2::99"),
        # Fewer entries than proxies: the request went round them.
        (2, "203.0.113.7", "10.0.0.2"),
        # No proxy trusted (make run): the header is anyone's writing.
        (0, "203.0.113.7", "10.0.0.2"),
        # Not an address (a port added): the connection's address.
        (1, "203.0.113.7:50312", "10.0.0.2"),
        (1, None, "10.0.0.2"),
    ],
)
def test_the_client_is_as_many_hops_from_the_right_as_there_are_trusted_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request_from("10.0.0.2", forwarded)) == expected


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("fe80::1:2%eth0", "fe80::/64"),
    ],
)
def test_rate_limits_count_an_ipv6_client_by_its_64(settings, address, network):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_network(request_from("10.0.0.2", address)) == network


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLE = True
    settings.TRUSTED_PROXY_COUNT = 1
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_new_addresses_in_one_64_do_not_get_round_the_registration_limit(client, event, limits_on):
    for n in range(20):
        client.post(
            register_url(event),
            form_data(email=f"person{n}@example.com"),
            HTTP_X_FORWARDED_FOR=f"2001:db8:1:2::{n + 1:x}",
        )

    same_64 = client.post(
        register_url(event),
        form_data(email="one.more@example.com"),
        HTTP_X_FORWARDED_FOR="2001:db8:1:2:ffff::1",
    )
    next_64 = client.post(
        register_url(event),
        form_data(email="someone.else@example.com"),
        HTTP_X_FORWARDED_FOR="2001:db8:1:3::1",
    )

    assert same_64.status_code == 429
    assert next_64.status_code == 302
    assert Registration.objects.count() == 21


@pytest.mark.django_db
def test_staff_login_lockout_keeps_the_full_address(client, settings):
    """axes pairs the username with the full address: a lock per username
    is what stops a guesser who changes address (settings, README)."""
    settings.TRUSTED_PROXY_COUNT = 1
    from axes.models import AccessAttempt

    client.post(
        "/admin/login/?next=/admin/",
        {"username": "nobody@example.org", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="2001:db8:1:2::abcd",
    )

    assert AccessAttempt.objects.get().ip_address == "2001:db8:1:2::abcd"
