"""Every error this library raises, in one hierarchy.

Catch :class:`ListingMirrorShipStationError` to catch them all. Each error that is about a
value names the field and the value (secrets are never part of a message). A builtin in
brackets is the class's builtin co-parent (``except ValueError`` catches it); a class without
one is not a ``ValueError`` (a transport failure or an error status is not bad input)::

    ListingMirrorShipStationError
    ├── TransportError                  no HTTP response (.method, .url)
    │   ├── ConnectError                never reached the server: safe to retry
    │   ├── RequestTimeout [TimeoutError]   no answer in time
    │   ├── AmbiguousOutcomeError       a non-idempotent request may or may not have been applied
    │   └── ResponseTooLargeError       the answer (decompressed) is over the configured size
    ├── APIError                        an error status (.status, .message, .model_state,
    │   │                               .headers, .body); any other status >= 400
    │   ├── BadRequestError [ValueError]    400
    │   ├── AuthenticationError         401
    │   ├── AccessDeniedError           403
    │   ├── NotFoundError [LookupError]     404
    │   ├── RateLimitError              429 (.retry_after)
    │   ├── ServerError                 5xx
    │   └── RedirectError               3xx, never followed (.location_host: where it pointed)
    ├── UnsafeURLError [ValueError]     a URL to follow points away from the API host (or
    │                                   cannot be read safely): not followed
    ├── ConversionError [ValueError]    a payload did not fit the models (.errors)
    ├── ValidationError [ValueError]    a value we would send is invalid; nothing was sent
    ├── ConfigurationError [ValueError]     contradictory or impossible options
    ├── XMLError [ValueError]           XML that cannot be read safely
    │   ├── UnsafeXMLError              a DTD, entity declaration or external reference
    │   └── PayloadTooLargeError        a body over the configured size
    └── MappingError [ValueError]       one order cannot be turned into the other platform's
        ├── MissingShippingAddressError       the order has no usable shipping address
        ├── ExcludedFulfillmentError          FBA/MCF (or another excluded channel): filtered
        ├── IntegrationNotSelectedError       the order's integration is not chosen: filtered
        ├── InventorySourceNotSelectedError   not from an allowed inventory source: filtered
        ├── UnknownFulfillmentError           strict channels: the channel is unknown
        ├── UnmappedStatusError               strict status map: the status has no mapping
        └── InvalidOrderError                 a field cannot be written (too long, no items)

A subclass inherits its parent's co-parent (every ``MappingError`` is a ``ValueError``).
``tests/test_errors.py`` reads this tree and checks it against the classes.

**Business filters are results in a batch, exceptions for one order.** An order left out on
purpose (FBA/MCF, integration or inventory source not chosen: ``filtered = True``) is not a
failure: :func:`~listingmirror_shipstation.mapping.convert_orders` and the sync return it as a
:class:`~listingmirror_shipstation.mapping.Rejection` (a result, with ``.reason`` and
``.filtered``) and go on with the other orders. The single-order functions
(:func:`~listingmirror_shipstation.mapping.check_eligible`,
:func:`~listingmirror_shipstation.mapping.to_shipstation_order`) raise the same class, because a
function that returns a ShipStation order has no other way to say "not this one" without
making every caller check for ``None``; the class carries the reason, the order id and the
message either way, so both paths report the same thing.

Every class pickles (errors cross process boundaries in job queues) by one mechanism: the base
class keeps the arguments each error was built with and replays them (see
``ListingMirrorShipStationError.__reduce__``), so subclasses, users' too, need no
``__reduce__`` of their own whatever keyword-only arguments they declare.
"""

import datetime
import email.utils
import functools
import math
import time
import urllib.parse
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Final, Self

__all__ = [
    "APIError",
    "AccessDeniedError",
    "AmbiguousOutcomeError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConnectError",
    "ConversionError",
    "ExcludedFulfillmentError",
    "IntegrationNotSelectedError",
    "InvalidOrderError",
    "InventorySourceNotSelectedError",
    "ListingMirrorShipStationError",
    "MappingError",
    "MissingShippingAddressError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RateLimitError",
    "RedirectError",
    "RequestTimeout",
    "ResponseTooLargeError",
    "ServerError",
    "TransportError",
    "UnknownFulfillmentError",
    "UnmappedStatusError",
    "UnsafeURLError",
    "UnsafeXMLError",
    "ValidationError",
    "XMLError",
    "error_for",
]

