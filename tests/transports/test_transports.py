"""Transports: the contract on a real loopback server, for every shipped transport."""

from typing import Any

import urllib3

from listingmirror_shipstation.testing import LoopbackServer, TransportContract
from listingmirror_shipstation.transports import (
    BaseTransport,
    MockTransport,
    Request,
    Response,
    Urllib3Transport,
)


class TestUrllib3Transport(TransportContract):
    """The default transport keeps the contract."""

    def make_transport(self) -> BaseTransport:
        return Urllib3Transport()


class LoggingTransport(BaseTransport):
    """The docs' example of extending by wrapping: log each request, then delegate."""

    def __init__(self, inner: BaseTransport) -> None:
        self.inner = inner
        self.lines: list[str] = []

    def send(self, request: Request) -> Response:
        response = self.inner.send(request)
        self.lines.append(f"{request.method} {request.url.split('?')[0]} {response.status}")
        return response

    def close(self) -> None:
        self.inner.close()


class TestWrappingTransport(TransportContract):
    """A wrapping transport built as the docs show keeps the contract too."""

    def make_transport(self) -> BaseTransport:
        return LoggingTransport(Urllib3Transport())


class CountingPoolTransport(Urllib3Transport):
    """The docs' example of extending by subclassing: a pool of our own making."""

    def __init__(self, **kwargs: Any) -> None:
        self.pools_made = 0  # set before super().__init__(), which calls make_pool()
        super().__init__(**kwargs)

    def make_pool(self) -> urllib3.PoolManager:
        self.pools_made += 1
        return urllib3.PoolManager(retries=False, timeout=self.timeout, maxsize=2)


class TestSubclassedTransport(TransportContract):
    """A subclass overriding make_pool keeps the contract."""

    def make_transport(self) -> BaseTransport:
        return CountingPoolTransport()

    def test_make_pool_is_used(self) -> None:
        """The subclass's pool is the one used."""
        transport = CountingPoolTransport()
        assert transport.pools_made == 1
        transport.close()


def test_connections_are_reused() -> None:
    """One PoolManager: a second request to the same host reuses the connection."""
    with LoopbackServer() as server, Urllib3Transport() as transport:
        transport.send(Request(method="GET", url=f"{server.url}/status/200"))
        transport.send(Request(method="GET", url=f"{server.url}/status/200"))
        pool = transport.pool.connection_from_url(server.url)
        assert pool.num_connections == 1


def test_tls_verification_is_on_by_default() -> None:
    """Certificates are verified unless a subclass decides otherwise."""
    assert Urllib3Transport().pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"


def test_requests_hide_credentials_in_repr() -> None:
    """The Authorization header never shows in a repr (and so not in logs of reprs)."""
    request = Request(method="GET", url="https://x.invalid/", headers={"Authorization": "Basic s3"})
    assert "s3" not in repr(request)
    assert "<redacted>" in repr(request)


def test_mock_transport_records_and_answers() -> None:
    """MockTransport calls the handler and keeps every request."""
    transport = MockTransport(lambda request: Response(status=418, headers={"A": "b"}))
    response = transport.send(Request(method="PUT", url="https://x.invalid/t"))
    assert (response.status, response.headers) == (418, {"a": "b"})
    assert [r.method for r in transport.requests] == ["PUT"]


def test_logging_example_logs() -> None:
    """The wrapping example records what it sent."""
    with LoopbackServer() as server:
        wrapper = LoggingTransport(Urllib3Transport())
        wrapper.send(Request(method="GET", url=f"{server.url}/status/204?secret=x"))
        wrapper.close()
    assert wrapper.lines == [f"GET {server.url}/status/204 204"]
