"""The Custom Store endpoint as a plain WSGI application.

ShipStation calls one URL: ``GET ?action=export&start_date=…&end_date=…&page=N`` to pull orders
and ``POST ?action=shipnotify&order_number=…&carrier=…&service=…&tracking_number=…`` with a
``<ShipNotice>`` body to push shipments.
:class:`~listingmirror_shipstation.customstore.CustomStoreApp` answers both, knowing only
Custom Store models; what orders exist and what happens to a ShipNotice is up to two small
collaborators, :class:`~listingmirror_shipstation.customstore.OrderSource` and
:class:`~listingmirror_shipstation.customstore.ShipNoticeReceiver`.

Every answer is well-formed XML, errors included (ShipStation's connection test reports "Root
element is missing" on an empty body):

=====================================  ======  ============================================
Situation                              Status  Body
=====================================  ======  ============================================
export                                 200     ``<Orders pages="N">``, streamed
shipnotify accepted (or a duplicate)   200     ``<ShipNotice><Result>ok</Result>…``
wrong or missing credentials           401     ``<Error>``, with ``WWW-Authenticate``
bad query or body                      400     ``<Error>`` saying what was wrong
body over the size limit               413     ``<Error>``
wrong method for the action            405     ``<Error>``, with ``Allow``
unknown or missing action              400     ``<Error>``
anything unexpected                    500     a generic ``<Error>``; details only in the log
=====================================  ======  ============================================

Credentials come as HTTP Basic or as the ``SS-UserName``/``SS-Password`` query parameters
ShipStation also sends; both are compared in constant time. The query string (which holds the
password) is never logged.
"""

import abc
import base64
import binascii
import hmac
import logging
import math
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Final
from wsgiref.types import StartResponse, WSGIEnvironment
from xml.sax.saxutils import escape

import attrs

from ..errors import (
    ConfigurationError,
    ConversionError,
    PayloadTooLargeError,
    ValidationError,
    XMLError,
)
from .models import Order, ShipNotice
from .validate import validate_order
from .xml import DEFAULT_MAX_BYTES, iter_render_orders, parse_export_query, parse_ship_notice

__all__ = ["CustomStoreApp", "OrderSource", "ShipNoticeReceiver"]

logger = logging.getLogger(__name__)

_XML: Final = "text/xml; charset=utf-8"


class OrderSource(abc.ABC):
    """Answers "which Custom Store orders were modified in this window".

    Implement :meth:`orders_modified`; the app sorts, validates and pages.
    """

    @abc.abstractmethod
    def orders_modified(self, start: datetime, end: datetime) -> Iterable[Order]:
        """Return every order whose ``last_modified`` is in ``[start, end]`` (aware, UTC).

        Must not change anything: in particular, never bump a last-modified time because an
        order was exported, or ShipStation re-fetches it on every poll.
        """


class ShipNoticeReceiver(abc.ABC):
    """Receives each ShipNotice ShipStation posts."""

    @abc.abstractmethod
    def receive(self, notice: ShipNotice) -> bool:
        """Take *notice*; return ``False`` if it was a duplicate already taken, else ``True``.

        Raise a :class:`~listingmirror_shipstation.errors.ListingMirrorShipStationError` (a
        ``ValueError``) for a notice that cannot be applied: the app answers 400 with its
        message. Anything else becomes a 500.
        """


def _error_body(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>\n"
    ).encode()


