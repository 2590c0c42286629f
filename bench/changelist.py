"""Figure 6: the staff admin's event changelist (/admin/events/event/) with 10
and with 1,000 events, against a bare staff-only view listing up to 100
events in a plain table (bench.views.bare_event_list).

Each size has a database of its own (dropped and created again each run, and
dropped at the end), migrated and seeded in a child process with bulk_create:
a fifth of the events are past (with people checked in), the rest upcoming
over two years; each has 0 to 80 confirmed, a fifth are full with people
waiting, and a few registrations are cancelled. The member of staff is made
by `manage.py createstaff --group "Workforce development"` and signs in once
through /admin/login/ (django-axes on) and the second factor (an authenticator
app made for it, whose code the bench computes); wrk sends that session cookie.

Two gunicorns (one per database) run side by side; in each round the four
series take turns (the changelist at 10 and at 1,000 events, then the bare
view at each). The figures are those of the round whose 1,000/10 ratio is the
median, and every answer of every round must be a 200. A child process
counts the SQL queries per request in-process (CaptureQueriesContext)
against the same databases, times requests in one process, and writes an
EXPLAIN ANALYZE of the slowest statement and a cProfile of the changelist to
var/bench/changelist-<N>.txt.

`run(folder)` returns the rows for the report; `python -m bench.changelist`
runs it alone. bench.changelist_steps holds what runs in the child
processes, against one size's database."""

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django_otp.oath import totp

from . import client, prepare, processes
from .load import LoadResult, run_wrk
from .pages import Rounds, median_round, percentiles, summary
from .report import Row, load_now, verdict

SIZES = (10, 1_000)
# A handful of staff use the admin; 10 connections with no think time is far
# more than they make, and more than the 4 workers, so the server is saturated.
CONNECTIONS = 10
ROUNDS = 3
ROUND_SECONDS = 3
WARM_UP_SECONDS = 1
# The page shows 8 rows with 10 events (the rest are past) and 100 of 800
# with 1,000, so even the bare view takes about 3 times as long. What must not
# happen is the changelist growing faster than that: counting or reading
# more than its page. Its growth may be at most this much the bare view's.
GROWTH_TARGET = 1.25
PATH = "/admin/events/event/"
BARE_PATH = "/bench/bare-admin/events/"
STAFF_EMAIL = "bench-staff@bench.example.org"
BASE_DIR = Path(__file__).resolve().parent.parent
LOGS = BASE_DIR / "var" / "bench"


def database(size: int) -> str:
    return f"{prepare.DATABASE}_admin_{size}"


@dataclass
class Size:
    """One size's database, server and signed-in member of staff."""

    size: int
    port: int
    cookie: str = ""
    counted: dict | None = None


