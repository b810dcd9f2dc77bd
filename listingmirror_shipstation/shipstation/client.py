"""``ShipStationClient``: the REST API v1, typed, paced, retried where it is safe.

* Credentials go in an ``Authorization: Basic`` header on every request (never in a URL, a
  repr, a log line or an error).
* Requests are paced by the server's ``X-Rate-Limit-*`` headers (40 a minute per key pair) and
  a 429 is waited out and retried; 5xx and broken connections are retried only for calls that
  are safe to repeat: reads, deletes, holds, and ``createorder(s)`` when every order has an
  ``orderKey`` (ShipStation then updates instead of creating). A call that is not safe to repeat
  and got no answer raises :class:`~listingmirror_shipstation.errors.AmbiguousOutcomeError`.
* Date filters are sent in Pacific time (``2026-11-27 10:00:00``), converted, never relabelled.
"""

import base64
import builtins
import json
import logging
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any, Final, Self, TypedDict, TypeVar, Unpack

import cattrs
from attrs import frozen

from .. import _hooks, _jsontext, _time
from .._values import Unrecognized
from ..errors import (
    APIError,
    ConfigurationError,
    TransportError,
    ValidationError,
)
from ..transports import BaseTransport, PolicyTransport, RateLimiter, RateLimitState, Retry
from ..transports.core import RequestCore, _client_transport
from ..transports.urls import pin_url
from . import json as ss_json
from .models import (
    Carrier,
    CreateOrdersResult,
    Fulfillment,
    FulfillmentsPage,
    MarkAsShippedRequest,
    MarkAsShippedResult,
    OperationResult,
    Order,
    OrdersPage,
    OrderStatus,
    Shipment,
    ShipmentsPage,
    Store,
    Webhook,
    WebhookEvent,
    WebhookNotification,
    WebhooksList,
    WebhookSubscribed,
    WebhookSubscription,
)
from .validate import validate_order_for_create

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_BATCH",
    "CarriersResource",
    "FulfillmentFilters",
    "FulfillmentsResource",
    "OrderFilters",
    "OrderUpsert",
    "OrdersResource",
    "ShipStationClient",
    "ShipmentFilters",
    "ShipmentsResource",
    "StoresResource",
    "WebhooksResource",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: ShipStation's REST API v1 host.
DEFAULT_BASE_URL: Final = "https://ssapi.shipstation.com"
#: Most orders ``POST /orders/createorders`` takes at once.
MAX_BATCH: Final = 100
_MAX_PAGE_SIZE: Final = 500


class OrderFilters(TypedDict, total=False):
    """Filters of ``GET /orders`` (every one optional); dates are sent in Pacific time."""

    customer_name: str
    item_keyword: str
    create_date_start: datetime
    create_date_end: datetime
    modify_date_start: datetime
    modify_date_end: datetime
    order_date_start: datetime
    order_date_end: datetime
    order_number: str
    order_status: OrderStatus
    payment_date_start: datetime
    payment_date_end: datetime
    store_id: int
    sort_by: str
    sort_dir: str


class ShipmentFilters(TypedDict, total=False):
    """Filters of ``GET /shipments`` (every one optional); dates are sent in Pacific time."""

    recipient_name: str
    recipient_country_code: str
    order_number: str
    order_id: int
    carrier_code: str
    service_code: str
    tracking_number: str
    create_date_start: datetime
    create_date_end: datetime
    ship_date_start: date
    ship_date_end: date
    void_date_start: datetime
    void_date_end: datetime
    store_id: int
    include_shipment_items: bool
    sort_by: str
    sort_dir: str


class FulfillmentFilters(TypedDict, total=False):
    """Filters of ``GET /fulfillments`` (every one optional); dates are sent in Pacific time."""

    fulfillment_id: int
    order_id: int
    order_number: str
    tracking_number: str
    recipient_name: str
    create_date_start: datetime
    create_date_end: datetime
    ship_date_start: date
    ship_date_end: date
    sort_by: str
    sort_dir: str


