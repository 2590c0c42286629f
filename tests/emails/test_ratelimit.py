"""The shared sending rate (emails/ratelimit.py) on the real Redis."""

import os

import pytest

from emails import ratelimit

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


@pytest.fixture(autouse=True)
def _on_the_test_redis(settings, fresh_sending_rate):
    settings.REDIS_URL = os.environ.get("REDIS_URL", "")


def takes_now(lane: str, count: int) -> int:
    return sum(1 for _ in range(count) if ratelimit.take(lane) == 0)


def test_bulk_leaves_half_the_bucket_for_transactional_email(settings):
    settings.EMAIL_RATE = 60  # the bucket holds 2

    bulk = takes_now("bulk", 5)
    transactional = takes_now("transactional", 5)

    assert bulk == 1
    assert transactional == 1
    assert ratelimit.take("bulk") > 0


def test_bulk_stops_short_of_the_daily_limit_and_transactional_may_use_the_rest(settings):
    settings.EMAIL_DAILY_LIMIT = 10

    bulk = takes_now("bulk", 20)
    transactional = takes_now("transactional", 20)

    assert bulk == 9
    assert transactional == 1
    assert ratelimit.take("transactional") > 60  # until midnight UTC


def test_too_many_pauses_every_lane_and_halves_the_rate(settings):
    settings.EMAIL_RATE = 600

    pause = ratelimit.slow_down()

    assert pause == pytest.approx(1.0, abs=0.01)
    assert ratelimit.take("transactional") > 0
    assert ratelimit.take("bulk") > 0
    assert ratelimit.current_rate() == 300


def test_without_a_rate_only_a_relays_refusal_holds_sending_back(settings):
    assert takes_now("bulk", 50) == 50

    ratelimit.slow_down()

    assert ratelimit.take("bulk") > 0


def test_without_redis_nothing_is_limited(settings):
    settings.REDIS_URL = ""
    settings.EMAIL_RATE = 1

    assert takes_now("bulk", 5) == 5
