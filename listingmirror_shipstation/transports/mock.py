"""A transport that calls a function instead of the network, for tests (ours and yours)."""

import threading
from collections.abc import Callable

from .base import BaseTransport, Request, Response

__all__ = ["MockTransport"]


class MockTransport(BaseTransport):
    """Answers every request with ``handler(request)``; remembers what it was sent.

    The handler may return a :class:`~listingmirror_shipstation.transports.Response` or raise a
    :class:`~listingmirror_shipstation.errors.TransportError` to simulate a failure. It never
    retries.

    >>> from listingmirror_shipstation.transports import MockTransport, Request, Response
    >>> transport = MockTransport(lambda request: Response(status=204))
    >>> transport.send(Request(method="GET", url="https://example.invalid/")).status
    204
    >>> [r.url for r in transport.requests]
    ['https://example.invalid/']

    Attributes:
        requests: Every request sent, in order.
    """

    def __init__(self, handler: Callable[[Request], Response]) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def send(self, request: Request) -> Response:
        """Record *request* and return the handler's answer."""
        with self._lock:
            self.requests.append(request)
        return self.handler(request)
