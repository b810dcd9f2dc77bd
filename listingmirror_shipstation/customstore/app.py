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
shipnotify, unreadable body or field   200     recorded from the query and readable parts;
                                               a WARNING names each field ignored
wrong or missing credentials           401     ``<Error>``, with ``WWW-Authenticate``
DTD, entity or external reference      400     ``<Error>``
bad query, bad ``Content-Length``      400     ``<Error>`` saying what was wrong
body shorter than ``Content-Length``   400     ``<Error>``; nothing recorded (incomplete)
notice names no order at all           400     ``<Error>``
receiver raises a ``NOTICE_ERRORS``    400     ``<Error>`` with its message
body over the size limit               413     ``<Error>``
wrong method for the action            405     ``<Error>``, with ``Allow``
unknown or missing action              400     ``<Error>``
anything unexpected                    500     a generic ``<Error>``; the reason is logged,
                                               and ShipStation sends the notice again
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
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from wsgiref.types import StartResponse, WSGIEnvironment
from xml.sax.saxutils import escape

import attrs

from ..errors import (
    ConfigurationError,
    ConversionError,
    MappingError,
    PayloadTooLargeError,
    UnsafeXMLError,
    ValidationError,
    XMLError,
)
from .models import ExportQuery, Order, ShipNotice
from .snapshots import MemorySnapshotStore, Snapshot, SnapshotStore
from .validate import validate_order
from .xml import DEFAULT_MAX_BYTES, iter_render_orders, parse_export_query, parse_ship_notice

__all__ = [
    "DEFAULT_SNAPSHOT_TTL",
    "NOTICE_ERRORS",
    "CustomStoreApp",
    "OrderSource",
    "ShipNoticeReceiver",
    "order_key",
]

logger = logging.getLogger(__name__)

_XML: Final = "text/xml; charset=utf-8"

#: How long an export snapshot is served (see
#: :class:`~listingmirror_shipstation.customstore.CustomStoreApp`): a paging pass must
#: finish within it. ShipStation reads all pages of a poll within seconds.
DEFAULT_SNAPSHOT_TTL: Final = timedelta(minutes=30)

#: The errors a :class:`~listingmirror_shipstation.customstore.ShipNoticeReceiver` raises
#: for a notice that can never be applied: the app answers them 400. Any other exception is
#: a 500, so ShipStation tries again.
NOTICE_ERRORS: Final = (ConversionError, ValidationError, MappingError)

_LENGTH: Final = re.compile(r"[0-9]+")
_SHOWN: Final = 80  # characters of an unreadable value shown in a warning


def order_key(order: Order) -> str:
    """Return the id an export snapshot holds for *order*: its ``OrderID``, else ``OrderNumber``.

    Sources that implement :meth:`OrderSource.order_ids_modified` return these ids, and
    :meth:`OrderSource.orders_by_id` receives them back.
    """
    return order.order_id or order.order_number


class OrderSource(abc.ABC):
    """Answers "which Custom Store orders were modified in this window".

    Implement :meth:`orders_modified`; the app snapshots, validates and pages. To serve each
    export page without reading the whole window again, also implement
    :meth:`order_ids_modified` and :meth:`orders_by_id` (the defaults fall back on
    :meth:`orders_modified`, so a source with only that method keeps working).
    """

    @abc.abstractmethod
    def orders_modified(self, start: datetime, end: datetime) -> Iterable[Order]:
        """Return every order whose ``last_modified`` is in ``[start, end]`` (aware, UTC).

        Must not change anything: in particular, never bump a last-modified time because an
        order was exported, or ShipStation re-fetches it on every poll.
        """

    def order_ids_modified(self, start: datetime, end: datetime) -> Sequence[str]:
        """Return the ids (:func:`order_key`) of the orders modified in ``[start, end]``.

        Called once per paging pass, at its first page request: the app keeps the list as the
        pass's snapshot. The order must be stable (the default sorts by last-modified time,
        then id). The default reads :meth:`orders_modified`.
        """
        orders = sorted(
            self.orders_modified(start, end), key=lambda o: (o.last_modified, order_key(o))
        )
        return list(dict.fromkeys(order_key(o) for o in orders))

    def orders_by_id(
        self, ids: Sequence[str], *, start: datetime, end: datetime
    ) -> Iterable[Order]:
        """Return the current content of the orders with these ids (one export page).

        An order modified since the snapshot must still be returned (with its new content)
        when it can be: it was in the window when the pass began. An id with no order is
        simply not returned (the app logs it). *start* and *end* are the snapshot's window.

        The default reads :meth:`orders_modified` over the window again and keeps the orders
        with these ids, so an order modified since the snapshot is left to the later window
        its new modification time puts it in (logged by the app). Override it with a lookup
        by id to make a page cost what the page holds.
        """
        wanted = set(ids)
        return [o for o in self.orders_modified(start, end) if order_key(o) in wanted]


