"""``ListingMirrorClient``: the calls of Listing Mirror's API v2 that are known.

Listing Mirror publishes no specification of its API; the calls here are the ones a public
consumer of it uses (orders with their filters, order search, inventory update, master
listings), and the docs say so. Adding a call is a few lines in a subclass, through the
documented protected helpers :meth:`ListingMirrorClient._get` and
:meth:`ListingMirrorClient._paged`.

Pages are ``{count, next, results}``; ``next`` is followed only while it stays on the API's
host, so the credentials go nowhere else. Those pages are numbered over a *live* result
set: an order that changes while they are read leaves it and moves the rest up a place, so a
plain walk through the pages can miss an order it never saw.
:meth:`ListingMirrorClient.snapshot_orders` reads consistently: it checks ``count`` on every
page, reads a query that spans several pages a second time, and says whether the result is
complete. A 429 is waited out (``Retry-After``, else 10 s) and retried, as are 5xx answers to
reads.
"""

import base64
import logging
import random
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from types import TracebackType
from typing import Any, Final, Generic, Self, TypeVar

import cattrs
import urllib3
from attrs import frozen

from .. import _hooks, _jsontext
from ..errors import (
    ConfigurationError,
    ConversionError,
    error_for,
)
from ..transports import (
    DEFAULT_RETRY,
    BaseTransport,
    RateLimiter,
    Request,
    RetryPolicy,
    Urllib3Transport,
    call,
)
from . import json as lm_json
from .models import InventoryLevel, Order, Product

__all__ = ["DEFAULT_BASE_URL", "ListingMirrorClient", "OrderSnapshot", "Page", "UnreadableOrder"]

T = TypeVar("T")

#: Listing Mirror's API v2 root.
DEFAULT_BASE_URL: Final = "https://api.listingmirror.com/api/v2/"


logger = logging.getLogger(__name__)

