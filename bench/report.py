"""The table of figures: printed, and written into docs/benchmarks.md between
markers, so that notes written by hand around it survive the next run."""

import os
import platform
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from . import processes

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass(frozen=True)
class Row:
    figure: str
    site: str = ""
    bare: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""


_loads: list[float] = []


def load_now() -> float:
    """The 1-minute load average, remembered for the machine's facts."""
    _loads.append(os.getloadavg()[0])
    return _loads[-1]


def load_fact() -> str:
    text = f"{_loads[0]:.1f} at the start, {max(_loads):.1f} at most, {load_now():.1f} at the end"
    if max(_loads) > (os.cpu_count() or 1) + 1:
        text += ": other work was competing for the cores, so the figures are low"
    return text


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def ms(value: float) -> str:
    return f"{value:,.0f}"


def machine() -> dict[str, str]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return {
        "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "CPU": _proc_field("/proc/cpuinfo", "model name"),
        "memory": f"{int(_proc_field('/proc/meminfo', 'MemTotal').split()[0]) / 2**20:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "PostgreSQL": postgres.split()[0],
        "wrk": (wrk.stdout + wrk.stderr).split(" [")[0].removeprefix("wrk ").strip(),
        "servers": (
            f"gunicorn {version('gunicorn')}, {processes.GUNICORN_WORKERS} sync workers; "
            f"Celery {version('celery')} worker, prefork, concurrency "
            f"{processes.WORKER_CONCURRENCY}"
        ),
    }


def _proc_field(path: str, name: str) -> str:
    for line in Path(path).read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return " ".join(value.split())
    return "unknown"


def table(rows: list[Row]) -> str:
    lines = [
        "| figure | this site | bare Django view | ratio | target | result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        cells = (row.figure, row.site, row.bare, row.ratio, row.target, row.verdict)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section(rows: list[Row], facts: dict[str, str], *, minutes: float) -> str:
    machine_lines = "\n".join(f"- {name}: {value}" for name, value in facts.items())
    return (
        f"{START}\n"
        f"## Latest run\n\n"
        f"`make bench` on {facts['date']}, {minutes:.1f} minutes in all.\n\n"
        f"{table(rows)}\n\n"
        f"Machine:\n\n{machine_lines}\n"
        f"{END}"
    )


def publish(rows: list[Row], facts: dict[str, str], *, minutes: float, write: bool = True) -> None:
    print()
    print(table(rows))
    print()
    print("Machine: " + ", ".join(f"{name} {value}" for name, value in facts.items()))
    judged = [row for row in rows if row.verdict]
    missed = [row.figure for row in judged if row.verdict != "PASS"]
    print(f"{len(judged) - len(missed)} of {len(judged)} targets met.", *missed, sep="\n  missed: ")
    if not write:
        return
    new = section(rows, facts, minutes=minutes)
    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    DOC.write_text(pattern.sub(lambda _: new, text, count=1))
    print(f"Written to {DOC.relative_to(DOC.parent.parent)}")