@frozen(kw_only=True)
class OrderUpsert:
    """The outcome of one order of :meth:`OrdersResource.create_or_update_many`, in input order.

    Attributes:
        order: The order that was sent (or would have been).
        success: Whether ShipStation created or updated it.
        order_id: ShipStation's id, when it succeeded.
        error_message: ShipStation's message for this order, when it failed.
        error: What went wrong when there is no per-order message: the order was invalid
            (:class:`~listingmirror_shipstation.errors.ValidationError`, never sent) or its
            whole batch failed (an API or transport error).
    """

    order: Order
    success: bool
    order_id: int | None = None
    error_message: str | None = None
    error: Exception | None = None


def _param(name: str, value: object) -> str:
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValidationError(
                "a naive datetime cannot be sent: give it a time zone", field=name, value=value
            )
        return f"{value.astimezone(_time.PACIFIC):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, OrderStatus | WebhookEvent):
        return str(value.value)
    if isinstance(value, Unrecognized):
        return value.raw
    return str(value)


def _query(params: Mapping[str, object]) -> list[tuple[str, str]]:
    return [(_hooks.camel(k), _param(k, v)) for k, v in params.items() if v is not None]


#: Longest part of an error body kept as the message when it is not ShipStation's JSON.
_BODY_IN_MESSAGE: Final = 200


