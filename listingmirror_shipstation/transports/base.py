"""The transport contract: one method, ``send(request) -> Response``.

A transport moves one request over the wire and brings back one response. It does **not**
retry, pace, or judge statuses: that is the policy's job, above every transport, so that it
applies the same to ours and to yours. The contract, which
:class:`~listingmirror_shipstation.testing.TransportContract` checks:

* return a :class:`~listingmirror_shipstation.transports.Response` for **every** HTTP status,
  4xx and 5xx included;
* raise :class:`~listingmirror_shipstation.errors.ConnectError` when nothing reached the server,
  :class:`~listingmirror_shipstation.errors.RequestTimeout` when no answer came in time, and
  :class:`~listingmirror_shipstation.errors.TransportError` for any other failure without a
  response — never another exception type;
* send the request once (no retries of your own, or they multiply with the policy's);
* be safe to share between threads if you share it;
* release resources in :meth:`~listingmirror_shipstation.transports.BaseTransport.close`
  (also called on ``with`` exit).
"""

from collections.abc import Mapping
from types import TracebackType
from typing import Self

from attrs import field, frozen

__all__ = ["BaseTransport", "Request", "Response"]

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-partner"})


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _redacted(headers: Mapping[str, str]) -> str:
    shown = {k: ("<redacted>" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}
    return repr(shown)


@frozen(kw_only=True)
class Request:
    """One HTTP request.

    Attributes:
        method: ``GET``, ``POST`` ...
        url: The full URL, query included.
        headers: Header names and values; credentials are hidden in the repr.
        body: The body, if any.
        timeout: Seconds to wait for the answer; ``None`` lets the transport use its default.
        idempotent: Whether sending it twice is harmless (the policy retries only those after a
            5xx or a broken connection).
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(factory=dict, repr=_redacted)
    body: bytes | None = None
    timeout: float | None = None
    idempotent: bool = False


@frozen(kw_only=True)
class Response:
    """One HTTP response.

    Attributes:
        status: The HTTP status.
        headers: Header names (lower-cased) and values.
        body: The whole body.
    """

    status: int
    headers: Mapping[str, str] = field(factory=dict, converter=_lower_keys)
    body: bytes = b""


class BaseTransport:
    """Sends requests. Subclass it and override :meth:`send`; see the module's contract.

    A plain class, not an ABC, so a subclass only has to define what it changes.
    """

    def send(self, request: Request) -> Response:
        """Send *request* once and return the response, whatever its status."""
        raise NotImplementedError(f"{type(self).__name__} must implement send()")

    def close(self) -> None:
        """Release connections and other resources (nothing by default)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
