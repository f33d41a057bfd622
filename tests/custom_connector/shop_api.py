"""A stand-in for Acme's shop API, as the guide's connector (docs/connecting-tools.md) calls
it: stock by SKU, and reservations that honour an ``Idempotency-Key``. It keeps every request
it answered, so a test sees which calls reached the tool."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "acme-test-token"
STOCK = {
    "SKU-1001": {"sku": "SKU-1001", "on_hand": 3, "warehouse": "Leipzig"},
    "SKU-2002": {"sku": "SKU-2002", "on_hand": 0, "warehouse": "Leipzig"},
}


class ShopApi:
    """The shop's state and the requests it answered, as ``(method, path)``."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.reservations: dict[str, dict[str, Any]] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.url = ""

    def answer(self, method: str, path: str, body: Any, key: str | None) -> tuple[int, Any]:
        """The status and JSON body for one authorised request."""
        with self._lock:
            self.requests.append((method, path))
            if method == "GET" and path.startswith("/stock/"):
                found = STOCK.get(path.removeprefix("/stock/"))
                return (200, found) if found else (404, {"error": "no such article"})
            if method == "POST" and path == "/reservations":
                if key is None or key not in self.reservations:
                    reservation = {"reservation_id": f"R-{next(self._numbers)}", **body}
                    self.reservations[key or reservation["reservation_id"]] = reservation
                    return 201, reservation
                return 200, self.reservations[key]
            return 404, {"error": "no such route"}


@contextmanager
def serving() -> Iterator[ShopApi]:
    """The shop API on a free local port until the block ends."""
    api = ShopApi()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                status, body = 401, {"error": "unauthorised"}
            else:
                length = int(self.headers.get("Content-Length") or 0)
                sent = json.loads(self.rfile.read(length)) if length else None
                status, body = api.answer(
                    self.command, self.path, sent, self.headers.get("Idempotency-Key")
                )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: Any) -> None:
            """Quiet: the test reads ``api.requests`` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
