"""Figures 1 and 2, with wrk at 50 connections: the event page against the
bare template-and-one-query view, and registration POSTs.

The machine is shared, and anything else running only ever slows a round
down: so each figure is the best of a few short rounds, the two views taking
turns, while the answers are checked over every round."""

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import client
from .load import LoadResult, run_wrk, write_users_file
from .prepare import PAGE_EVENT, REGISTER_EVENT
from .report import Row, ms, verdict

CONNECTIONS = 50
ROUNDS = 3
ROUND_SECONDS = 5
WARM_UP_SECONDS = 3
PAGE_RATIO_TARGET = 0.8
REGISTER_P95_TARGET_MS = 300


@dataclass
class Rounds:
    """The best round, and the answers counted over all of them."""

    best: LoadResult | None = None
    requests: int = 0
    socket_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, result: LoadResult) -> None:
        if self.best is None or result.per_second > self.best.per_second:
            self.best = result
        self.requests += result.requests
        self.socket_errors += result.socket_errors
        for status, count in result.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count

    def clean(self, ok: int) -> bool:
        return self.socket_errors == 0 and set(self.statuses) == {ok}

    def not_ok(self, ok: int) -> str:
        others = {status: n for status, n in sorted(self.statuses.items()) if status != ok}
        text = ", ".join(f"{n} × {status}" for status, n in others.items()) or "none"
        if self.socket_errors:
            text += f"; {self.socket_errors} socket errors"
        return f"{text} of {self.requests:,}"


def _measure(port: int, paths: dict[str, str], **wrk_options) -> dict[str, Rounds]:
    url = f"http://{client.HOST}:{port}"
    options = {"connections": CONNECTIONS, **wrk_options}
    for path in paths.values():
        run_wrk(url, path=path, seconds=WARM_UP_SECONDS, **options)
    rounds = {name: Rounds() for name in paths}
    for _ in range(ROUNDS):
        for name, path in paths.items():
            result = run_wrk(url, path=path, seconds=ROUND_SECONDS, **options)
            print(f"  {path}: {_summary(result)}", flush=True)
            rounds[name].add(result)
    return rounds


def _check_page(port: int, path: str, expected: bytes) -> None:
    response = asyncio.run(client.request(port, "GET", path))
    if response.status != 200 or expected not in response.body:
        raise RuntimeError(f"GET {path} answered {response.status}, not the page expected")


def page_rows(port: int) -> list[Row]:
    paths = {"site": f"/events/{PAGE_EVENT}/", "bare": f"/bench/bare/{PAGE_EVENT}/"}
    for path in paths.values():
        _check_page(port, path, expected=PAGE_EVENT.encode())
    measured = _measure(port, paths, mode="get")
    site, bare = measured["site"], measured["bare"]
    ratio = site.best.per_second / bare.best.per_second
    passed = ratio >= PAGE_RATIO_TARGET and site.clean(200) and bare.clean(200)
    return [
        Row(
            f"Event page, requests/s at {CONNECTIONS} connections",
            f"{site.best.per_second:,.0f}",
            f"{bare.best.per_second:,.0f}",
            f"{ratio:.2f}",
            f"≥ {PAGE_RATIO_TARGET}",
            verdict(passed),
        ),
        Row("Event page, p50 / p95 / p99 (ms)", _percentiles(site.best), _percentiles(bare.best)),
        Row("Event page, answers other than 200", site.not_ok(200), bare.not_ok(200)),
    ]


def register_rows(port: int, folder: Path) -> list[Row]:
    path = f"/events/{REGISTER_EVENT}/register/"
    pairs = asyncio.run(client.csrf_pairs(port, path, CONNECTIONS))
    users = write_users_file(pairs, folder)
    posts = _measure(port, {"site": path}, mode="register", users_file=users)["site"]
    best = posts.best
    passed = best.p95_ms < REGISTER_P95_TARGET_MS and posts.clean(302)
    return [
        Row(
            f"Registration POST, p95 at {CONNECTIONS} users (ms)",
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


def _percentiles(result: LoadResult) -> str:
    return " / ".join(ms(value) for value in (result.p50_ms, result.p95_ms, result.p99_ms))


def _summary(result: LoadResult) -> str:
    return (
        f"{result.per_second:,.0f}/s, p50/p95/p99 {_percentiles(result)} ms, "
        f"statuses {result.statuses}, socket errors {result.socket_errors}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