def _error_body(body: bytes) -> tuple[str | None, dict[str, tuple[str, ...]]]:
    """Read ShipStation's error bodies: ``{"Message", "ModelState"}``, ``{"message"}``, text."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return text[:_BODY_IN_MESSAGE] or None, {}
    if not isinstance(data, dict):
        return text[:_BODY_IN_MESSAGE] or None, {}
    parts = [str(data[key]) for key in ("message", "Message", "ExceptionMessage") if data.get(key)]
    model_state: dict[str, tuple[str, ...]] = {}
    state = data.get("ModelState")
    if isinstance(state, dict):
        for field, texts in state.items():
            items = texts if isinstance(texts, list) else [texts]
            model_state[str(field)] = tuple(str(t) for t in items)
    return " ".join(parts) or text[:_BODY_IN_MESSAGE] or None, model_state


class ShipStationClient:
    """A client of ShipStation's REST API v1.

    >>> from listingmirror_shipstation.shipstation import ShipStationClient
    >>> from listingmirror_shipstation.transports import MockTransport, Response
    >>> transport = MockTransport(lambda request: Response(
    ...     status=200, body=b'[{"code": "usps", "name": "USPS"}]'))
    >>> with ShipStationClient("key", "secret", transport=transport) as client:
    ...     [carrier.code for carrier in client.carriers.list()]
    ['usps']
    >>> client
    ShipStationClient(base_url='https://ssapi.shipstation.com')

    Args:
        api_key: The API key (the Basic user name).
        api_secret: The API secret (the Basic password).
        base_url: The API's root.
        transport: How requests travel; a
            :class:`~listingmirror_shipstation.transports.Urllib3Transport` by default. It is
            wrapped in a :class:`~listingmirror_shipstation.transports.PolicyTransport` (pacing
            and retries) unless it already is or wraps one. Not together with *timeout*.
        timeout: Read timeout in seconds for the default transport.
        converter: The JSON converter; :func:`~listingmirror_shipstation.shipstation.make_converter`
            by default.
        retry: What to retry and for how long (for the ``PolicyTransport`` the client builds).
        rate_limiter: Share one between clients that use the same key pair (likewise).
        partner_key: Sent as ``x-partner`` (a header some partners use for higher limits).
        user_agent: The ``User-Agent`` header; ``listingmirror-shipstation/<version>
            python/<x.y>`` by default.
        clock: Deprecated: give ``PolicyTransport(inner, clock=...)`` as *transport*.
        sleep: Deprecated, likewise.
        rng: Deprecated, likewise.

    Raises:
        ConfigurationError: A credential is empty, or arguments contradict each other
            (*transport* and *timeout*; a transport with its own policy and *retry* or
            *rate_limiter*).

    Attributes:
        orders: ``/orders``.
        shipments: ``/shipments``.
        fulfillments: ``/fulfillments``.
        stores: ``/stores``.
        carriers: ``/carriers``.
        webhooks: ``/webhooks`` and the webhook POST body.
    """

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: BaseTransport | None = None,
        timeout: float | None = None,
        converter: cattrs.Converter | None = None,
        retry: Retry | None = None,
        rate_limiter: RateLimiter | None = None,
        partner_key: str | None = None,
        user_agent: str | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        if not api_key or not api_secret:
            raise ConfigurationError("ShipStationClient needs an API key and an API secret")
        if any(
            ord(c) < 0x20 or ord(c) == 0x7F
            for value in (api_key, api_secret, partner_key or "", user_agent or "")
            for c in value
        ):
            # Never echoed: a line break in a header would otherwise print the whole token.
            raise ConfigurationError(
                "ShipStationClient credentials contain a line break or control character"
                " (not shown); check how they were read"
            )
        self.transport, self._policy = _client_transport(
            transport,
            timeout=timeout,
            retry=retry,
            rate_limiter=rate_limiter,
            clock=clock,
            sleep=sleep,
            rng=rng,
            who="ShipStationClient",
        )
        token = base64.b64encode(f"{api_key}:{api_secret}".encode()).decode("ascii")
        self.base_url = base_url.rstrip("/")
        self.converter = converter or ss_json.make_converter(detailed=False)
        self._core = RequestCore(
            base_url=self.base_url,
            authorization=f"Basic {token}",
            decode=self._decode,
            logger=logger,
            read_error=_error_body,
            user_agent=user_agent,
            headers={"x-partner": partner_key} if partner_key else None,
        )
        self.orders = OrdersResource(self)
        self.shipments = ShipmentsResource(self)
        self.fulfillments = FulfillmentsResource(self)
        self.stores = StoresResource(self)
        self.carriers = CarriersResource(self)
        self.webhooks = WebhooksResource(self)

    def __repr__(self) -> str:
        return f"ShipStationClient(base_url={self.base_url!r})"

    @property
    def rate_limit(self) -> RateLimitState:
        """What the rate limiter knows (limit, remaining, reset, time waited)."""
        return self._policy.limiter.state

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

    def _request(
        self,
        method: str,
        path_or_url: str,
        *,
        into: Any,
        params: Mapping[str, object] | None = None,
        body: object = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one call and read the answer into *into* (a model, ``list[Model]`` or None).

        ``idempotent`` defaults to ``True`` for GET and DELETE, ``False`` otherwise.
        """
        payload: bytes | None = None
        if body is not None:
            data = _hooks.unstructure(self.converter, body, namer=ss_json._path_name)
            payload = _jsontext.dumps(data).encode("utf-8")
        safe = idempotent if idempotent is not None else method in ("GET", "DELETE")
        request = self._core.build(
            method, path_or_url, query=_query(params or {}), body=payload, idempotent=safe
        )
        return self._core.call(self.transport, request, into=into)

    def _decode(self, body: bytes, into: Any) -> Any:
        return _hooks.structure(
            self.converter, _jsontext.loads(body), into, namer=ss_json._path_name
        )

    def _pages(
        self,
        path: str,
        into: type[Any],
        items: Callable[[Any], Sequence[T]],
        params: Mapping[str, object],
        page_size: int,
    ) -> Iterator[T]:
        """Every item of every page; the same filters on every page; stops at ``pages``.

        *path* may be a full URL (a webhook's ``resource_url``); parameter names without an
        underscore are sent as they are.
        """
        page = 1
        while True:
            result = self._request(
                "GET", path, into=into, params={**params, "page": page, "page_size": page_size}
            )
            yield from items(result)
            if page >= result.pages:
                return
            page += 1


class _Resource:
    def __init__(self, client: ShipStationClient) -> None:
        self._client = client


