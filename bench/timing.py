"""Figure 7: whether a public form's answer takes longer for an address
already known than for a new one (issue 13: "timing within noise").

On the bench's database, in this process, through Django's test client (the
whole middleware stack, no network: what the server does is all that is
timed), each public form is sent ROUNDS times for every case below, the
cases taking turns in a shuffled order, each POST with an address of its
own. Printed for each case: the median and p90 in milliseconds and the ratio
of its median to the new address's; beside them, the noise: the ratio of
the medians of two random halves of the new addresses' timings, and the
range 90 % of SPLITS random halvings fall in. A known address's ratio inside
that range is a difference chance alone would make.

- Registration (an event that never fills): a new address; one registered
  an hour ago (its link is emailed again); one registered a minute ago
  (inside the quiet period: no email goes).
- Positive action: a new address; one that asked before.
- Alerts: a new address; a confirmed subscriber; an unconfirmed one; one
  that was sent a confirmation a minute ago (no email goes).

The rate limits and minimum fill time are off, as for the rest of the bench
(bench/settings.py): they do the same work whatever the address.

`python -m bench.timing` prepares the bench database and runs this alone."""

import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from . import prepare
from .report import Row, load_now

ROUNDS = 300
WARM_UP = 20
HOUR_AGO = timedelta(hours=1)


def _registration_cases(round_count: int) -> tuple[str, dict[str, list[str]]]:
    """The registration form's path, and the addresses for each case."""
    from events import services
    from events.models import Event, HeardFrom, Registration, Role

    event = Event.objects.get(slug=prepare.REGISTER_EVENT)
    role = Role.objects.first()
    names = ("new", "known, link emailed again", "known, quiet period")
    cases = {
        name: [f"timing-{index}-{n}@bench.example.org" for n in range(round_count)]
        for index, name in enumerate(names)
    }
    for name in list(cases)[1:]:
        for email in cases[name]:
            services.register_candidate(
                event, first_name="Timing", last_name="Candidate", email=email, role=role,
                heard_from=HeardFrom.SOCIAL_MEDIA,
            )  # fmt: skip
    Registration.objects.filter(email__in=cases["known, link emailed again"]).update(
        created_at=time_ago(HOUR_AGO)
    )
    return f"/events/{event.slug}/register/", cases


def _registration_fields(email: str) -> dict:
    return {
        "first_name": "Timing",
        "last_name": "Candidate",
        "email": email,
        "phone": "",
        "role": "police-officer",
        "access_needs": "",
        "heard_from": "social_media",
        "privacy": "on",
    }


def _mentoring_cases(round_count: int) -> tuple[str, dict[str, list[str]]]:
    cases = {
        name: [f"timing-pa-{name}-{n}@bench.example.org" for n in range(round_count)]
        for name in ("new", "known")
    }
    client = _client()
    for email in cases["known"]:
        _post(client, "/positive-action/", _mentoring_fields(email))
    return "/positive-action/", cases


def _mentoring_fields(email: str) -> dict:
    import secrets

    return {
        "name": "Aisling Timing",
        "email": email,
        "contact_method": "email",
        "phone": "",
        "role": "police-officer",
        "journey_stage": "preparing",
        "support_kinds": ["application", "fitness"],
        "under_represented": "",
        "anything_else": "",
        "consent": "on",
        "submission_key": secrets.token_urlsafe(32),
    }


def _alerts_cases(round_count: int) -> tuple[str, dict[str, list[str]]]:
    from alerts import services
    from alerts.models import Subscription
    from events.models import Role

    roles = list(Role.objects.all()[:2])
    names = ("new", "known, confirmed", "known, unconfirmed", "known, quiet period")
    cases = {
        name: [f"timing-alerts-{index}-{n}@bench.example.org" for n in range(round_count)]
        for index, name in enumerate(names)
    }
    for name in names[1:]:
        for email in cases[name]:
            services.subscribe(email=email, roles=roles)
    Subscription.objects.filter(email__in=cases["known, confirmed"]).update(
        confirmed_at=time_ago(HOUR_AGO)
    )
    # Their confirmations went in an earlier period: this period's is still to go.
    from emails.models import OutgoingEmail

    known = cases["known, confirmed"] + cases["known, unconfirmed"]
    OutgoingEmail.objects.filter(to__in=known, kind="alerts_confirm").update(
        dedupe_key=_earlier_key()
    )
    return "/alerts/", cases