#: Longest value representation put into a message; longer values are cut with an ellipsis.
_MAX_VALUE_REPR = 120


def _show(value: object) -> str:
    """Return a bounded ``repr`` of *value* for an error message."""
    text = repr(value)
    if len(text) > _MAX_VALUE_REPR:
        return text[: _MAX_VALUE_REPR - 1] + "…"
    return text


class ListingMirrorShipStationError(Exception):
    """Base class of every error raised by this library."""

    #: The positional and keyword arguments the error was built with (replayed by pickle).
    _arguments: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """Keep the arguments, whatever the subclass's signature, for ``__reduce__``."""
        self = super().__new__(cls, *args)
        self._arguments = (args, kwargs)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuild the error from the arguments it was built with, then restore its attributes.

        Default exception pickling replays ``self.args`` positionally, which loses keyword-only
        arguments (and ``args`` often holds a formatted message, not the constructor's). This
        replays the constructor's own arguments, so any subclass pickles as long as it was
        built with picklable arguments.
        """
        args, kwargs = self._arguments
        state = {k: v for k, v in vars(self).items() if k != "_arguments"}
        return functools.partial(type(self), *args, **kwargs), (), state or None


class TransportError(ListingMirrorShipStationError):
    """No HTTP response was received.

    Attributes:
        method: The request's method.
        url: The request's URL (never carries credentials: they travel in a header).
    """

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class ConnectError(TransportError):
    """The connection could not be made (refused, DNS, TLS, connect timeout): nothing was sent."""


class RequestTimeout(TransportError, TimeoutError):  # noqa: N818 - reads as it happens
    """The server did not answer in time; the request may have been received."""


class AmbiguousOutcomeError(TransportError):
    """A request that is not safe to repeat was sent, and no answer came back.

    It may or may not have been applied: check before sending it again (e.g. list the orders
    marked shipped before marking again).
    """


class ResponseTooLargeError(TransportError):
    """The answer, once decompressed, is larger than the transport's limit: it was not read.

    A small compressed answer can expand to gigabytes (a "decompression bomb"); reading stops
    at the limit instead.

    Attributes:
        limit: The limit, in bytes.
    """

    def __init__(self, message: str, *, method: str, url: str, limit: int) -> None:
        super().__init__(message, method=method, url=url)
        self.limit = limit


class UnsafeURLError(ListingMirrorShipStationError, ValueError):
    """A URL to follow (a ``next`` link, a webhook's ``resource_url``) is not safe to follow.

    It points away from the API's scheme, host or port, holds user info, or cannot be read the
    way urllib3 would send it (a backslash, a bad port, a non-ASCII host). It is not followed,
    so the API credentials cannot be sent anywhere else.
    """


class APIError(ListingMirrorShipStationError):
    """The server answered with an error status.

    Attributes:
        status: The HTTP status.
        message: The server's message (``message`` or ``Message``, and ``ExceptionMessage``
            when present), or the start of the body when it is not JSON.
        model_state: ShipStation's per-field validation messages (``ModelState``), if any.
        method: The request's method.
        url: The request's URL.
        headers: The response headers (lower-cased names).
        body: The raw response body.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        model_state: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        detail = "".join(
            f"; {field}: {' '.join(texts)}" for field, texts in (model_state or {}).items()
        )
        super().__init__(f"{status} from {method} {url}: {message}{detail}")
        self.message = message
        self.status = status
        self.method = method
        self.url = url
        self.headers = dict(headers or {})
        self.body = body
        self.model_state = dict(model_state or {})

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, method={self.method!r}, url={self.url!r})"
        )


class BadRequestError(APIError, ValueError):
    """400: the request was invalid (see ``model_state``)."""


class AuthenticationError(APIError):
    """401: the credentials were refused."""


class AccessDeniedError(APIError):
    """403: the credentials may not do this."""


class NotFoundError(APIError, LookupError):
    """404: no such resource."""


class RateLimitError(APIError):
    """429: too many requests, and retrying did not help before the deadline.

    ``retry_after`` says how long the server asked to wait.
    """

    @property
    def retry_after(self) -> float | None:
        """How long to wait, in seconds, from ``Retry-After`` or ``X-Rate-Limit-Reset``.

        ``Retry-After`` may be seconds or an HTTP date; ``None`` when neither can be read.
        """
        return _seconds_to_wait(self.headers)


class ServerError(APIError):
    """5xx: the server failed."""