def _page_size(value: int) -> int:
    if not 1 <= value <= _MAX_PAGE_SIZE:
        raise ValidationError(f"must be 1 to {_MAX_PAGE_SIZE}", field="page_size", value=value)
    return value


class OrdersResource(_Resource):
    """``/orders``: read, create or update (alone or in bulk), ship, hold, delete."""

    def get(self, order_id: int) -> Order:
        """``GET /orders/{orderId}``."""
        result: Order = self._client._request("GET", f"/orders/{int(order_id)}", into=Order)
        return result

    def list(
        self, *, page: int = 1, page_size: int = 100, **filters: Unpack[OrderFilters]
    ) -> OrdersPage:
        """One page of ``GET /orders``."""
        params = {**filters, "page": page, "page_size": _page_size(page_size)}
        result: OrdersPage = self._client._request("GET", "/orders", into=OrdersPage, params=params)
        return result

    def iter_all(self, *, page_size: int = 500, **filters: Unpack[OrderFilters]) -> Iterator[Order]:
        """Every order of every page of ``GET /orders`` (the filters re-sent on every page)."""
        return self._client._pages(
            "/orders", OrdersPage, lambda p: p.orders, dict(filters), _page_size(page_size)
        )

    def create_or_update(self, order: Order) -> Order:
        """``POST /orders/createorder``: create, or update the order with the same ``orderKey``.

        Raises:
            ValidationError: The order cannot be sent (checked before anything is sent).
        """
        validate_order_for_create(order)
        result: Order = self._client._request(
            "POST",
            "/orders/createorder",
            into=Order,
            body=order,
            idempotent=order.order_key is not None,
        )
        return result

    def create_or_update_many(self, orders: Sequence[Order]) -> tuple[OrderUpsert, ...]:
        """Create or update any number of orders, 100 per ``createorders`` call.

        Returns one result per order, in input order, matched to ShipStation's results by
        ``orderKey``. Nothing is hidden: an invalid order is reported (and not sent), a failed
        batch marks each of its orders failed with the error, the other batches still go.
        """
        results: builtins.list[OrderUpsert | None] = [None] * len(orders)
        sendable: builtins.list[int] = []
        for index, order in enumerate(orders):
            try:
                validate_order_for_create(order)
            except ValidationError as exc:
                results[index] = OrderUpsert(order=order, success=False, error=exc)
            else:
                sendable.append(index)
        for start in range(0, len(sendable), MAX_BATCH):
            batch = sendable[start : start + MAX_BATCH]
            self._send_batch(orders, batch, results)
        return tuple(r for r in results if r is not None)

    def _send_batch(
        self,
        orders: Sequence[Order],
        batch: builtins.list[int],
        results: builtins.list[OrderUpsert | None],
    ) -> None:
        chosen = [orders[i] for i in batch]
        keyed = all(o.order_key for o in chosen)
        try:
            answer: CreateOrdersResult = self._client._request(
                "POST",
                "/orders/createorders",
                into=CreateOrdersResult,
                body=chosen,
                idempotent=keyed,
            )
        except (APIError, TransportError) as exc:
            for index in batch:
                results[index] = OrderUpsert(order=orders[index], success=False, error=exc)
            return
        by_key = {r.order_key: r for r in answer.results if r.order_key}
        for position, index in enumerate(batch):
            order = orders[index]
            found = by_key.get(order.order_key) if order.order_key else None
            if found is None and len(answer.results) == len(batch):
                found = answer.results[position]  # no key to match by: ShipStation keeps order
            if found is None:
                results[index] = OrderUpsert(
                    order=order,
                    success=False,
                    error_message="ShipStation returned no result for this order",
                )
            else:
                results[index] = OrderUpsert(
                    order=order,
                    success=found.success,
                    order_id=found.order_id if found.success else None,
                    error_message=found.error_message,
                )

    def mark_as_shipped(
        self,
        order_id: int,
        carrier_code: str,
        *,
        ship_date: date | None = None,
        tracking_number: str | None = None,
        notify_customer: bool = False,
        notify_sales_channel: bool = False,
    ) -> MarkAsShippedResult:
        """``POST /orders/markasshipped`` (no label). Not retried after it may have arrived."""
        body = MarkAsShippedRequest(
            order_id=order_id,
            carrier_code=carrier_code,
            ship_date=ship_date,
            tracking_number=tracking_number,
            notify_customer=notify_customer,
            notify_sales_channel=notify_sales_channel,
        )
        result: MarkAsShippedResult = self._client._request(
            "POST", "/orders/markasshipped", into=MarkAsShippedResult, body=body
        )
        return result

    def hold_until(self, order_id: int, hold_until_date: date) -> OperationResult:
        """``POST /orders/holduntil``: on hold until that date (safe to repeat)."""
        body = {"orderId": int(order_id), "holdUntilDate": hold_until_date.isoformat()}
        return self._operation("/orders/holduntil", body)

    def restore_from_hold(self, order_id: int) -> OperationResult:
        """``POST /orders/restorefromhold`` (safe to repeat)."""
        return self._operation("/orders/restorefromhold", {"orderId": int(order_id)})

    def delete(self, order_id: int) -> OperationResult:
        """``DELETE /orders/{orderId}`` (a soft delete; safe to repeat)."""
        result: OperationResult = self._client._request(
            "DELETE", f"/orders/{int(order_id)}", into=OperationResult
        )
        return result

    def _operation(self, path: str, body: dict[str, object]) -> OperationResult:
        result: OperationResult = self._client._request(
            "POST", path, into=OperationResult, body=body, idempotent=True
        )
        return result


