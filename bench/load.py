"""Sustained load with wrk: a fixed number of connections, each sending its
next request as soon as the last one is answered (no think time), for a fixed
duration. wrk is a C program, so on a two-core machine it takes far less CPU
from the server than a Python load generator would."""

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .client import CsrfPair

SCRIPT = Path(__file__).with_name("wrk") / "bench.lua"


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed on first use."""
    if found := shutil.which("wrk"):
        return found
    print("Installing wrk (apt-get install wrk)", flush=True)
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    return shutil.which("wrk") or sys.exit("wrk is not installed and could not be installed")


def run_wrk(
    url: str,
    *,
    mode: str,
    path: str,
    connections: int,
    seconds: int,
    users_file: Path | None = None,
    cookie: str | None = None,
) -> LoadResult:
    command = [
        ensure_wrk(),
        f"--threads={min(2, connections)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={SCRIPT}",
        url,
        "--",
        mode,
        path,
    ]
    if users_file is not None:
        command.append(str(users_file))
    if cookie is not None:
        command.append(cookie)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        socket_errors=data["socket_errors"],
        statuses={int(status): n for status, n in data["statuses"].items()},
    )


def write_users_file(pairs: list[CsrfPair], folder: Path) -> Path:
    path = folder / "wrk-users.tsv"
    path.write_text("".join(f"{pair.cookie}\t{pair.token}\n" for pair in pairs))
    return path