#: How many passes ``ListingMirrorClient.snapshot_orders`` makes over a query at most.
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
    """The orders of one query, read consistently (:meth:`ListingMirrorClient.snapshot_orders`).

    Attributes:
        orders: Every order read, each once (its latest content read).
        unreadable: Every order that could not be read, each once.
        consistent: ``True`` when a pass over the pages saw no shift (see
            :meth:`ListingMirrorClient.snapshot_orders`): then no order that was in the result
            set throughout the read is missing. ``False`` when the result set kept moving:
            ``orders`` is still all that was read, but an order may be missing.
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
    >>> list(client.iter_orders(order_status="Accepted"))
    []
    >>> client
    ListingMirrorClient(base_url='https://api.listingmirror.com/api/v2/')

    Args:
        credentials: ``(user, password)``, or the ready-encoded Basic token Listing Mirror
            shows under Integrations → API credentials.
        base_url: The API's root.
        transport: How requests travel (not together with *timeout*).
        timeout: Read timeout in seconds for the default transport.
        converter: The JSON converter (see
            :func:`~listingmirror_shipstation.listingmirror.make_converter`); its
            ``naive_zone`` is also the zone date filters are written in.
        naive_zone: Time zone of timestamps without an offset (read and written).
        retry: What to retry and for how long.
        rate_limiter: Share one between clients that use the same credentials.
        clock: Monotonic seconds (injectable for tests).
        sleep: How to wait (injectable for tests).
        rng: Randomness for backoff jitter (injectable for tests).
    """

    def __init__(
        self,
        credentials: tuple[str, str] | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: BaseTransport | None = None,
        timeout: float | None = None,
        converter: cattrs.Converter | None = None,
        naive_zone: tzinfo = UTC,
        retry: RetryPolicy = DEFAULT_RETRY,
        rate_limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if isinstance(credentials, str):
            token = credentials.removeprefix("Basic ").strip()
        else:
            user, password = credentials
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        if not token:
            raise ConfigurationError("ListingMirrorClient needs credentials")
        secrets = (token,) if isinstance(credentials, str) else credentials
        if any(ord(c) < 0x20 or ord(c) == 0x7F for value in secrets for c in value):
            # Never echoed: a line break in a header would otherwise print the whole token.
            raise ConfigurationError(
                "ListingMirrorClient credentials contain a line break or control character"
                " (not shown); check how they were read"
            )
        if transport is not None and timeout is not None:
            raise ConfigurationError(
                "pass timeout= to the transport you give, not to the client as well"
            )
        self._headers = {
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
            "User-Agent": "listingmirror-shipstation",
        }
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.transport = transport or Urllib3Transport(
            timeout=urllib3.Timeout(connect=10.0, read=timeout if timeout is not None else 60.0)
        )
        self.naive_zone = naive_zone
        self.converter = converter or lm_json.make_converter(naive_zone=naive_zone, detailed=False)
        self.retry = retry
        self.rate_limiter = rate_limiter or RateLimiter(clock=clock, sleep=sleep)
        self._clock, self._sleep, self._rng = clock, sleep, rng

    def __repr__(self) -> str:
        return f"ListingMirrorClient(base_url={self.base_url!r})"

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

    # --- the known calls ---------------------------------------------------------------

    def orders(
        self,
        *,
        start_date: datetime | date | None = None,
        end_date: datetime | date | None = None,
        order_status: str | None = None,
        fulfillment_inventory_source_id: int | None = None,
        search_value: str | None = None,
    ) -> Page[Order]:
        """The first page of ``GET orders/`` with these filters.

        A ``date`` filter means the whole day (``T00:00:00`` to ``T23:59:59``); a
        ``datetime`` is converted to ``naive_zone`` and written without an offset, the form
        the API takes.
        """
        params = self._order_params(
            start_date, end_date, order_status, fulfillment_inventory_source_id, search_value
        )
        return self._order_page(self._url("orders/", params))

    def iter_orders(
        self,
        *,
        start_date: datetime | date | None = None,
        end_date: datetime | date | None = None,
        order_status: str | None = None,
        fulfillment_inventory_source_id: int | None = None,
        search_value: str | None = None,
    ) -> Iterator[Order]:
        """Every order of the query, read consistently (see :meth:`snapshot_orders`).

        An order that does not fit the model is logged (a warning naming its id and the
        reason) and left out here; use :meth:`snapshot_orders` to get such orders too, and
        to know whether the read was consistent (an inconsistent read is logged as well).
        """
        snapshot = self.snapshot_orders(
            start_date=start_date,
            end_date=end_date,
            order_status=order_status,
            fulfillment_inventory_source_id=fulfillment_inventory_source_id,
            search_value=search_value,
        )
        yield from snapshot.orders

    def snapshot_orders(
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

        An order that stays in the result set for the whole read is then in ``orders``: a
        shift that hid it in one pass changes ``count`` or brings in an order not seen
        before, and either makes another pass. Orders read in any pass are all returned (an
        order sent twice is harmless downstream; a missing one is not).

        Orders that do not fit the model come back in ``unreadable``, and are logged with
        their id and the reason.
        """
        params = self._order_params(
            start_date, end_date, order_status, fulfillment_inventory_source_id, search_value
        )
        first = self._url("orders/", params)
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

    def search_orders(self, market_order_id: str) -> Page[Order]:
        """``GET orders/?search_value=…``: find orders by marketplace order id."""
        return self.orders(search_value=market_order_id)

    def update_inventory(self, levels: Sequence[InventoryLevel]) -> Any:
        """``PUT inventory/`` with ``[{sku, quantity}]``; return the decoded answer.

        Raises:
            APIError: The answer carries ``errors`` (Listing Mirror reports failures that way
                even with a 2xx status) or has an error status.
        """
        body = _jsontext.dumps(_hooks.unstructure(self.converter, list(levels))).encode()
        answer = self._send("PUT", self._url("inventory/"), body=body, idempotent=True)
        if isinstance(answer, Mapping) and answer.get("errors"):
            raise error_for(
                422,
                method="PUT",
                url=self._url("inventory/"),
                headers={},
                body=_jsontext.dumps(answer).encode(),
            )
        return answer

    def iter_master_listings(self) -> Iterator[Product]:
        """Every product of ``GET master-listing/``."""
        return self._paged("master-listing/", Product)

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

    def _filter_time(self, value: datetime | date | None, *, end: bool) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.utcoffset() is None:
                raise ConversionError(
                    "cannot send a naive datetime", errors=(f"{value!r} has no time zone @ $",)
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
            "start_date": self._filter_time(start_date, end=False),
            "end_date": self._filter_time(end_date, end=True),
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
        url = urllib.parse.urljoin(self.base_url, path)
        pairs = [(k, str(v)) for k, v in (params or {}).items() if v is not None]
        return f"{url}?{urllib.parse.urlencode(pairs)}" if pairs else url

    def _next(self, url: object) -> str | None:
        if not url:
            return None
        if not isinstance(url, str):
            raise ConversionError("cannot read the page", errors=(f"bad next {url!r} @ $.next",))
        # Compared as urllib3 will send it: user info, backslashes and unreadable URLs are
        # refused (UnsafeURLError), so the credentials never leave the API's host.
        from ..transports.urls import pin_url

        return pin_url(url, self.base_url, what="'next'")

    def _send(self, method: str, url: str, *, body: bytes | None = None, idempotent: bool) -> Any:
        headers = dict(self._headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = Request(method=method, url=url, headers=headers, body=body, idempotent=idempotent)
        response = call(
            self.transport,
            request,
            policy=self.retry,
            limiter=self.rate_limiter,
            clock=self._clock,
            sleep=self._sleep,
            rng=self._rng,
        )
        return _jsontext.loads(response.body) if response.body.strip() else None