class ShipmentsResource(_Resource):
    """``/shipments``: labels created in ShipStation."""

    def list(
        self, *, page: int = 1, page_size: int = 100, **filters: Unpack[ShipmentFilters]
    ) -> ShipmentsPage:
        """One page of ``GET /shipments``."""
        params = {**filters, "page": page, "page_size": _page_size(page_size)}
        result: ShipmentsPage = self._client._request(
            "GET", "/shipments", into=ShipmentsPage, params=params
        )
        return result

    def iter_all(
        self, *, page_size: int = 500, **filters: Unpack[ShipmentFilters]
    ) -> Iterator[Shipment]:
        """Every shipment of every page (the filters re-sent on every page)."""
        return self._client._pages(
            "/shipments", ShipmentsPage, lambda p: p.shipments, dict(filters), _page_size(page_size)
        )


class FulfillmentsResource(_Resource):
    """``/fulfillments``: orders marked shipped without a ShipStation label."""

    def list(
        self, *, page: int = 1, page_size: int = 100, **filters: Unpack[FulfillmentFilters]
    ) -> FulfillmentsPage:
        """One page of ``GET /fulfillments``."""
        params = {**filters, "page": page, "page_size": _page_size(page_size)}
        result: FulfillmentsPage = self._client._request(
            "GET", "/fulfillments", into=FulfillmentsPage, params=params
        )
        return result

    def iter_all(
        self, *, page_size: int = 500, **filters: Unpack[FulfillmentFilters]
    ) -> Iterator[Fulfillment]:
        """Every fulfillment of every page (the filters re-sent on every page)."""
        return self._client._pages(
            "/fulfillments",
            FulfillmentsPage,
            lambda p: p.fulfillments,
            dict(filters),
            _page_size(page_size),
        )


class StoresResource(_Resource):
    """``/stores``."""

    def list(
        self, *, show_inactive: bool = False, marketplace_id: int | None = None
    ) -> tuple[Store, ...]:
        """``GET /stores`` (without status mappings)."""
        params = {"show_inactive": show_inactive, "marketplace_id": marketplace_id}
        result: tuple[Store, ...] = self._client._request(
            "GET", "/stores", into=tuple[Store, ...], params=params
        )
        return result

    def get(self, store_id: int) -> Store:
        """``GET /stores/{storeId}``, with the store's status mappings."""
        result: Store = self._client._request("GET", f"/stores/{int(store_id)}", into=Store)
        return result


