"""An SMTP server on loopback that accepts every message and counts it.

Run as `python -m bench.smtp_sink PORT`, in its own process so that it never
shares a core's worth of GIL with a client it is measured against. Each line
"count" on stdin is answered on stdout with the number accepted so far."""

import sys
import threading

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.count += 1
        return "250 OK"


def main() -> None:
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    try:
        for line in sys.stdin:
            if line.strip() == "count":
                with handler.lock:
                    print(handler.count, flush=True)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