def _admin_sql(statement: str) -> None:
    with psycopg.connect(f"{prepare.POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def _child(env: dict, *args: str) -> dict:
    """Run a step of this module in a child process; return its JSON answer."""
    return processes.child_json("bench.changelist_steps", env, *args)


def _environment(size: int, port: int, folder: Path) -> dict:
    env = prepare.environment(port=port, static_root=folder / "static")
    env["DATABASE_URL"] = f"{prepare.POSTGRES}/{database(size)}"
    return env


async def _sign_in(port: int, password: str, app_key: str) -> str:
    """GET the admin's login form, POST it, then the authenticator app's
    code to the second-factor page; return the session cookie."""
    login = "/admin/login/"
    [pair] = await client.csrf_pairs(port, f"{login}?next={PATH}", 1)
    form = {
        "csrfmiddlewaretoken": pair.token,
        "username": STAFF_EMAIL,
        "password": password,
        "next": PATH,
    }
    response = await client.request(port, "POST", login, cookie=pair.cookie, form=form)
    session = {name: value for name, value in response.cookies().items() if "sessionid" in name}
    if response.status != 302 or len(session) != 1:
        raise RuntimeError(f"signing in answered {response.status}, not a redirect with a session")
    [(name, value)] = session.items()
    cookie = f"{name}={value}"
    # The second-factor form, as the browser now holds it (signing in
    # rotates the CSRF token), then the code the app shows.
    page = await client.request(
        port, "GET", f"/admin/second-factor/?next={PATH}", cookie=f"{pair.cookie}; {cookie}"
    )
    csrf = {k: v for k, v in page.cookies().items() if "csrftoken" in k}
    csrf_cookie = "; ".join(f"{k}={v}" for k, v in csrf.items()) or pair.cookie
    token = client.TOKEN_RE.search(page.body)
    if page.status != 200 or token is None:
        raise RuntimeError(f"the second-factor page answered {page.status} without a form")
    second = await client.request(
        port,
        "POST",
        "/admin/second-factor/",
        cookie=f"{csrf_cookie}; {cookie}",
        form={
            "csrfmiddlewaretoken": token.group(1).decode(),
            "code": f"{totp(bytes.fromhex(app_key)):06d}",
            "next": PATH,
        },
    )
    if second.status != 302:
        raise RuntimeError(f"the second factor answered {second.status}, not a redirect")
    return cookie


def _check(port: int, path: str, cookie: str, *, table: bytes, row: bytes) -> int:
    """GET a list as the member of staff: a 200 with its table. How many rows."""
    response = asyncio.run(client.request(port, "GET", path, cookie=cookie))
    if response.status != 200 or table not in response.body:
        raise RuntimeError(f"GET {path} answered {response.status}, not the list expected")
    return response.body.count(row)


def _measure(sizes: list[Size]) -> dict[str, Rounds]:
    series = {}
    for name, path in (("site", PATH), ("bare", BARE_PATH)):
        for size in sizes:
            series[f"{name} {size.size}"] = (size, path)
    for size, path in series.values():
        _wrk(size, path, WARM_UP_SECONDS)
    measured = {name: Rounds() for name in series}
    for _ in range(ROUNDS):
        for name, (size, path) in series.items():
            result = _wrk(size, path, ROUND_SECONDS)
            print(f"  {name:>10} events: {summary(result)}", flush=True)
            measured[name].results.append(result)
    return measured


def _wrk(size: Size, path: str, seconds: int) -> LoadResult:
    url = f"http://{client.HOST}:{size.port}"
    return run_wrk(
        url, mode="get", path=path, connections=CONNECTIONS, seconds=seconds, cookie=size.cookie
    )


def run(folder: Path) -> list[Row]:
    """Seed both sizes, serve each, sign in, count queries, then measure."""
    LOGS.mkdir(parents=True, exist_ok=True)
    sizes = [Size(size, processes.free_port()) for size in SIZES]
    try:
        with contextlib.ExitStack() as servers:
            for size in sizes:
                _admin_sql(f'DROP DATABASE IF EXISTS "{database(size.size)}" WITH (FORCE)')
                _admin_sql(f'CREATE DATABASE "{database(size.size)}"')
                env = _environment(size.size, size.port, folder)
                started = time.monotonic()
                seeded = _child(env, "seed", str(size.size))
                seconds = [time.monotonic() - started]
                log = LOGS / f"gunicorn-admin-{size.size}.log"
                servers.enter_context(processes.gunicorn(port=size.port, env=env, log=log))
                size.cookie = asyncio.run(
                    _sign_in(size.port, seeded["password"], seeded["app_key"])
                )
                shown = (
                    _check(
                        size.port, PATH, size.cookie,
                        table=b'id="result_list"', row=b'name="_selected_action"',
                    ),
                    _check(size.port, BARE_PATH, size.cookie, table=b"<table>", row=b"<tr>") - 1,
                )  # fmt: skip
                seconds.append(time.monotonic() - started)
                counted = _child(env, "count", str(size.size), size.cookie)
                seconds.append(time.monotonic() - started)
                size.counted = counted | seeded | {"rows": shown}
                print(
                    f"  {size.size:,} events: {_facts(size.counted)}; seeded, served and counted "
                    "after " + ", ".join(f"{second:.0f}" for second in seconds) + " s",
                    flush=True,
                )
            measured = _measure(sizes)
    finally:
        for size in sizes:
            _admin_sql(f'DROP DATABASE IF EXISTS "{database(size.size)}" WITH (FORCE)')
    return rows_for(sizes, measured)


def _facts(counted: dict) -> str:
    site, bare = counted["site"], counted["bare"]
    return (
        f"{counted['registrations']:,} registrations; rows on the page {counted['rows'][0]} "
        f"(bare {counted['rows'][1]}); queries {site['queries']} (bare {bare['queries']}); "
        f"in one process {_in_process(site)} (bare {_in_process(bare)}); "
        f"slowest statement {counted['slowest_ms']:.1f} ms; load {load_now():.1f}"
    )


def _in_process(timed: dict) -> str:
    return f"{timed['cpu_ms']:.0f} Python + {timed['sql_ms']:.0f} SQL"


# The rows -------------------------------------------------------------------


def rows_for(sizes: list[Size], measured: dict[str, Rounds]) -> list[Row]:
    small, large = sizes
    pick = {name: rounds.results for name, rounds in measured.items()}
    site_small, site_large = pick[f"site {small.size}"], pick[f"site {large.size}"]
    bare_small, bare_large = pick[f"bare {small.size}"], pick[f"bare {large.size}"]
    # Time per request at a fixed number of connections is connections / throughput.
    ratios = [a.per_second / b.per_second for a, b in zip(site_small, site_large, strict=True)]
    middle = median_round(ratios)
    bare_ratios = [a.per_second / b.per_second for a, b in zip(bare_small, bare_large, strict=True)]
    at = {name: results[middle] for name, results in pick.items()}
    clean = all(rounds.clean(200) for rounds in measured.values())
    both = f"{small.size:,} / {large.size:,} events"
    return [
        Row(
            f"Admin event changelist, requests/s at {CONNECTIONS} connections, {both}, "
            f"median of {ROUNDS} rounds",
            " / ".join(f"{at[f'site {s.size}'].per_second:,.0f}" for s in sizes),
            " / ".join(f"{at[f'bare {s.size}'].per_second:,.0f}" for s in sizes),
            " / ".join(
                f"{at[f'site {s.size}'].per_second / at[f'bare {s.size}'].per_second:.2f}"
                for s in sizes
            ),
        ),
        Row(
            f"Admin event changelist, p50 / p95 / p99 (ms), {both}, same round",
            "; ".join(percentiles(at[f"site {s.size}"]) for s in sizes),
            "; ".join(percentiles(at[f"bare {s.size}"]) for s in sizes),
        ),
        Row(
            f"Admin event changelist, time per request with {large.size:,} events "
            f"÷ with {small.size}, same round",
            f"{ratios[middle]:.2f}× ({min(ratios):.2f}–{max(ratios):.2f})",
            f"{bare_ratios[middle]:.2f}× ({min(bare_ratios):.2f}–{max(bare_ratios):.2f})",
            f"{ratios[middle] / bare_ratios[middle]:.2f}",
            target=f"≤ {GROWTH_TARGET} (grows like the bare view)",
            verdict=verdict(ratios[middle] / bare_ratios[middle] <= GROWTH_TARGET and clean),
        ),
        *_in_process_rows(sizes, both),
        Row(
            "Admin event changelist, answers other than 200, all rounds",
            _not_ok(measured, "site", sizes),
            _not_ok(measured, "bare", sizes),
        ),
    ]


def _in_process_rows(sizes: list[Size], both: str) -> list[Row]:
    """What the child process counted and timed."""
    queries = [size.counted["site"]["queries"] for size in sizes]
    return [
        Row(
            f"Admin event changelist, rows on the page, {both}",
            " / ".join(f"{s.counted['rows'][0]} of {s.counted['upcoming']:,}" for s in sizes),
            " / ".join(str(s.counted["rows"][1]) for s in sizes),
        ),
        Row(
            f"Admin event changelist, SQL queries per request, {both}",
            " / ".join(str(q) for q in queries),
            " / ".join(str(s.counted["bare"]["queries"]) for s in sizes),
            target="the same at both",
            verdict=verdict(len(set(queries)) == 1),
        ),
        Row(
            f"Admin event changelist in one process, ms of Python CPU + ms waiting for SQL "
            f"per request, {both}",
            "; ".join(_in_process(s.counted["site"]) for s in sizes),
            "; ".join(_in_process(s.counted["bare"]) for s in sizes),
        ),
    ]


def _not_ok(measured: dict[str, Rounds], name: str, sizes: list[Size]) -> str:
    return "; ".join(measured[f"{name} {s.size}"].not_ok(200) for s in sizes)


def main() -> None:
    """The changelist figure alone: `python -m bench.changelist`."""
    import tempfile

    from .load import ensure_wrk
    from .report import table

    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="insight-bench-") as folder:
        print(table(run(Path(folder))))


if __name__ == "__main__":
    main()
