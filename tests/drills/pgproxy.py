"""A TCP proxy on loopback in front of PostgreSQL that a drill can cut: as if
the database went away for everyone (`refuse()`: connections closed, new
ones refused, until `accept()`), or in the middle of one transaction, just
before a statement reaches the server or just after the server has done it
and before its answer reaches the client (`cut()`).

It reads the statements it passes on, so the connection through it must not
use TLS (`?sslmode=disable`)."""

import contextlib
import socket
import threading
from dataclasses import dataclass, field

from tests.support.delivery import free_port


@dataclass
class Cut:
    """Cut the connection at the first message that contains `at`, once a
    message containing `armed_by` has gone by (if given): before passing it
    on, or after the server has answered it (the answer is never passed on)."""

    at: bytes
    after_the_server_answers: bool = False
    armed_by: bytes | None = None
    done: threading.Event = field(default_factory=threading.Event)


class CuttableProxy:
    def __init__(self, *, upstream_port: int, upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._connections: list[tuple[socket.socket, socket.socket]] = []
        self._listener: socket.socket | None = None
        self._cut: Cut | None = None

    def accept(self) -> None:
        """Listen (again): the database is reachable."""
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.05)
        self._listener = listener
        threading.Thread(target=self._accept_loop, args=(listener,), daemon=True).start()

    def refuse(self) -> None:
        """The database goes away: every connection through the proxy is
        closed and new ones are refused."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            connections, self._connections = self._connections, []
        for pair in connections:
            _close(*pair)

    def cut(self, cut: Cut) -> Cut:
        """Cut the next connection that sends what `cut` names; wait on
        `cut.done` to know it happened."""
        self._cut = cut
        return cut

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by refuse()
            client.settimeout(None)
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            pair = (client, server)
            state = {"swallow_answer": None}
            with self._lock:
                self._connections.append(pair)
            threading.Thread(target=self._to_server, args=(pair, state), daemon=True).start()
            threading.Thread(target=self._to_client, args=(pair, state), daemon=True).start()

    def _to_server(self, pair, state) -> None:
        client, server = pair
        armed = False
        while data := _receive(client):
            cut = self._cut
            if cut is not None and cut.armed_by and cut.armed_by in data:
                armed = True
            if cut is not None and (armed or not cut.armed_by) and cut.at in data:
                self._cut = None
                if not cut.after_the_server_answers:
                    cut.done.set()
                    break
                state["swallow_answer"] = cut
            if not _send(server, data):
                break
        _close(client, server)

    def _to_client(self, pair, state) -> None:
        client, server = pair
        while data := _receive(server):
            if cut := state["swallow_answer"]:
                cut.done.set()
                break
            if not _send(client, data):
                break
        _close(client, server)


def _receive(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
