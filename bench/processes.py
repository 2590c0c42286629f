"""The processes the bench starts: gunicorn, a Celery worker and an SMTP
sink. Each runs in its own process group, and each context manager stops the
whole group on the way out, whatever happened inside."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from .client import HOST

BIN = Path(sys.executable).parent
GUNICORN_WORKERS = 4
WORKER_CONCURRENCY = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def process_group(command: list[str], *, log: Path, env: dict, **kwargs) -> Iterator:
    """Start a command in a new session; on exit, SIGTERM its group, then SIGKILL."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, stdout=kwargs.pop("stdout", output), stderr=output, env=env,
            start_new_session=True, **kwargs,
        )  # fmt: skip
    try:
        yield process
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen, *, grace: float = 10.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; make sure nothing else in its group lingers.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return


def wait_until(ready, *, what: str, timeout: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}; see {log}:\n{tail(log)}")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {timeout:.0f}s; see {log}:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
        return True
    return False


@contextlib.contextmanager
def gunicorn(*, port: int, env: dict, log: Path) -> Iterator:
    """The Procfile's web process, on loopback, with the bench's URLs."""
    command = [
        str(BIN / "gunicorn"), "recruitment.wsgi", "--worker-class", "sync",
        "--workers", str(GUNICORN_WORKERS), "--bind", f"{HOST}:{port}",
        "--access-logfile", str(log.with_name("gunicorn-access.log")), "--timeout", "30",
    ]  # fmt: skip
    with process_group(command, log=log, env=env) as process:
        wait_until(lambda: _port_open(port), what="gunicorn", timeout=60, process=process, log=log)
        yield process


@contextlib.contextmanager
def celery_worker(*, env: dict, log: Path) -> Iterator:
    """The Procfile's worker process."""
    command = [
        str(BIN / "celery"), "-A", "recruitment", "worker", "--loglevel", "INFO",
        "--concurrency", str(WORKER_CONCURRENCY), "--hostname", f"bench-{os.getpid()}@%h",
        "--prefetch-multiplier", "1", "-Q", "transactional,celery,bulk",
    ]  # fmt: skip
    with process_group(command, log=log, env=env) as process:
        wait_until(
            lambda: " ready." in log.read_text(errors="replace"),
            what="celery worker", timeout=90, process=process, log=log,
        )  # fmt: skip
        yield process


@contextlib.contextmanager
def smtp_sink(*, port: int, env: dict, log: Path) -> Iterator:
    """An aiosmtpd server on loopback that counts what it receives (bench.smtp_sink)."""
    command = [sys.executable, "-m", "bench.smtp_sink", str(port)]
    with process_group(
        command, log=log, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as process:
        wait_until(lambda: _port_open(port), what="SMTP sink", timeout=30, process=process, log=log)
        yield process


def sink_count(process: subprocess.Popen) -> int:
    """How many messages the sink has accepted so far."""
    process.stdin.write(b"count\n")
    process.stdin.flush()
    return int(process.stdout.readline())


def child_json(module: str, env: dict, *args: str) -> dict:
    """Run `python -m module args...` in a child process (a fresh Django with
    `env`) and return the JSON object its last line of output holds."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=Path(__file__).resolve().parent.parent, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