class RedirectError(APIError):
    """3xx: the server answered with a redirect, which is never followed (nor taken as success).

    A redirect would carry the credentials elsewhere; an API behind a redirecting proxy is
    misconfigured. The message names the status and the host of ``Location``.
    """

    @property
    def location_host(self) -> str | None:
        """The host ``Location`` pointed at (``None`` when absent or relative)."""
        return _location_host(self.headers.get("location", ""))


def _location_host(location: str) -> str | None:
    try:
        return urllib.parse.urlsplit(location.strip()).hostname
    except ValueError:
        return None


#: The error class of each status; other statuses >= 500 are ServerError, others APIError.
STATUS_ERRORS: Final[Mapping[int, type[APIError]]] = MappingProxyType(
    {
        400: BadRequestError,
        401: AuthenticationError,
        403: AccessDeniedError,
        404: NotFoundError,
        429: RateLimitError,
    }
)

_SERVER_ERROR_FLOOR: Final = 500
_REDIRECT_FLOOR: Final = 300
_FIRST_ERROR_STATUS: Final = 400
_BODY_IN_MESSAGE: Final = 200


def error_for(
    status: int,
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    message: str | None = None,
    model_state: Mapping[str, tuple[str, ...]] | None = None,
) -> APIError:
    """Build the typed error for an error response (the class from :data:`STATUS_ERRORS`).

    This module knows neither platform: the platform's client reads its own error bodies
    (ShipStation's ``{"Message", "ModelState"}``, Listing Mirror's ``errors``) and passes
    *message* and *model_state*. Without a *message*, the start of the body (as text) is the
    message, and ``HTTP <status>`` when the body is empty.

    Args:
        status: The HTTP status (3xx gives a :class:`RedirectError`).
        method: The request's method.
        url: The request's URL.
        headers: The response headers.
        body: The raw response body (kept on the error).
        message: The server's message, as the platform reads it from the body.
        model_state: Per-field messages, as the platform reads them from the body.
    """
    if _REDIRECT_FLOOR <= status < _FIRST_ERROR_STATUS:
        location = {k.lower(): v for k, v in headers.items()}.get("location")
        host = _location_host(location) if location else None
        where = host or ("the same host" if location else "no Location")
        return RedirectError(
            f"redirect to {where} not followed",
            status=status,
            method=method,
            url=url,
            headers=headers,
            body=body,
        )
    cls = STATUS_ERRORS.get(status) or (ServerError if status >= _SERVER_ERROR_FLOOR else APIError)
    if message is None:
        message = body.decode("utf-8", errors="replace").strip()[:_BODY_IN_MESSAGE]
    return cls(
        message or f"HTTP {status}",
        status=status,
        method=method,
        url=url,
        headers=headers,
        body=body,
        model_state=model_state,
    )


