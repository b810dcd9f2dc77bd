"""``ListingMirrorClient``: the calls of Listing Mirror's API v2 that are known.

Listing Mirror publishes no specification of its API; the calls here are the ones a public
consumer of it uses (orders with their filters, order search, inventory update, master
listings), and the docs say so. Resources follow the library's naming convention
(``client.orders.list`` for one page, ``client.orders.iter_all`` for every order, as on
:class:`~listingmirror_shipstation.shipstation.ShipStationClient`). Adding a call is a few lines
in a subclass, through the documented protected helpers :meth:`ListingMirrorClient._get` and
:meth:`ListingMirrorClient._paged`.

Pages are ``{count, next, results}``; ``next`` is followed only while it stays on the API's
host, so the credentials go nowhere else. Those pages are numbered over a *live* result
set: an order that changes while they are read leaves it and moves the rest up a place, so a
plain walk through the pages can miss an order it never saw.
:meth:`OrdersResource.snapshot` (and :meth:`OrdersResource.iter_all`) read consistently: it
checks ``count`` on every
page, reads a query that spans several pages a second time, and says whether the result is
complete. A 429 is waited out (``Retry-After``, else 10 s) and retried, as are 5xx answers to
reads.
"""

import base64
import builtins
import logging
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timezone, tzinfo
from types import TracebackType
from typing import Any, Final, Generic, Self, TypeVar

import cattrs
from attrs import frozen

from .. import _hooks, _jsontext
from ..errors import ConfigurationError, ConversionError, ValidationError
from ..transports import BaseTransport, PolicyTransport, RateLimiter, Response, Retry
from ..transports.core import RequestCore, _client_transport
from . import json as lm_json
from .models import InventoryLevel, Order, Product

__all__ = [
    "DEFAULT_BASE_URL",
    "InventoryResource",
    "ListingMirrorClient",
    "MasterListingsResource",
    "OrderSnapshot",
    "OrdersResource",
    "Page",
    "UnreadableOrder",
]

T = TypeVar("T")

#: Listing Mirror's API v2 root.
DEFAULT_BASE_URL: Final = "https://api.listingmirror.com/api/v2/"


logger = logging.getLogger(__name__)

#: Longest part of an error body kept as the message when it is not JSON.
_BODY_IN_MESSAGE: Final = 200

#: How many passes ``client.orders.snapshot`` makes over a query at most.
DEFAULT_MAX_PASSES: Final = 4


@frozen(kw_only=True)
class UnreadableOrder:
    """An order Listing Mirror sent that does not fit the model: never dropped silently.

    Attributes:
        order_id: Its ``order_id``, when that much could be read.
        modified: Its ``last_modified`` (else ``order_datetime``), when that could be read.
        error: Why it could not be read (the lines name the field and the value).

    .. versionadded:: 0.2
    """

    order_id: int | None
    modified: datetime | None
    error: ConversionError


@frozen(kw_only=True)
class Page(Generic[T]):
    """One page of results; iterate it for the items.

    Attributes:
        items: The items that could be read.
        count: Total number of results, if the page said.
        next: URL of the next page, if there is one.
        errors: Items that could not be read (one error each, with its index).
        unreadable: For an orders page, the orders that could not be read, with their ids
            (the same ones as ``errors``).
    """

    items: tuple[T, ...]
    count: int | None = None
    next: str | None = None
    errors: tuple[ConversionError, ...] = ()
    unreadable: tuple[UnreadableOrder, ...] = ()

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@frozen(kw_only=True)
class OrderSnapshot:
    """The orders of one query, read consistently (:meth:`OrdersResource.snapshot`).

    Attributes:
        orders: Every order read, each once (its latest content read).
        unreadable: Every order that could not be read, each once.
        consistent: ``True`` when the answer was one page, or a pass over the pages saw no
            shift (see :meth:`OrdersResource.snapshot`, a best effort over several pages).
            ``False`` when the result set kept moving: ``orders`` is still all that was
            read, but an order may be missing.
        passes: How many passes over the pages were made.

    .. versionadded:: 0.2
    """

    orders: tuple[Order, ...]
    unreadable: tuple[UnreadableOrder, ...] = ()
    consistent: bool = True
    passes: int = 1


