"""Figures 1 and 2, with wrk at 50 connections: the event page against the
bare template-and-one-query view, and registration POSTs.

The machine is shared, so the two views take turns in short rounds, and the
answers are checked over every round. The page's figures come from the
round whose ratio is the median: both sides of a round ran under the same
conditions. The POST figures come from the best round, since other work
only ever slows a round down."""

import asyncio
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from . import client
from .load import LoadResult, run_wrk, write_users_file
from .prepare import PAGE_EVENT, REGISTER_EVENT
from .report import Row, load_now, ms, verdict

CONNECTIONS = 50
PAGE_ROUNDS = 5
REGISTER_ROUNDS = 3
ROUND_SECONDS = 4
WARM_UP_SECONDS = 3
PAGE_RATIO_TARGET = 0.8
REGISTER_P95_TARGET_MS = 300


@dataclass
class Rounds:
    """Every round of one view, and the answers counted over all of them."""

    results: list[LoadResult] = field(default_factory=list)

    @property
    def best(self) -> LoadResult:
        return max(self.results, key=lambda result: result.per_second)

    @property
    def requests(self) -> int:
        return sum(result.requests for result in self.results)

    @property
    def socket_errors(self) -> int:
        return sum(result.socket_errors for result in self.results)

    def statuses(self) -> dict[int, int]:
        totals: dict[int, int] = {}
        for result in self.results:
            for status, count in result.statuses.items():
                totals[status] = totals.get(status, 0) + count
        return totals

    def clean(self, ok: int) -> bool:
        return self.socket_errors == 0 and set(self.statuses()) == {ok}

    def not_ok(self, ok: int) -> str:
        others = {status: n for status, n in sorted(self.statuses().items()) if status != ok}
        text = ", ".join(f"{n} × {status}" for status, n in others.items()) or "none"
        if self.socket_errors:
            text += f"; {self.socket_errors} socket errors"
        return f"{text} of {self.requests:,}"


def median_round(ratios: list[float]) -> int:
    """The index of the round whose ratio is the median (the lower one of two)."""
    return ratios.index(statistics.median_low(ratios))


def _measure(port: int, paths: dict[str, str], rounds: int, **wrk_options) -> dict[str, Rounds]:
    url = f"http://{client.HOST}:{port}"
    options = {"connections": CONNECTIONS, **wrk_options}
    for path in paths.values():
        run_wrk(url, path=path, seconds=WARM_UP_SECONDS, **options)
    measured = {name: Rounds() for name in paths}
    for _ in range(rounds):
        for name, path in paths.items():
            result = run_wrk(url, path=path, seconds=ROUND_SECONDS, **options)
            print(f"  {path}: {summary(result)}", flush=True)
            measured[name].results.append(result)
    return measured


def _check_page(port: int, path: str, expected: bytes) -> None:
    response = asyncio.run(client.request(port, "GET", path))
    if response.status != 200 or expected not in response.body:
        raise RuntimeError(f"GET {path} answered {response.status}, not the page expected")


def page_rows(port: int) -> list[Row]:
    paths = {"site": f"/events/{PAGE_EVENT}/", "bare": f"/bench/bare/{PAGE_EVENT}/"}
    for path in paths.values():
        _check_page(port, path, expected=PAGE_EVENT.encode())
    measured = _measure(port, paths, PAGE_ROUNDS, mode="get")
    pairs = list(zip(measured["site"].results, measured["bare"].results, strict=True))
    ratios = [site.per_second / bare.per_second for site, bare in pairs]
    site, bare = pairs[median_round(ratios)]
    ratio = site.per_second / bare.per_second
    clean = measured["site"].clean(200) and measured["bare"].clean(200)
    return [
        Row(
            f"Event page, requests/s at {CONNECTIONS} connections, median of {PAGE_ROUNDS} rounds",
            f"{site.per_second:,.0f}",
            f"{bare.per_second:,.0f}",
            f"{ratio:.2f} ({min(ratios):.2f}–{max(ratios):.2f})",
            f"≥ {PAGE_RATIO_TARGET}",
            verdict(ratio >= PAGE_RATIO_TARGET and clean),
        ),
        Row("Event page, p50 / p95 / p99 (ms), same round", percentiles(site), percentiles(bare)),
        Row(
            "Event page, answers other than 200, all rounds",
            measured["site"].not_ok(200),
            measured["bare"].not_ok(200),
        ),
    ]


def register_rows(port: int, folder: Path) -> list[Row]:
    path = f"/events/{REGISTER_EVENT}/register/"
    pairs = asyncio.run(client.csrf_pairs(port, path, CONNECTIONS))
    users = write_users_file(pairs, folder)
    posts = _measure(port, {"site": path}, REGISTER_ROUNDS, mode="register", users_file=users)
    posts = posts["site"]
    best = posts.best
    passed = best.p95_ms < REGISTER_P95_TARGET_MS and posts.clean(302)
    return [
        Row(
            f"Registration POST, p95 at {CONNECTIONS} users (ms), best of {REGISTER_ROUNDS} rounds",
            ms(best.p95_ms),
            target=f"< {REGISTER_P95_TARGET_MS}",
            verdict=verdict(passed),
        ),
        Row(
            "Registration POST, per second; p50 / p99 (ms)",
            f"{best.per_second:,.0f}; {ms(best.p50_ms)} / {ms(best.p99_ms)}",
        ),
        Row("Registration POST, answers other than 302", posts.not_ok(302)),
    ]


def percentiles(result: LoadResult) -> str:
    return " / ".join(ms(value) for value in (result.p50_ms, result.p95_ms, result.p99_ms))


def summary(result: LoadResult) -> str:
    return (
        f"{result.per_second:,.0f}/s, p50/p95/p99 {percentiles(result)} ms, "
        f"statuses {result.statuses}, socket errors {result.socket_errors}, "
        f"load {load_now():.1f}"
    )