def _seconds_to_wait(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds a response asks to wait; ``None`` when it does not say.

    ``Retry-After`` (seconds or an HTTP date) first, else ``X-Rate-Limit-Reset``.

    The one place ``Retry-After`` is read (the retry policy and
    :attr:`RateLimitError.retry_after` both call it). An HTTP date is measured against the
    response's own ``Date`` header when it has one (the server's clock, so a skewed local clock
    does not matter), else against *now* (Unix seconds; the wall clock by default). A date in
    the past means no wait.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after", "").strip()
    if value:
        seconds = _number(value)
        if seconds is not None:
            return seconds
        when = _http_date(value)
        if when is not None:
            server_now = _http_date(lowered.get("date", ""))
            base = server_now if server_now is not None else (time.time() if now is None else now)
            return max(0.0, when - base)
    return _number(lowered.get("x-rate-limit-reset", ""))


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _http_date(text: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 5322 for UTC with no zone information
        when = when.replace(tzinfo=datetime.UTC)
    return when.timestamp()


class ConversionError(ListingMirrorShipStationError, ValueError):
    """A payload did not fit the models, or a model could not be written.

    Attributes:
        errors: One line per problem, ``"message @ $.path"``, with wire names in the path.
    """

    def __init__(self, message: str, *, errors: tuple[str, ...] = ()) -> None:
        detail = "; ".join(errors)
        super().__init__(f"{message}: {detail}" if detail else message)
        self.errors = errors
        self._message = message


class ValidationError(ListingMirrorShipStationError, ValueError):
    """A value that would be sent is invalid; nothing was sent.

    Attributes:
        message: What is wrong, without the field and the value.
        field: Where the value is, e.g. ``"order_number"`` or ``"items[2].quantity"``.
        value: The offending value.
    """

    def __init__(self, message: str, *, field: str, value: object) -> None:
        super().__init__(f"{field}: {message} (got {_show(value)})")
        self.message = message
        self.field = field
        self.value = value


class ConfigurationError(ListingMirrorShipStationError, ValueError):
    """Options that contradict each other or cannot work."""


class XMLError(ListingMirrorShipStationError, ValueError):
    """XML that cannot be read: not well-formed, not safe, or too large."""


class UnsafeXMLError(XMLError):
    """XML with a DTD, an entity declaration or an external reference: refused unread.

    Such constructs are how XXE (reading local files, reaching internal hosts) and "billion
    laughs" (exponential entity expansion) attacks work; no ShipStation document needs them.
    """


class PayloadTooLargeError(XMLError):
    """A body larger than the configured limit: refused unread.

    Attributes:
        size: The size seen (or at least seen), in bytes.
        limit: The limit, in bytes.
    """

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class MappingError(ListingMirrorShipStationError, ValueError):
    """One Listing Mirror order cannot be turned into a ShipStation order.

    In a batch this never stops the other orders: the order is returned as a rejection with
    this error attached.

    Attributes:
        order_id: Listing Mirror's ``order_id`` of the order.
        reason: A stable machine-readable code, e.g. ``"missing_shipping_address"``.
        filtered: ``True`` when the order was left out on purpose by a filter the merchant
            chose (FBA/MCF, integration not selected), ``False`` when it is an error to fix.
    """

    reason: ClassVar[str] = "mapping_error"
    filtered: ClassVar[bool] = False

    def __init__(self, message: str, *, order_id: int | None) -> None:
        prefix = f"order {order_id}: " if order_id is not None else ""
        super().__init__(prefix + message)
        self.order_id = order_id
        self._message = message


class MissingShippingAddressError(MappingError):
    """The order has no shipping address, or one without street, city or country."""

    reason: ClassVar[str] = "missing_shipping_address"


class ExcludedFulfillmentError(MappingError):
    """The order is fulfilled by an excluded channel (FBA, MCF and WFS by default)."""

    reason: ClassVar[str] = "excluded_fulfillment_channel"
    filtered: ClassVar[bool] = True


class IntegrationNotSelectedError(MappingError):
    """The order comes from a Listing Mirror integration that was not chosen."""

    reason: ClassVar[str] = "integration_not_selected"
    filtered: ClassVar[bool] = True


class InventorySourceNotSelectedError(MappingError):
    """The order does not ship from an inventory source of the allow-list."""

    reason: ClassVar[str] = "inventory_source_not_selected"
    filtered: ClassVar[bool] = True


class UnknownFulfillmentError(MappingError):
    """Strict fulfillment channels: the order's channel is missing or not a known spelling."""

    reason: ClassVar[str] = "unknown_fulfillment_channel"


class UnmappedStatusError(MappingError):
    """The order's status has no mapping and the status map is strict.

    Attributes:
        status: The status text that has no mapping.
    """

    reason: ClassVar[str] = "unmapped_status"

    def __init__(self, message: str, *, order_id: int | None, status: str) -> None:
        super().__init__(message, order_id=order_id)
        self.status = status


class InvalidOrderError(MappingError):
    """A field of the order cannot be written to the other platform.

    Attributes:
        field: The Listing Mirror field, e.g. ``"market_order_id"``.
        value: The offending value.
    """

    reason: ClassVar[str] = "invalid_order"

    def __init__(self, message: str, *, order_id: int | None, field: str, value: object) -> None:
        super().__init__(f"{field}: {message} (got {_show(value)})", order_id=order_id)
        self.field = field
        self.value = value
        self._message = message


def _forget_tracebacks(error: BaseException, *, keep_own: bool = False) -> None:
    """Drop the tracebacks of *error* (unless *keep_own*) and of every error chained to it.

    A traceback holds the frames that raised it, and each frame its caller: up to a frame that
    holds the batch being read or converted, which holds the error kept for it. That is a
    reference cycle only a full garbage collection frees, keeping the whole batch in memory
    until then. Errors this library keeps for later (a rule's rejection, an explained refusal's
    collected errors) drop them; the message says what happened. Followed: ``__cause__``,
    ``__context__`` and an exception group's ``exceptions`` (cattrs' collected errors).
    """
    seen: set[int] = set()
    stack: list[BaseException] = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current is not error or not keep_own:
            current.__traceback__ = None
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        stack.extend(getattr(current, "exceptions", ()))
