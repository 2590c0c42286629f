"""Figure 3: 500 registrations for an 80-place event, all sent at the same
instant, through the real form and through the bare locked view, in turns,
on a fresh event each round.

Every connection is opened first; then every request is written in one
burst, and the wall time runs from the first write to the last answer. The
counts are checked in the database afterwards."""

import asyncio
import time
from dataclasses import dataclass

from . import client
from .pages import median_round
from .prepare import BARE_SPIKE_EVENTS, SPIKE_EVENTS, SPIKE_PLACES, as_letters
from .report import Row, load_now, verdict

SIMULTANEOUS = 500
WALL_RATIO_TARGET = 2.0
TIMEOUT_SECONDS = 180


@dataclass(frozen=True)
class Spike:
    seconds: float
    statuses: dict[int, int]
    confirmed: int
    waiting: int

    @property
    def server_errors(self) -> int:
        """5xx answers, and connections closed with no answer (status 0)."""
        return sum(n for status, n in self.statuses.items() if status >= 500 or status == 0)


def _form(pair: client.CsrfPair, number: int, prefix: str) -> dict:
    return {
        "csrfmiddlewaretoken": pair.token,
        "first_name": "Spike",
        "last_name": f"Candidate {as_letters(number)}",
        "email": f"{prefix}-{number}@bench.example.org",
        "phone": "",
        "role": "police-officer",
        "access_needs": "",
        "heard_from": "social_media",
        "privacy": "on",
    }


async def _fire(port: int, raws: list[bytes]) -> tuple[float, list[client.Response]]:
    connections = await asyncio.gather(*(asyncio.open_connection(client.HOST, port) for _ in raws))
    start = time.perf_counter()
    sends = [
        client.send(connection, raw) for connection, raw in zip(connections, raws, strict=True)
    ]
    responses = await asyncio.wait_for(asyncio.gather(*sends), TIMEOUT_SECONDS)
    return start, responses


def run_spike(port: int, path: str, slug: str, pairs: list[client.CsrfPair]) -> Spike:
    raws = [
        client.build_request(
            port, "POST", path, cookie=pair.cookie, form=_form(pair, number, prefix=slug)
        )
        for number, pair in enumerate(pairs)
    ]
    start, responses = asyncio.run(_fire(port, raws))
    statuses: dict[int, int] = {}
    for response in responses:
        statuses[response.status] = statuses.get(response.status, 0) + 1
    last = max(response.finished for response in responses)
    confirmed, waiting = _counts(slug)
    return Spike(last - start, statuses, confirmed, waiting)


def _counts(slug: str) -> tuple[int, int]:
    from events.models import Registration, RegistrationStatus

    registrations = Registration.objects.filter(event__slug=slug)
    return (
        registrations.filter(status=RegistrationStatus.CONFIRMED).count(),
        registrations.filter(status=RegistrationStatus.WAITING).count(),
    )


def spike_rows(port: int) -> list[Row]:
    pairs = asyncio.run(
        client.csrf_pairs(port, f"/events/{SPIKE_EVENTS[0]}/register/", SIMULTANEOUS)
    )
    site: list[Spike] = []
    bare: list[Spike] = []
    for site_slug, bare_slug in zip(SPIKE_EVENTS, BARE_SPIKE_EVENTS, strict=True):
        bare_path = f"/bench/bare/{bare_slug}/register/"
        bare.append(run_spike(port, bare_path, bare_slug, pairs))
        print(f"  bare locked view: {bare[-1]}, load {load_now():.1f}", flush=True)
        site.append(run_spike(port, f"/events/{site_slug}/register/", site_slug, pairs))
        print(f"  registration form: {site[-1]}, load {load_now():.1f}", flush=True)
    return _rows(site, bare)


def _rows(site: list[Spike], bare: list[Spike]) -> list[Row]:
    expected = (SPIKE_PLACES, SIMULTANEOUS - SPIKE_PLACES)
    ratios = [s.seconds / b.seconds for s, b in zip(site, bare, strict=True)]
    middle = median_round(ratios)
    site_errors = sum(spike.server_errors for spike in site)
    return [
        Row(
            f"Spike of {SIMULTANEOUS} for {SPIKE_PLACES} places, wall time (s), "
            f"median of {len(site)} rounds",
            f"{site[middle].seconds:.2f}",
            f"{bare[middle].seconds:.2f}",
            f"{ratios[middle]:.1f}× ({min(ratios):.1f}–{max(ratios):.1f})",
            f"≤ {WALL_RATIO_TARGET:.0f}×",
            verdict(ratios[middle] <= WALL_RATIO_TARGET),
        ),
        Row(
            "Spike, confirmed / waiting in the database, each round",
            _counts_text(site),
            _counts_text(bare),
            target=f"{expected[0]} / {expected[1]}",
            verdict=verdict(all((s.confirmed, s.waiting) == expected for s in site)),
        ),
        Row(
            "Spike, 5xx or no answer, all rounds",
            f"{site_errors} ({_statuses(site)})",
            f"{sum(spike.server_errors for spike in bare)} ({_statuses(bare)})",
            target="0",
            verdict=verdict(site_errors == 0),
        ),
    ]


def _counts_text(spikes: list[Spike]) -> str:
    return ", ".join(f"{spike.confirmed} / {spike.waiting}" for spike in spikes)


def _statuses(spikes: list[Spike]) -> str:
    totals: dict[int, int] = {}
    for spike in spikes:
        for status, count in spike.statuses.items():
            totals[status] = totals.get(status, 0) + count
    return ", ".join(f"{n} × {status}" for status, n in sorted(totals.items()))