class _Answer(Exception):  # noqa: N818 - an internal control-flow signal, not an error type
    """Ends a request early with a status and an XML error body."""

    def __init__(
        self, status: str, code: str, message: str, headers: list[tuple[str, str]]
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class CustomStoreApp:
    """A WSGI application that is ShipStation's Custom Store endpoint.

    >>> from listingmirror_shipstation.customstore import (
    ...     CustomStoreApp, OrderSource, ShipNoticeReceiver)
    >>> class NoOrders(OrderSource):
    ...     def orders_modified(self, start, end):
    ...         return []
    >>> class Printer(ShipNoticeReceiver):
    ...     def receive(self, notice):
    ...         print(notice.tracking_number)
    ...         return True
    >>> app = CustomStoreApp("shipstation", "s3cret", NoOrders(), Printer())
    >>> app
    CustomStoreApp(username='shipstation', page_size=100)

    Args:
        username: The user name ShipStation is given.
        password: The password ShipStation is given (never logged nor shown in a repr).
        source: Which orders were modified in a window.
        receiver: Where each ShipNotice goes.
        page_size: Orders per export page.
        max_body_bytes: Largest ShipNotice body read; a larger one is answered 413 unread.
        on_invalid: Called with ``(order, error)`` for an order the source gave that cannot be
            written; the order is left out of the export (and the pages count) and logged.
    """

    def __init__(
        self,
        username: str,
        password: str,
        source: OrderSource,
        receiver: ShipNoticeReceiver,
        *,
        page_size: int = 100,
        max_body_bytes: int = DEFAULT_MAX_BYTES,
        on_invalid: Callable[[Order, ValidationError], None] | None = None,
    ) -> None:
        if not username or not password:
            raise ConfigurationError("a Custom Store endpoint needs a user name and a password")
        if page_size < 1:
            raise ConfigurationError(f"page_size must be at least 1, got {page_size}")
        if max_body_bytes < 1:
            raise ConfigurationError(f"max_body_bytes must be at least 1, got {max_body_bytes}")
        self.username = username
        self._username = username.encode("utf-8")
        self._password = password.encode("utf-8")
        self.source = source
        self.receiver = receiver
        self.page_size = page_size
        self.max_body_bytes = max_body_bytes
        self.on_invalid = on_invalid

    def __repr__(self) -> str:
        return f"CustomStoreApp(username={self.username!r}, page_size={self.page_size})"

    # --- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request (the WSGI entry point)."""
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
        action = (query.get("action") or [""])[0].strip().lower()
        body: Iterable[bytes]
        try:
            self._authenticate(environ, query)
            if action == "export":
                self._allow(method, "GET", "HEAD")
                status, body = "200 OK", self._export(query)
            elif action == "shipnotify":
                self._allow(method, "POST")
                status, body = "200 OK", self._shipnotify(environ, query)
            else:
                raise _Answer(
                    "400 Bad Request",
                    "unknown_action",
                    "action must be 'export' or 'shipnotify'",
                    [],
                )
        except _Answer as answer:
            logger.info("custom store %s action=%s -> %s", method, action or "-", answer.status)
            start_response(answer.status, [("Content-Type", _XML), *answer.headers])
            return [_error_body(answer.code, answer.message)]
        except Exception:
            logger.exception("custom store %s action=%s failed", method, action or "-")
            start_response("500 Internal Server Error", [("Content-Type", _XML)])
            return [_error_body("internal_error", "The request could not be completed.")]
        logger.info("custom store %s action=%s -> %s", method, action, status)
        start_response(status, [("Content-Type", _XML)])
        return [] if method == "HEAD" else body

    # --- steps ---------------------------------------------------------------------------

    def _authenticate(self, environ: WSGIEnvironment, query: dict[str, list[str]]) -> None:
        user, password = self._credentials(environ, query)
        # Both comparisons always run, so the time taken does not tell which one failed.
        user_ok = hmac.compare_digest(user, self._username)
        password_ok = hmac.compare_digest(password, self._password)
        if not (user_ok and password_ok):
            raise _Answer(
                "401 Unauthorized",
                "unauthorized",
                "Wrong or missing credentials.",
                [("WWW-Authenticate", 'Basic realm="ShipStation Custom Store", charset="UTF-8"')],
            )

    @staticmethod
    def _credentials(environ: WSGIEnvironment, query: dict[str, list[str]]) -> tuple[bytes, bytes]:
        header = str(environ.get("HTTP_AUTHORIZATION", ""))
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "basic" and token:
            try:
                decoded = base64.b64decode(token.strip(), validate=True)
            except (binascii.Error, ValueError):
                return b"", b""
            user, sep, password = decoded.partition(b":")
            if sep:
                return user, password
        lowered = {k.lower(): v for k, v in query.items()}
        user_values = lowered.get("ss-username") or [""]
        password_values = lowered.get("ss-password") or [""]
        return user_values[0].encode("utf-8"), password_values[0].encode("utf-8")

    @staticmethod
    def _allow(method: str, *allowed: str) -> None:
        if method not in allowed:
            raise _Answer(
                "405 Method Not Allowed",
                "method_not_allowed",
                f"this action takes {' or '.join(allowed)}",
                [("Allow", ", ".join(allowed))],
            )

    def _export(self, query: dict[str, list[str]]) -> Iterator[bytes]:
        try:
            window = parse_export_query(query)
        except ConversionError as exc:
            raise _Answer("400 Bad Request", "bad_query", str(exc), []) from exc
        orders = self._writable(self.source.orders_modified(window.start, window.end))
        orders.sort(key=lambda o: (o.last_modified, o.order_id or "", o.order_number))
        pages = math.ceil(len(orders) / self.page_size)
        first = (window.page - 1) * self.page_size
        return iter_render_orders(orders[first : first + self.page_size], pages=pages)

    def _writable(self, orders: Iterable[Order]) -> list[Order]:
        kept: list[Order] = []
        for order in orders:
            try:
                validate_order(order)
            except ValidationError as exc:
                logger.warning("order %s left out of the export: %s", order.order_number, exc)
                if self.on_invalid is not None:
                    self.on_invalid(order, exc)
                continue
            kept.append(order)
        return kept

    def _read_body(self, environ: WSGIEnvironment) -> bytes:
        length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
        stream = environ["wsgi.input"]
        if length_text:
            try:
                length = int(length_text)
            except ValueError:
                raise _Answer("400 Bad Request", "bad_request", "bad Content-Length", []) from None
            if length > self.max_body_bytes:
                raise _Answer(
                    "413 Content Too Large",
                    "too_large",
                    f"body over {self.max_body_bytes} bytes",
                    [],
                )
            return bytes(stream.read(length)) if length > 0 else b""
        data = bytes(stream.read(self.max_body_bytes + 1))
        if len(data) > self.max_body_bytes:
            raise _Answer(
                "413 Content Too Large", "too_large", f"body over {self.max_body_bytes} bytes", []
            )
        return data

    def _shipnotify(self, environ: WSGIEnvironment, query: dict[str, list[str]]) -> list[bytes]:
        body = self._read_body(environ)
        try:
            notice = self._notice(body, query, self.max_body_bytes)
        except PayloadTooLargeError as exc:
            raise _Answer("413 Content Too Large", "too_large", str(exc), []) from exc
        except (XMLError, ConversionError) as exc:
            raise _Answer("400 Bad Request", "bad_ship_notice", str(exc), []) from exc
        try:
            fresh = self.receiver.receive(notice)
        except ValueError as exc:  # the library's errors are ValueErrors: the notice is bad
            raise _Answer("400 Bad Request", "not_applied", str(exc), []) from exc
        result = "ok" if fresh else "duplicate"
        return [
            (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                f"<ShipNotice><Result>{result}</Result></ShipNotice>\n"
            ).encode()
        ]

    @staticmethod
    def _notice(body: bytes, query: dict[str, list[str]], max_bytes: int) -> ShipNotice:
        notice = parse_ship_notice(body, max_bytes=max_bytes) if body.strip() else ShipNotice()

        # The query names the order and the tracking too; an empty body has been seen in the
        # wild, and then no items means the whole order shipped.
        def first(key: str) -> str | None:
            return (query.get(key) or [""])[0] or None

        notice = attrs.evolve(
            notice,
            order_number=notice.order_number or first("order_number"),
            carrier=notice.carrier or first("carrier"),
            service=notice.service or first("service"),
            tracking_number=notice.tracking_number or first("tracking_number"),
        )
        if notice.order_number is None and notice.order_id is None:
            raise ConversionError(
                "cannot read the ship notice",
                errors=("no OrderNumber or OrderID in the body, no order_number in the query @ $",),
            )
        return notice
