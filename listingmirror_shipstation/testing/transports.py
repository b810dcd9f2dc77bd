"""Test helpers for transports and clients: canned responses, a loopback server, a contract.

:class:`~listingmirror_shipstation.testing.TransportContract` is a pytest test class: subclass
it, implement :meth:`~listingmirror_shipstation.testing.TransportContract.make_transport`, and
pytest checks your transport against the contract of
:class:`~listingmirror_shipstation.transports.BaseTransport`, on a real HTTP server on 127.0.0.1
that it starts itself::

    from listingmirror_shipstation.testing import TransportContract

    class TestMyTransport(TransportContract):
        def make_transport(self):
            return MyTransport()
"""

import http.server
import json
import socket
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import pytest

from .. import _jsontext
from ..errors import ConnectError, RequestTimeout, TransportError
from ..transports import BaseTransport, Request, Response

__all__ = ["LoopbackServer", "TransportContract", "json_response"]


def json_response(
    data: object, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A :class:`~listingmirror_shipstation.transports.Response` with *data* as its JSON body.

    ``Decimal`` values are written as exact JSON numbers.

    >>> from listingmirror_shipstation.testing import json_response
    >>> json_response({"orderId": 1}).body
    b'{"orderId":1}'
    """
    return Response(
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
        body=_jsontext.dumps(data).encode("utf-8"),
    )


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.hits[path] += 1
        parts = path.strip("/").split("/")
        if parts[0] == "status" and len(parts) == 2 and parts[1].isdigit():
            self._reply(int(parts[1]), {"status": int(parts[1])})
        elif parts[0] == "slow" and len(parts) == 2:
            time.sleep(float(parts[1]))
            self._reply(200, {"slept": float(parts[1])})
        elif parts[0] == "echo":
            self._reply(
                200,
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("latin-1"),
                },
            )
        else:
            self._reply(404, {"error": "no such path"})

    def _reply(self, status: int, data: object) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Test-Header", "yes")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _answer  # noqa: N815


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hung up first (a timeout test does it on purpose)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # BrokenPipeError/ConnectionResetError: printed a traceback after the run
        super().handle_error(request, client_address)


class LoopbackServer:
    """A small HTTP server on 127.0.0.1 for transport tests; use it as a context manager.

    Paths: ``/status/<code>`` answers that status, ``/echo`` answers the request it got (method,
    path, lower-cased headers, body) as JSON, ``/slow/<seconds>`` waits first. :attr:`hits`
    counts requests per path.

    Attributes:
        url: The base URL, e.g. ``http://127.0.0.1:54321``.
        closed_url: A URL on a port where nothing listens (for "connection refused").
    """

    def __init__(self) -> None:
        self._server = _Server()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        with socket.socket() as probe:  # a port that was free a moment ago, now closed
            probe.bind(("127.0.0.1", 0))
            self.closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def hits(self) -> Counter[str]:
        """Requests received per path."""
        with self._server.lock:
            return Counter(self._server.hits)

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


class TransportContract:
    """The transport contract as pytest tests; subclass it and implement :meth:`make_transport`."""

    def make_transport(self) -> BaseTransport:
        """Return the transport under test (a new one for each test)."""
        raise NotImplementedError

    @pytest.fixture
    def server(self) -> Iterator[LoopbackServer]:
        """A loopback server for one test."""
        with LoopbackServer() as server:
            yield server

    @pytest.fixture
    def transport(self) -> Iterator[BaseTransport]:
        """The transport under test, closed afterwards."""
        with self.make_transport() as transport:
            yield transport

    @pytest.mark.parametrize("status", [200, 201, 204, 400, 401, 404, 429, 500, 503])
    def test_every_status_is_a_response(
        self, server: LoopbackServer, transport: BaseTransport, status: int
    ) -> None:
        """A transport never raises for an HTTP status: 4xx and 5xx come back as responses."""
        response = transport.send(Request(method="GET", url=f"{server.url}/status/{status}"))
        assert response.status == status

    def test_method_headers_and_body_arrive(
        self, server: LoopbackServer, transport: BaseTransport
    ) -> None:
        """What is sent is what the server gets; response headers come back lower-cased."""
        request = Request(
            method="POST",
            url=f"{server.url}/echo?a=1&b=%2f",
            headers={"X-Custom": "value", "Content-Type": "application/json"},
            body=b'{"k": "\xc3\xa9"}',
        )
        response = transport.send(request)
        echoed = json.loads(response.body)
        assert echoed["method"] == "POST"
        # A transport may normalise percent-encodings (%2f -> %2F), not change what they mean.
        assert urllib.parse.unquote(echoed["path"]) == "/echo?a=1&b=/"
        assert echoed["headers"]["x-custom"] == "value"
        assert echoed["body"].encode("latin-1") == request.body
        assert response.headers["x-test-header"] == "yes"

    def test_sends_once(self, server: LoopbackServer, transport: BaseTransport) -> None:
        """No retry inside the transport: a 503 reaches the server exactly once."""
        transport.send(Request(method="POST", url=f"{server.url}/status/503", body=b"x"))
        assert server.hits["/status/503"] == 1

    def test_connection_refused_is_a_connect_error(
        self, server: LoopbackServer, transport: BaseTransport
    ) -> None:
        """Nothing listening: ConnectError (safe to retry), not a timeout."""
        with pytest.raises(ConnectError):
            transport.send(Request(method="GET", url=f"{server.closed_url}/"))

    def test_slow_answer_is_a_request_timeout(
        self, server: LoopbackServer, transport: BaseTransport
    ) -> None:
        """No answer within the request's timeout: RequestTimeout."""
        with pytest.raises(RequestTimeout):
            transport.send(Request(method="GET", url=f"{server.url}/slow/1", timeout=0.2))

    def test_failures_are_transport_errors(self, transport: BaseTransport) -> None:
        """Any failure without a response is a TransportError, never another exception."""
        with pytest.raises(TransportError):
            transport.send(Request(method="GET", url="http://127.0.0.1:1/"))

    def test_close_twice_is_harmless(self) -> None:
        """close() may be called again (``with`` blocks and explicit closes mix)."""
        transport = self.make_transport()
        transport.close()
        transport.close()
