"""``ListingMirrorClient``: the calls of Listing Mirror's API v2 that are known.

Listing Mirror publishes no specification of its API; the calls here are the ones a public
consumer of it uses (orders with their filters, order search, inventory update, master
listings), and the docs say so. Adding a call is a few lines in a subclass, through the
documented protected helpers :meth:`ListingMirrorClient._get` and
:meth:`ListingMirrorClient._paged`.

Pages are ``{count, next, results}``; ``next`` is followed only while it stays on the API's
host, so the credentials go nowhere else. A 429 is waited out (``Retry-After``, else 10 s) and
retried, as are 5xx answers to reads.
"""

import base64
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

__all__ = ["DEFAULT_BASE_URL", "ListingMirrorClient", "Page"]

T = TypeVar("T")

#: Listing Mirror's API v2 root.
DEFAULT_BASE_URL: Final = "https://api.listingmirror.com/api/v2/"


@frozen(kw_only=True)
class Page(Generic[T]):
    """One page of results; iterate it for the items.

    Attributes:
        items: The items that could be read.
        count: Total number of results, if the page said.
        next: URL of the next page, if there is one.
        errors: Items that could not be read (one error each, with its index).
    """

    items: tuple[T, ...]
    count: int | None = None
    next: str | None = None
    errors: tuple[ConversionError, ...] = ()

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


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
        """Every order of every page, following ``next`` (only on the API's host).

        An order that does not fit the model is skipped here; use :meth:`orders` and
        ``Page.errors`` (or :func:`~listingmirror_shipstation.listingmirror.read_orders`) to
        see such orders.
        """
        params = self._order_params(
            start_date, end_date, order_status, fulfillment_inventory_source_id, search_value
        )
        url: str | None = self._url("orders/", params)
        while url is not None:
            page = self._order_page(url)
            yield from page
            url = page.next

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
        parsed = lm_json.read_orders(answer, converter=self.converter)
        return Page(
            items=parsed.orders,
            count=parsed.count,
            next=self._next(parsed.next),
            errors=parsed.errors,
        )

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
