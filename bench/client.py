"""A minimal HTTP/1.1 client on asyncio streams, for the parts where the
bench needs exact control: fetching CSRF tokens, and firing hundreds of
requests at the same instant. Every request is `Connection: close`, as
gunicorn's sync workers close after each response anyway."""

import asyncio
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

HOST = "127.0.0.1"
TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    finished: float  # time.perf_counter() when the last byte arrived

    def cookies(self) -> dict[str, str]:
        pairs = (value.split(";", 1)[0] for name, value in self.headers if name == "set-cookie")
        return dict(pair.split("=", 1) for pair in pairs)


@dataclass(frozen=True)
class CsrfPair:
    """What a browser holds after GETting a form: the cookie and the form's token."""

    cookie: str  # "name=value", ready for a Cookie header
    token: str


def build_request(
    port: int, method: str, path: str, *, cookie: str = "", form: dict | None = None
) -> bytes:
    body = urlencode(form or {}).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


def parse_response(raw: bytes) -> Response:
    """Status 0 stands for a connection closed without an answer."""
    if not raw.startswith(b"HTTP/"):
        return Response(0, [], raw, time.perf_counter())
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [
        (name.strip().lower(), value.strip())
        for name, value in (line.split(":", 1) for line in header_lines if ":" in line)
    ]
    return Response(int(status_line.split()[1]), headers, body, time.perf_counter())


async def send(connection, raw: bytes) -> Response:
    """Write a request on an open connection and read the answer to EOF."""
    reader, writer = connection
    try:
        writer.write(raw)
        await writer.drain()
        return parse_response(await reader.read())
    finally:
        writer.close()


async def request(port: int, method: str, path: str, **kwargs) -> Response:
    connection = await asyncio.open_connection(HOST, port)
    return await send(connection, build_request(port, method, path, **kwargs))


async def csrf_pairs(port: int, path: str, count: int, *, concurrency: int = 10) -> list[CsrfPair]:
    """GET a form `count` times, as that many separate visitors."""
    gate = asyncio.Semaphore(concurrency)

    async def one() -> CsrfPair:
        async with gate:
            response = await request(port, "GET", path)
        match = TOKEN_RE.search(response.body)
        if response.status != 200 or match is None:
            raise RuntimeError(f"GET {path} answered {response.status} without a CSRF token")
        name, value = next((k, v) for k, v in response.cookies().items() if "csrftoken" in k)
        return CsrfPair(cookie=f"{name}={value}", token=match.group(1).decode())

    return await asyncio.gather(*(one() for _ in range(count)))
