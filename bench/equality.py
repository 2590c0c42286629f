"""Figure 5c (docs/benchmarks.md): the equality report for a busy quarter.

The report suppresses small counts, and checks the Ethnic group and Ethnic
background tables together, over the quarter's totals and every event's own
rows (equality/suppression.py): work that looks across events, which must
not grow faster than the events do.

In this process, on the bench's database: EVENTS past evenings in one
quarter (the first of 2024), each with 20 to 60 answers drawn with a fixed seed in
proportions like a recruitment campaign's (mostly White, a few of every
other group, some who would rather not say or left it out), their answers
closed as beat closes them. Then the quarter's report and each event's own
report are built, ROUNDS times each, taking turns. Printed: the median
seconds of the quarter's report and of the events' own reports together,
and their ratio. Target: the quarter costs no more than its events do on
their own (a ratio of at most 1).

`make bench ONLY=equality` runs it alone."""

import random
import statistics
import time
from datetime import date, datetime, timedelta

from .prepare import LONDON
from .report import Row, verdict

EVENTS = 65  # five evenings a week for a quarter: a busy recruitment drive
ROUNDS = 3
FIRST, LAST = date(2024, 1, 1), date(2024, 3, 31)  # long past: its answers are closed
# Ethnic group: weight, and the backgrounds within it ("" for none given).
GROUPS = {
    "white": (70, ["white_british", "white_british", "white_irish", "white_other", ""]),
    "asian": (9, ["asian_indian", "asian_pakistani", "asian_bangladeshi", "asian_chinese", ""]),
    "black": (7, ["black_african", "black_caribbean", "black_other", ""]),
    "mixed": (6, ["mixed_white_black_caribbean", "mixed_white_asian", "mixed_other", ""]),
    "other": (2, ["other_arab", "other_other"]),
    "prefer_not_to_say": (3, [""]),
    "": (3, [""]),
}


def equality_rows() -> list[Row]:
    from equality import report

    events = _seed()
    answers = report.period_report("", FIRST, LAST).answers  # and a first, warm-up build
    quarter, own = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        report.period_report("Busy quarter", FIRST, LAST)
        quarter.append(time.perf_counter() - started)
        started = time.perf_counter()
        for event in events:
            report.event_report(event)
        own.append(time.perf_counter() - started)
    quarter_s, own_s = statistics.median(quarter), statistics.median(own)
    ratio = quarter_s / own_s
    return [
        Row(
            f"Equality report for a quarter of {EVENTS} events ({answers:,} answers), seconds,"
            f" median of {ROUNDS}; beside it, the {EVENTS} events' own reports together",
            f"{quarter_s:.2f}",
            f"{own_s:.2f}",
            f"{ratio:.2f}",
            "≤ 1",
            verdict(ratio <= 1),
        )
    ]


def _seed() -> list:
    """EVENTS closed events in the quarter with their answers; returns them."""
    from equality import services
    from equality.models import EqualityResponse
    from events.models import Event, EventStatus

    rng = random.Random(8)
    days = (LAST - FIRST).days
    events = Event.objects.bulk_create(
        Event(
            title=f"Insight evening {number}",
            slug=f"bench-equality-{number}",
            summary="An evening for the equality report's figure.",
            starts_at=_evening(FIRST + timedelta(days=number * days // EVENTS)),
            ends_at=_evening(FIRST + timedelta(days=number * days // EVENTS), hour=21),
            venue_name="Police Headquarters",
            address="Stanborough Road\nWelwyn Garden City\nAL8 6XF",
            capacity=80,
            status=EventStatus.PUBLISHED,
        )
        for number in range(EVENTS)
    )
    EqualityResponse.objects.bulk_create(
        EqualityResponse(event=event, sex=rng.choice(["female", "male", ""]), **_ethnicity(rng))
        for event in events
        for _ in range(rng.randint(20, 60))
    )
    services.flush_answer_pool(now=_evening(LAST) + timedelta(days=1))
    return events


def _ethnicity(rng: random.Random) -> dict[str, str]:
    group = rng.choices(list(GROUPS), weights=[weight for weight, _ in GROUPS.values()])[0]
    return {"ethnic_group": group, "ethnic_background": rng.choice(GROUPS[group][1])}


def _evening(day: date, *, hour: int = 19) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)