class CarriersResource(_Resource):
    """``/carriers``."""

    def list(self) -> tuple[Carrier, ...]:
        """``GET /carriers``."""
        result: tuple[Carrier, ...] = self._client._request(
            "GET", "/carriers", into=tuple[Carrier, ...]
        )
        return result


class WebhooksResource(_Resource):
    """``/webhooks``, the webhook POST body, and following its ``resource_url`` safely."""

    def subscribe(
        self,
        target_url: str,
        event: WebhookEvent,
        *,
        store_id: int | None = None,
        friendly_name: str | None = None,
    ) -> int:
        """``POST /webhooks/subscribe``; return the new webhook's id."""
        body = WebhookSubscription(
            target_url=target_url, event=event, store_id=store_id, friendly_name=friendly_name
        )
        result: WebhookSubscribed = self._client._request(
            "POST", "/webhooks/subscribe", into=WebhookSubscribed, body=body
        )
        return result.id

    def list(self) -> tuple[Webhook, ...]:
        """``GET /webhooks``."""
        result: WebhooksList = self._client._request("GET", "/webhooks", into=WebhooksList)
        return result.webhooks

    def unsubscribe(self, webhook_id: int) -> None:
        """``DELETE /webhooks/{webhookId}``."""
        self._client._request("DELETE", f"/webhooks/{int(webhook_id)}", into=None)

    @staticmethod
    def parse(body: bytes | str) -> WebhookNotification:
        """Read the body ShipStation POSTs to a webhook's target URL."""
        return ss_json.loads(body, WebhookNotification)

    def check_resource_url(self, url: str) -> str:
        """Return *url* if it may be followed with the credentials: HTTPS, the API's host.

        Raises:
            UnsafeURLError: Another scheme, host or port, credentials in the URL, or a URL
                urllib3 would read differently (see
                :func:`~listingmirror_shipstation.transports.pin_url`).
        """
        return pin_url(url, self._client.base_url, what="resource_url")

    def follow(
        self, notification: WebhookNotification, *, page_size: int = 500
    ) -> Iterator[Order | Shipment | Fulfillment]:
        """Fetch what a webhook announces, every page of it (only on the API's host).

        ``ORDER_NOTIFY``/``ITEM_ORDER_NOTIFY`` give orders, ``SHIP_NOTIFY``/``ITEM_SHIP_NOTIFY``
        shipments, ``FULFILLMENT_*`` fulfillments.

        Raises:
            UnsafeURLError: The ``resource_url`` points away from the API host.
            ValidationError: The resource type is unknown.
        """
        url = self.check_resource_url(notification.resource_url)
        kind = notification.resource_type
        parts = urllib.parse.urlsplit(url)
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        params.pop("page", None)
        params.pop("pageSize", None)
        bare = urllib.parse.urlunsplit(parts._replace(query=""))
        pages: Mapping[WebhookEvent, tuple[type[Any], Callable[[Any], Sequence[Any]]]] = {
            WebhookEvent.ORDER_NOTIFY: (OrdersPage, lambda p: p.orders),
            WebhookEvent.ITEM_ORDER_NOTIFY: (OrdersPage, lambda p: p.orders),
            WebhookEvent.SHIP_NOTIFY: (ShipmentsPage, lambda p: p.shipments),
            WebhookEvent.ITEM_SHIP_NOTIFY: (ShipmentsPage, lambda p: p.shipments),
            WebhookEvent.FULFILLMENT_SHIPPED: (FulfillmentsPage, lambda p: p.fulfillments),
            WebhookEvent.FULFILLMENT_REJECTED: (FulfillmentsPage, lambda p: p.fulfillments),
        }
        if not isinstance(kind, WebhookEvent):
            raise ValidationError("unknown resource type", field="resource_type", value=kind.raw)
        into, items = pages[kind]
        return self._client._pages(bare, into, items, params, _page_size(page_size))
