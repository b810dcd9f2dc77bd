"""Serve a simulator (any ``Request -> Response`` handler) over real HTTP on 127.0.0.1.

:class:`SimulatorServer` runs ``http.server.ThreadingHTTPServer`` in a thread, so a client
with its real transport (:class:`~listingmirror_shipstation.transports.Urllib3Transport`, or
yours) can be tested against a simulator whose data moves, end to end::

    from listingmirror_shipstation import listingmirror as lm
    from listingmirror_shipstation.testing.server import SimulatorServer
    from listingmirror_shipstation.testing.simulator import ListingMirrorSimulator

    simulator = ListingMirrorSimulator(page_size=2)
    with SimulatorServer(simulator) as server:
        client = lm.ListingMirrorClient(("u", "p"), base_url=server.url + "/api/v2/")
        orders = list(client.orders.iter_all())
"""

import http.server
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from ..transports import Request, Response

__all__ = ["SimulatorServer"]


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        request = Request(
            method=self.command,
            url=self.server.base_url + self.path,
            headers=dict(self.headers.items()),
            body=body,
            idempotent=self.command in ("GET", "HEAD", "PUT", "DELETE"),
        )
        try:
            response = self.server.handler(request)
        except Exception:  # a scripted crash or timeout: hang up without an answer
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _answer  # noqa: N815


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, handler: Callable[[Request], Response]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.handler = handler
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hung up first (a crash or timeout test does it on purpose)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # BrokenPipeError/ConnectionResetError: a traceback after the run otherwise
        super().handle_error(request, client_address)


class SimulatorServer:
    """Serves *handler* over HTTP on 127.0.0.1 (a free port), in a thread; a context manager.

    Each HTTP request becomes a :class:`~listingmirror_shipstation.transports.Request` (its
    ``url`` starts with :attr:`url`) and *handler*'s
    :class:`~listingmirror_shipstation.transports.Response` is written back. When the handler
    raises (a simulator's :meth:`~listingmirror_shipstation.testing.simulator.Scripted.raise_at`
    or a scripted timeout), the connection is closed without an answer. Requests are served
    concurrently, one thread each. A client that hangs up mid-answer is not reported (no
    ``BrokenPipeError`` traceback on standard error).

    Args:
        handler: The simulator, or any ``Request -> Response`` function.

    Attributes:
        url: The base URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash).

    .. versionadded:: 0.2
    """

    def __init__(self, handler: Callable[[Request], Response]) -> None:
        self._server = _Server(handler)
        self.url = self._server.base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