class ListingMirrorClient:
    """A client of Listing Mirror's API v2.

    >>> from listingmirror_shipstation.listingmirror import ListingMirrorClient
    >>> from listingmirror_shipstation.transports import MockTransport, Response
    >>> transport = MockTransport(lambda request: Response(
    ...     status=200, body=b'{"count": 0, "next": null, "results": []}'))
    >>> client = ListingMirrorClient(("user", "password"), transport=transport)
    >>> list(client.orders.iter_all(order_status="Accepted"))
    []
    >>> client
    ListingMirrorClient(base_url='https://api.listingmirror.com/api/v2/')

    Args:
        credentials: ``(user, password)``, or the ready-encoded Basic token Listing Mirror
            shows under Integrations → API credentials.
        base_url: The API's root.
        transport: How requests travel; a
            :class:`~listingmirror_shipstation.transports.Urllib3Transport` by default. It is
            wrapped in a :class:`~listingmirror_shipstation.transports.PolicyTransport` (pacing
            and retries) unless it already is or wraps one. Not together with *timeout*.
        timeout: Read timeout in seconds for the default transport.
        converter: The JSON converter (see
            :func:`~listingmirror_shipstation.listingmirror.make_converter`); the zone it reads
            naive timestamps in is also the zone date filters are written in.
        naive_zone: Time zone of timestamps without an offset (read and written); UTC unless
            *converter* says otherwise. Given with a *converter* that reads another zone, it
            is refused.
        retry: What to retry and for how long (for the ``PolicyTransport`` the client builds).
        rate_limiter: Share one between clients that use the same credentials (likewise).
        user_agent: The ``User-Agent`` header; ``listingmirror-shipstation/<version>
            python/<x.y>`` by default.
        clock: Deprecated: give ``PolicyTransport(inner, clock=...)`` as *transport*.
        sleep: Deprecated, likewise.
        rng: Deprecated, likewise.

    Raises:
        ConfigurationError: No credentials, a control character in them, or arguments that
            contradict each other (*transport* and *timeout*; *converter* and *naive_zone*; a
            transport with its own policy and *retry* or *rate_limiter*).

    Attributes:
        orders: ``orders/`` (:class:`OrdersResource`).
        inventory: ``inventory/`` (:class:`InventoryResource`).
        master_listings: ``master-listing/`` (:class:`MasterListingsResource`).
    """

    def __init__(
        self,
        credentials: tuple[str, str] | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: BaseTransport | None = None,
        timeout: float | None = None,
        converter: cattrs.Converter | None = None,
        naive_zone: tzinfo | None = None,
        retry: Retry | None = None,
        rate_limiter: RateLimiter | None = None,
        user_agent: str | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        if isinstance(credentials, str):
            token = credentials.removeprefix("Basic ").strip()
        else:
            user, password = credentials
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        if not token:
            raise ConfigurationError("ListingMirrorClient needs credentials")
        secrets = (token,) if isinstance(credentials, str) else credentials
        if any(
            ord(c) < 0x20 or ord(c) == 0x7F for value in (*secrets, user_agent or "") for c in value
        ):
            # Never echoed: a line break in a header would otherwise print the whole token.
            raise ConfigurationError(
                "ListingMirrorClient credentials contain a line break or control character"
                " (not shown); check how they were read"
            )
        if converter is None:
            zone = naive_zone if naive_zone is not None else UTC
            converter = lm_json.make_converter(naive_zone=zone, detailed=False)
        else:
            zone = _zone_of(converter, naive_zone)
        self.transport, self._policy = _client_transport(
            transport,
            timeout=timeout,
            retry=retry,
            rate_limiter=rate_limiter,
            clock=clock,
            sleep=sleep,
            rng=rng,
            who="ListingMirrorClient",
        )
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.naive_zone = zone
        self.converter = converter
        self._core = RequestCore(
            base_url=self.base_url,
            authorization=f"Basic {token}",
            decode=_decode_json,
            logger=logger,
            read_error=_error_body,
            user_agent=user_agent,
        )
        self.orders = OrdersResource(self)
        self.inventory = InventoryResource(self)
        self.master_listings = MasterListingsResource(self)

    def __repr__(self) -> str:
        return f"ListingMirrorClient(base_url={self.base_url!r})"

    @property
    def rate_limiter(self) -> RateLimiter:
        """The rate limiter of the client's policy (its ``PolicyTransport``)."""
        return self._policy.limiter

    @property
    def policy(self) -> PolicyTransport:
        """The :class:`~listingmirror_shipstation.transports.PolicyTransport` in the transport."""
        return self._policy

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- deprecated names (0.1), thin aliases --------------------------------------------

    def iter_orders(self, **filters: Any) -> Iterator[Order]:
        """Deprecated: use ``client.orders.iter_all(...)``."""
        _warn("iter_orders()", "orders.iter_all()")
        return self.orders.iter_all(**filters)

    def snapshot_orders(self, **filters: Any) -> OrderSnapshot:
        """Deprecated: use ``client.orders.snapshot(...)``."""
        _warn("snapshot_orders()", "orders.snapshot()")
        return self.orders.snapshot(**filters)

    def search_orders(self, market_order_id: str) -> Page[Order]:
        """Deprecated: use ``client.orders.search(...)``."""
        _warn("search_orders()", "orders.search()")
        return self.orders.search(market_order_id)

    def update_inventory(self, levels: Sequence[InventoryLevel]) -> Any:
        """Deprecated: use ``client.inventory.update(...)``."""
        _warn("update_inventory()", "inventory.update()")
        return self.inventory.update(levels)

    def iter_master_listings(self) -> Iterator[Product]:
        """Deprecated: use ``client.master_listings.iter_all()``."""
        _warn("iter_master_listings()", "master_listings.iter_all()")
        return self.master_listings.iter_all()

    # --- protected helpers for subclasses ------------------------------------------------

    def _get(self, path: str, into: type[T], params: Mapping[str, object] | None = None) -> T:
        """GET *path* (relative to ``base_url``) and read the JSON answer into *into*.

        The helper for adding a call in a subclass::

            class MyClient(ListingMirrorClient):
                def recipes(self) -> list[Recipe]:
                    return self._get("recipes/", list[Recipe])
        """
        answer = self._send("GET", self._url(path, params), idempotent=True)
        return _hooks.structure(self.converter, answer, into)

    def _paged(
        self, path: str, into: type[T], params: Mapping[str, object] | None = None
    ) -> Iterator[T]:
        """Every item of a ``{count, next, results}`` listing, each read into *into*."""
        url: str | None = self._url(path, params)
        while url is not None:
            answer = self._send("GET", url, idempotent=True)
            if not isinstance(answer, Mapping) or not isinstance(answer.get("results"), list):
                raise ConversionError(
                    "cannot read the page", errors=("expected {count, next, results} @ $",)
                )
            for item in answer["results"]:
                yield _hooks.structure(self.converter, item, into)
            url = self._next(answer.get("next"))

    # --- plumbing ------------------------------------------------------------------------

    def _snapshot_of(self, first: str, max_passes: int) -> OrderSnapshot:
        orders: dict[int, Order] = {}
        unreadable: dict[object, UnreadableOrder] = {}
        passes = 0
        for passes in range(1, max(1, max_passes) + 1):
            counts: set[int | None] = set()
            pages = held = 0
            new = False
            url: str | None = first
            while url is not None:
                page = self._order_page(url)
                pages += 1
                counts.add(page.count)
                held += len(page.items) + len(page.unreadable)
                for order in page.items:
                    new = new or order.order_id not in orders
                    orders[order.order_id] = order
                for bad in page.unreadable:
                    key = bad.order_id if bad.order_id is not None else str(bad.error)
                    new = new or key not in unreadable
                    unreadable[key] = bad
                url = page.next
            if pages == 1:
                return self._snapshot(orders, unreadable, consistent=True, passes=passes)
            (count,) = counts if len(counts) == 1 else (-1,)
            steady = count is None or count == held
            if steady and passes > 1 and not new:
                return self._snapshot(orders, unreadable, consistent=True, passes=passes)
            logger.info(
                "orders moved while they were read (pass %d: counts %s, %d held): reading again",
                passes,
                sorted(c for c in counts if c is not None),
                held,
            )
        logger.warning(
            "the orders kept moving for %d passes: some may be missing from this read", passes
        )
        return self._snapshot(orders, unreadable, consistent=False, passes=passes)

    @staticmethod
    def _snapshot(
        orders: Mapping[int, Order],
        unreadable: Mapping[object, UnreadableOrder],
        *,
        consistent: bool,
        passes: int,
    ) -> OrderSnapshot:
        # An order read in one pass and unreadable in another: the readable content wins.
        bad = tuple(u for u in unreadable.values() if u.order_id not in orders)
        for item in bad:
            logger.warning(
                "Listing Mirror order %s cannot be read: %s",
                item.order_id if item.order_id is not None else "(no id)",
                item.error,
            )
        return OrderSnapshot(
            orders=tuple(orders.values()), unreadable=bad, consistent=consistent, passes=passes
        )

    def _filter_time(self, value: datetime | date | None, *, name: str, end: bool) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.utcoffset() is None:
                raise ValidationError(
                    "a naive datetime cannot be sent: give it a time zone", field=name, value=value
                )
            return f"{value.astimezone(self.naive_zone):%Y-%m-%dT%H:%M:%S}"
        return f"{value.isoformat()}T{'23:59:59' if end else '00:00:00'}"

    def _order_params(
        self,
        start_date: datetime | date | None,
        end_date: datetime | date | None,
        order_status: str | None,
        source_id: int | None,
        search_value: str | None,
    ) -> dict[str, object]:
        return {
            "start_date": self._filter_time(start_date, name="start_date", end=False),
            "end_date": self._filter_time(end_date, name="end_date", end=True),
            "order_status": order_status,
            "fulfillment_inventory_source_id": source_id,
            "search_value": search_value,
        }

    def _order_page(self, url: str) -> Page[Order]:
        answer = self._send("GET", url, idempotent=True)
        if isinstance(answer, Mapping) and isinstance(answer.get("results"), list):
            head = lm_json._read_orders({**answer, "results": []}, self.converter, log_keys=False)
            results: list[Any] = answer["results"]
        else:
            # An array, or raises.
            head = lm_json._read_orders(answer, self.converter, log_keys=False)
            results = list(answer)
        lm_json._log_key_report(results, self.converter)  # once a page, at DEBUG
        orders: list[Order] = []
        unreadable: list[UnreadableOrder] = []
        for index, raw in enumerate(results):
            # One order at a time: whatever one order raises (a bad value, a date out of
            # range) makes that order unreadable, never the page.
            try:
                parsed = lm_json._read_orders([raw], self.converter, log_keys=False)
                problems = parsed.errors
            except Exception as exc:
                problems = (
                    ConversionError(
                        "cannot read order", errors=(f"{type(exc).__name__}: {exc} @ $[0]",)
                    ),
                )
                parsed = None
            if parsed is not None and parsed.orders:
                orders.extend(parsed.orders)
                continue
            lines = tuple(
                line.replace("@ $[0]", f"@ $[{index}]", 1)
                for problem in problems
                for line in (problem.errors or (str(problem),))
            )
            order_id = self._raw_id(raw)
            unreadable.append(
                UnreadableOrder(
                    order_id=order_id,
                    modified=self._raw_modified(raw),
                    error=ConversionError(
                        f"cannot read order {order_id if order_id is not None else '?'}"
                        f" at index {index}",
                        errors=lines,
                    ),
                )
            )
        return Page(
            items=tuple(orders),
            count=head.count,
            next=self._next(head.next),
            errors=tuple(u.error for u in unreadable),
            unreadable=tuple(unreadable),
        )

    @staticmethod
    def _raw_id(raw: object) -> int | None:
        value = raw.get("order_id") if isinstance(raw, Mapping) else None
        if isinstance(value, bool):
            return None
        try:
            return int(value) if isinstance(value, int | str) else None
        except ValueError:
            return None

    def _raw_modified(self, raw: object) -> datetime | None:
        if not isinstance(raw, Mapping):
            return None
        for key in ("last_modified", "order_datetime"):
            try:
                value = _hooks.structure(self.converter, raw.get(key), datetime)
            except Exception:  # noqa: S112 - unreadable: try the next key
                continue
            if isinstance(value, datetime) and value.utcoffset() is not None:
                return value
        return None

    def _url(self, path: str, params: Mapping[str, object] | None = None) -> str:
        pairs = [(k, str(v)) for k, v in (params or {}).items() if v is not None]
        return self._core.url(path, pairs)

    def _next(self, url: object) -> str | None:
        if not url:
            return None
        if not isinstance(url, str):
            raise ConversionError("cannot read the page", errors=(f"bad next {url!r} @ $.next",))
        # Compared as urllib3 will send it: user info, backslashes and unreadable URLs are
        # refused (UnsafeURLError), so the credentials never leave the API's host.
        return self._core.follow(url, what="'next'")

    def _send(self, method: str, url: str, *, body: bytes | None = None, idempotent: bool) -> Any:
        request = self._core.build(method, url, body=body, idempotent=idempotent)
        return self._core.call(self.transport, request, into=Any)


def _error_body(body: bytes) -> tuple[str | None, dict[str, tuple[str, ...]]]:
    """Read Listing Mirror's error bodies: ``errors``, ``detail``, ``message``, or plain text."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = _jsontext.loads(text) if text else None
    except Exception:  # not JSON: the text is the message
        return text[:_BODY_IN_MESSAGE] or None, {}
    if not isinstance(data, Mapping):
        return text[:_BODY_IN_MESSAGE] or None, {}
    parts = [str(data[key]) for key in ("message", "detail", "errors") if data.get(key)]
    return " ".join(parts) or text[:_BODY_IN_MESSAGE] or None, {}


def _decode_json(body: bytes, into: Any) -> Any:
    return _jsontext.loads(body)


#: Naive timestamps, one in winter and one in summer, to learn the zone a converter reads.
_PROBES: Final = (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12))  # noqa: DTZ001 - naive on purpose


def _zone_of(converter: cattrs.Converter, naive_zone: tzinfo | None) -> tzinfo:
    """The zone *converter* reads naive timestamps in, checked against *naive_zone*.

    Raises:
        ConfigurationError: *naive_zone* contradicts the converter, or the converter's zone
            has daylight saving time and *naive_zone* does not say which zone it is.
    """
    read = [_hooks.structure(converter, p.isoformat(), datetime) for p in _PROBES]
    if naive_zone is not None:
        if read != [p.replace(tzinfo=naive_zone) for p in _PROBES]:
            raise ConfigurationError(
                f"naive_zone={naive_zone!s} contradicts the converter given, which reads naive"
                " timestamps in another zone: pass one of them, or make the converter with"
                " make_converter(naive_zone=...)"
            )
        return naive_zone
    offsets = {p.replace(tzinfo=UTC) - r for p, r in zip(_PROBES, read, strict=True)}
    if len(offsets) != 1:
        raise ConfigurationError(
            "the converter given reads naive timestamps in a zone with daylight saving time:"
            " pass that zone as naive_zone= too, so date filters are written in it"
        )
    (offset,) = offsets
    return UTC if not offset else timezone(offset)


def _warn(old: str, new: str) -> None:
    warnings.warn(
        f"ListingMirrorClient.{old} is deprecated; use client.{new}",
        DeprecationWarning,
        stacklevel=3,
    )


class _Resource:
    def __init__(self, client: ListingMirrorClient) -> None:
        self._client = client


class OrdersResource(_Resource):
    """``orders/``: one page, every order (read consistently), a snapshot, a search.

    The filters, every one optional: ``start_date``, ``end_date`` (a ``date`` means the whole
    day, ``T00:00:00`` to ``T23:59:59``; a ``datetime`` must be aware and is converted to the
    client's ``naive_zone`` and written without an offset, the form the API takes),
    ``order_status``, ``fulfillment_inventory_source_id`` and ``search_value``.

    .. versionadded:: 0.2
    """

    def list(
        self,
        *,
        start_date: datetime | date | None = None,
        end_date: datetime | date | None = None,
        order_status: str | None = None,
        fulfillment_inventory_source_id: int | None = None,
        search_value: str | None = None,
    ) -> Page[Order]:
        """The first page of ``GET orders/`` with these filters.

        Raises:
            ValidationError: A ``datetime`` filter has no time zone (nothing is sent).
        """
        client = self._client
        params = client._order_params(
            start_date, end_date, order_status, fulfillment_inventory_source_id, search_value
        )
        return client._order_page(client._url("orders/", params))

    def iter_all(
        self,
        *,
        start_date: datetime | date | None = None,
        end_date: datetime | date | None = None,
        order_status: str | None = None,
        fulfillment_inventory_source_id: int | None = None,
        search_value: str | None = None,
    ) -> Iterator[Order]:
        """Every order of the query, read consistently (see :meth:`snapshot`).

        An order that does not fit the model is logged (a warning naming its id and the
        reason) and left out here; use :meth:`snapshot` to get such orders too, and to know
        whether the read was consistent (an inconsistent read is logged as well).
        """
        snapshot = self.snapshot(
            start_date=start_date,
            end_date=end_date,
            order_status=order_status,
            fulfillment_inventory_source_id=fulfillment_inventory_source_id,
            search_value=search_value,
        )
        yield from snapshot.orders

    def snapshot(
        self,
        *,
        start_date: datetime | date | None = None,
        end_date: datetime | date | None = None,
        order_status: str | None = None,
        fulfillment_inventory_source_id: int | None = None,
        search_value: str | None = None,
        max_passes: int = DEFAULT_MAX_PASSES,
    ) -> OrderSnapshot:
        """Every order of ``GET orders/`` with these filters, read so that none is skipped.

        Listing Mirror numbers pages over a live result set: when an order on a page already
        read changes and leaves the set, the later orders move up a place and a plain walk
        through the pages never sees one of them. So:

        * one page (no ``next``) is one answer, consistent by itself;
        * over several pages, a pass is *steady* when every page reports the same ``count``
          and the pages held that many orders; the pages are then read again, until a steady
          pass finds no order the earlier passes had not (at most *max_passes* passes).

        A shift that hides an order in one pass usually changes ``count`` or brings in an
        order not seen before, and either makes another pass. This is a best effort, not a
        proof: an order leaving behind the cursor while another enters ahead of it, in every
        pass, hides one from all of them. For a guarantee, narrow the query until it fits
        on one page, as :meth:`listingmirror_shipstation.sync.ClientOrderSource.read_window`
        does. Orders read in any pass are all returned (an
        order sent twice is harmless downstream; a missing one is not).

        Orders that do not fit the model come back in ``unreadable``, and are logged with
        their id and the reason.
        """
        client = self._client
        params = client._order_params(
            start_date, end_date, order_status, fulfillment_inventory_source_id, search_value
        )
        return client._snapshot_of(client._url("orders/", params), max_passes)

    def search(self, market_order_id: str) -> Page[Order]:
        """``GET orders/?search_value=…``: find orders by marketplace order id."""
        return self.list(search_value=market_order_id)

    def __call__(self, **filters: Any) -> Page[Order]:
        """Deprecated: ``client.orders(...)`` is ``client.orders.list(...)``."""
        _warn("orders()", "orders.list()")
        return self.list(**filters)


class InventoryResource(_Resource):
    """``inventory/``.

    .. versionadded:: 0.2
    """

    def update(self, levels: Sequence[InventoryLevel]) -> Any:
        """``PUT inventory/`` with ``[{sku, quantity}]``; return the decoded answer.

        Raises:
            APIError: The answer carries ``errors`` (Listing Mirror reports failures that way
                even with a 2xx status) or has an error status.
        """
        client = self._client
        body = _jsontext.dumps(_hooks.unstructure(client.converter, builtins.list(levels)))
        request = client._core.build("PUT", "inventory/", body=body.encode(), idempotent=True)
        answer = client._core.call(client.transport, request, into=Any)
        if isinstance(answer, Mapping) and answer.get("errors"):
            raise client._core.error(
                request,
                Response(status=422, body=_jsontext.dumps(answer).encode()),
            )
        return answer


class MasterListingsResource(_Resource):
    """``master-listing/``.

    .. versionadded:: 0.2
    """

    def iter_all(self) -> Iterator[Product]:
        """Every product of ``GET master-listing/``."""
        return self._client._paged("master-listing/", Product)