def _earlier_key():
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    return Concat(F("dedupe_key"), Value(":earlier"))


def _alerts_fields(email: str) -> dict:
    return {"email": email, "roles": ["police-officer", "pcso"], "format": "both", "consent": "on"}


FORMS: dict[str, tuple[Callable, Callable]] = {
    "Registration": (_registration_cases, _registration_fields),
    "Positive action": (_mentoring_cases, _mentoring_fields),
    "Alerts": (_alerts_cases, _alerts_fields),
}


def time_ago(delta: timedelta):
    from django.utils import timezone

    return timezone.now() - delta


def _client():
    from django.test import Client

    return Client(SERVER_NAME="127.0.0.1")


def _post(client, path: str, fields: dict) -> float:
    """Send the form as a browser that loaded it a while ago; milliseconds."""
    data = {**fields, "website": "", "started": ""}
    started = time.perf_counter()
    response = client.post(path, data)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        errors = re.findall(
            r'govuk-error-message">\s*(?:<[^>]+>[^<]*</[^>]+>)?([^<]+)', response.text
        )
        raise RuntimeError(f"POST {path} answered {response.status_code}, not 302: {errors}")
    return elapsed


def measure_form(name: str, *, rounds: int = ROUNDS, seed: int = 13) -> dict[str, list[float]]:
    """Every case's timings for one form, the cases taking turns at random."""
    arrange, fields = FORMS[name]
    path, cases = arrange(rounds + WARM_UP)
    order = [case for case in cases for _ in range(rounds + WARM_UP)]
    random.Random(seed).shuffle(order)
    left = {case: list(addresses) for case, addresses in cases.items()}
    timings: dict[str, list[float]] = {case: [] for case in cases}
    client = _client()
    for case in order:
        timings[case].append(_post(client, path, fields(left[case].pop())))
        client.cookies.clear()
    # The first few of each case warm caches and connections.
    return {case: values[WARM_UP:] for case, values in timings.items()}


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


SPLITS = 200


def noise(values: list[float], *, seed: int = 7) -> tuple[float, float, float]:
    """The ratio of the medians of two random halves of the same case: for
    one split, and the 5th and 95th percentiles over SPLITS splits (what
    chance alone makes of a ratio between two samples of this size)."""
    chance = random.Random(seed)
    ratios = []
    for _ in range(SPLITS):
        shuffled = list(values)
        chance.shuffle(shuffled)
        half = len(shuffled) // 2
        ratios.append(statistics.median(shuffled[:half]) / statistics.median(shuffled[half:]))
    cuts = statistics.quantiles(ratios, n=20)
    return ratios[0], cuts[0], cuts[-1]


def form_rows(name: str, timings: dict[str, list[float]]) -> list[Row]:
    new = statistics.median(timings["new"])
    one_split, low, high = noise(timings["new"])
    spread = f"new/new {one_split:.3f}, 90 % of splits {low:.3f}–{high:.3f}"
    rows = []
    for case, values in timings.items():
        median = statistics.median(values)
        print(
            f"  {name}, {case}: median {median:.1f} ms, p90 {p90(values):.1f} ms, "
            f"ratio to new {median / new:.3f}",
            flush=True,
        )
        rows.append(
            Row(
                f"{name} POST, {case} address: median / p90 (ms), n={len(values)}",
                f"{median:.1f} / {p90(values):.1f}",
                ratio=f"{median / new:.3f}" if case != "new" else "",
                target="" if case == "new" else f"noise: {spread}",
            )
        )
    print(f"  {name}, noise (two random halves of the new addresses): {spread}", flush=True)
    return rows


def timing_rows() -> list[Row]:
    rows = []
    for name in FORMS:
        timings = measure_form(name)
        rows += form_rows(name, timings)
    print(f"  load {load_now():.1f}", flush=True)
    return rows


def main() -> None:
    from .__main__ import _setup_django
    from .processes import free_port
    from .report import table

    with tempfile.TemporaryDirectory(prefix="insight-bench-") as folder:
        env = prepare.environment(port=free_port(), static_root=Path(folder) / "static")
        _setup_django(env)
        print(table(timing_rows()))


if __name__ == "__main__":
    main()