class ShipNoticeReceiver(abc.ABC):
    """Receives each ShipNotice ShipStation posts."""

    @abc.abstractmethod
    def receive(self, notice: ShipNotice) -> bool:
        """Take *notice*; return ``False`` if it was a duplicate already taken, else ``True``.

        Raise one of :data:`~listingmirror_shipstation.customstore.app.NOTICE_ERRORS`
        (``ConversionError``, ``ValidationError``, ``MappingError``) for a notice that can
        never be applied: the app answers 400 with its message, and ShipStation does not send
        it again. Anything else (a database down, a bug) is answered 500 and logged with its
        reason, so ShipStation tries again later; a receiver must therefore be idempotent.
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
            written; the order is left out of its page and logged.
        snapshots: Where export snapshots are kept between the page requests of a pass
            (default: a :class:`~listingmirror_shipstation.customstore.MemorySnapshotStore`,
            which serves one process; give a shared store when several processes serve).
        snapshot_ttl: How long a snapshot is served after it was taken.
        clock: Returns the current aware time (for tests; default: the system clock).

    **Paging.** The first request for a window (``start_date``, ``end_date``), whatever its
    page, takes a snapshot of the window's order ids (:meth:`OrderSource.order_ids_modified`);
    every page of that window is served from it for ``snapshot_ttl``, so an order modified
    between two page requests never shifts the others. ``pages`` is the number of ids in the
    snapshot divided by ``page_size``, rounded up. Page *k* reads only its ids and asks the
    source for just those orders (:meth:`OrderSource.orders_by_id`), with their current
    content; an order that is gone, or turns out ineligible or invalid, is left out of its
    page (logged with its id and the reason, and given to ``on_invalid``), so a page may hold
    fewer than ``page_size`` orders. A request for the same window while its snapshot is live,
    page 1 included, is served from the same snapshot (ShipStation retries the same window);
    after ``snapshot_ttl`` a new snapshot is taken. An order modified after the snapshot has a
    modification time after the window's end (ShipStation's windows end at the poll), so it
    is exported again by the next poll's window.
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
        snapshots: SnapshotStore | None = None,
        snapshot_ttl: timedelta = DEFAULT_SNAPSHOT_TTL,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not username or not password:
            raise ConfigurationError("a Custom Store endpoint needs a user name and a password")
        if page_size < 1:
            raise ConfigurationError(f"page_size must be at least 1, got {page_size}")
        if max_body_bytes < 1:
            raise ConfigurationError(f"max_body_bytes must be at least 1, got {max_body_bytes}")
        if snapshot_ttl <= timedelta(0):
            raise ConfigurationError(f"snapshot_ttl must be positive, got {snapshot_ttl}")
        self.username = username
        self._username = username.encode("utf-8")
        self._password = password.encode("utf-8")
        self.source = source
        self.receiver = receiver
        self.page_size = page_size
        self.max_body_bytes = max_body_bytes
        self.on_invalid = on_invalid
        self.snapshots = snapshots if snapshots is not None else MemorySnapshotStore()
        self.snapshot_ttl = snapshot_ttl
        self._clock = clock or (lambda: datetime.now(UTC))

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
        except Exception as exc:  # a bug, or a receiver/sink/source failing: ShipStation retries
            logger.exception(
                "custom store %s action=%s failed with %s: %s",
                method,
                action or "-",
                type(exc).__name__,
                exc,
            )
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
        snapshot, ids = self._page_ids(window)
        pages = math.ceil(snapshot.count / self.page_size)
        orders = self._page_orders(window, ids) if ids else []
        return iter_render_orders(orders, pages=pages)

    def _snapshot_key(self, window: ExportQuery) -> str:
        return f"{self.username}|{window.start.isoformat()}|{window.end.isoformat()}"

    def _page_ids(self, window: ExportQuery) -> tuple[Snapshot, list[str]]:
        """The snapshot of *window* (taken now if there is none) and the ids of its page."""
        key = self._snapshot_key(window)
        offset = (window.page - 1) * self.page_size
        for _ in range(3):  # a snapshot can expire between two steps: take a new one
            now = self._clock()
            snapshot = self.snapshots.get(key, now=now)
            if snapshot is None:
                if window.page > 1:
                    logger.warning(
                        "export page %d of a window with no live snapshot (expired after %s?):"
                        " taking a new one",
                        window.page,
                        self.snapshot_ttl,
                    )
                self.snapshots.purge(now=now)
                ids = list(self.source.order_ids_modified(window.start, window.end))
                snapshot = self.snapshots.create(
                    key, ids, now=now, expires_at=now + self.snapshot_ttl
                )
                logger.info(
                    "export snapshot of %s..%s: %d orders",
                    window.start.isoformat(),
                    window.end.isoformat(),
                    snapshot.count,
                )
            page = self.snapshots.page(snapshot, offset, self.page_size)
            if page is not None:
                return snapshot, page
        raise RuntimeError("the export snapshot store lost every snapshot it was given")

    def _page_orders(self, window: ExportQuery, ids: list[str]) -> list[Order]:
        """The writable orders of one page, in the snapshot's order; nothing left out silently."""
        found: dict[str, Order] = {}
        for returned in self.source.orders_by_id(ids, start=window.start, end=window.end):
            found.setdefault(order_key(returned), returned)
        kept: list[Order] = []
        for order_id in ids:
            order = found.get(order_id)
            if order is None:
                # The source says why (a rejection, logged with its reason, or gone); an
                # order the default lookup misses because it changed is in a later window.
                logger.info(
                    "order %s of the export snapshot left out of page %d: not returned by"
                    " the source",
                    order_id,
                    window.page,
                )
                continue
            try:
                validate_order(order)
            except ValidationError as exc:
                logger.warning("order %s left out of the export: %s", order_id, exc)
                if self.on_invalid is not None:
                    self.on_invalid(order, exc)
                continue
            kept.append(order)
        return kept

    def _read_body(self, environ: WSGIEnvironment) -> bytes:
        length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
        stream = environ["wsgi.input"]
        if length_text:
            if not _LENGTH.fullmatch(length_text):  # "-5", "+5", "5 5", "0x10" ...
                raise _Answer("400 Bad Request", "bad_request", "bad Content-Length", [])
            length = int(length_text)
            if length > self.max_body_bytes:
                raise _Answer(
                    "413 Content Too Large",
                    "too_large",
                    f"body over {self.max_body_bytes} bytes",
                    [],
                )
            data = _read_exactly(stream, length)
            if len(data) != length:
                # The client stopped sending (or the server handed us less): an incomplete
                # request is refused, never read as the whole notice. ShipStation retries it.
                raise _Answer(
                    "400 Bad Request",
                    "incomplete_body",
                    f"body ended after {len(data)} of its {length} bytes (Content-Length)",
                    [],
                )
            return data
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
        except (UnsafeXMLError, ConversionError) as exc:
            raise _Answer("400 Bad Request", "bad_ship_notice", str(exc), []) from exc
        try:
            fresh = self.receiver.receive(notice)
        except NOTICE_ERRORS as exc:  # the notice can never be applied
            logger.warning("ship notice for order %s not applied: %s", _order_of(notice), exc)
            raise _Answer("400 Bad Request", "not_applied", str(exc), []) from exc
        # Anything else propagates: a 500, logged with its reason, and ShipStation retries.
        result = "ok" if fresh else "duplicate"
        return [
            (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                f"<ShipNotice><Result>{result}</Result></ShipNotice>\n"
            ).encode()
        ]

    @staticmethod
    def _notice(body: bytes, query: dict[str, list[str]], max_bytes: int) -> ShipNotice:
        def unreadable(path: str, value: str) -> None:
            shown = value if len(value) <= _SHOWN else value[:_SHOWN] + "..."
            logger.warning(
                "ship notice for order %s: unreadable %s %r ignored",
                first("order_number") or "-",
                path,
                shown,
            )

        def first(key: str) -> str | None:
            return (query.get(key) or [""])[0] or None

        notice = ShipNotice()
        if body.strip():
            try:
                notice = parse_ship_notice(body, max_bytes=max_bytes, on_unreadable=unreadable)
            except (UnsafeXMLError, PayloadTooLargeError):
                raise  # hostile or oversized: refused, never read leniently
            except (XMLError, ConversionError) as exc:
                # ShipStation's shipment is real even when its body is not: record what the
                # query says (as Custom Store modules in the wild do) rather than lose it.
                logger.warning(
                    "ship notice for order %s: unreadable body (%s); recorded from the query",
                    first("order_number") or "-",
                    exc,
                )

        # The query names the order and the tracking too; an empty body has been seen in the
        # wild, and then no items means the whole order shipped.
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


def _read_exactly(stream: Any, length: int) -> bytes:
    """Up to *length* bytes of *stream*: fewer only when it ends first (reads may be short)."""
    chunks: list[bytes] = []
    left = length
    while left > 0:
        chunk = bytes(stream.read(left))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _order_of(notice: ShipNotice) -> str:
    return notice.order_id or notice.order_number or "-"
