"""An in-memory ShipStation for tests: a MockTransport handler with real paging and rate limits.

>>> from listingmirror_shipstation import shipstation as ss
>>> from listingmirror_shipstation.testing.simulator import FakeClock, ShipStationSimulator
>>> from listingmirror_shipstation.transports import MockTransport
>>> clock = FakeClock()
>>> simulator = ShipStationSimulator(clock=clock)
>>> client = ss.ShipStationClient("key", "secret", transport=MockTransport(simulator),
...                               clock=clock, sleep=clock.sleep)
>>> client.orders.list().total
0

What it does like ShipStation: ``createorder(s)`` upsert by ``orderKey`` with per-order
results; ``GET /orders``, ``/shipments`` and ``/fulfillments`` page for real
(``page``/``pageSize``/``pages``) and filter by the date windows the sync uses; 40 requests per
rolling minute with ``X-Rate-Limit-*`` headers and a 429 past it, on an injectable clock.

Faults to inject: :meth:`ShipStationSimulator.fail_next` (a 5xx or a 429 burst),
:meth:`~ShipStationSimulator.time_out_next` (a timeout, after or before the server acted),
:attr:`~ShipStationSimulator.failing_keys` (per-order failures inside a bulk result).
"""

import threading
import urllib.parse
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .. import _jsontext, _time
from .. import shipstation as ss
from ..errors import RequestTimeout
from ..transports import Request, Response

__all__ = ["FakeClock", "ShipStationSimulator"]


class FakeClock:
    """Monotonic seconds that move only when someone sleeps (or a test advances them).

    Attributes:
        now: The current time, in seconds.
        slept: Every sleep, in order.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        """The current time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Move time on by *seconds*."""
        self.slept.append(seconds)
        self.now += max(0.0, seconds)


class ShipStationSimulator:
    """A ShipStation REST v1 server in memory; pass it to a ``MockTransport``.

    Args:
        clock: Seconds, for the rate limit (a :class:`FakeClock` in tests).
        limit: Requests per rolling window.
        window: The window, in seconds.

    Attributes:
        orders: Stored orders by ``orderKey`` (as the JSON ShipStation would hold).
        shipments: Labels, as models (add with :meth:`add_shipment`).
        fulfillments: Orders marked shipped, as models.
        statuses: The status of every answer given, in order.
        failing_keys: Order keys that fail inside ``createorders`` results.
    """

    def __init__(
        self, *, clock: FakeClock | None = None, limit: int = 40, window: float = 60.0
    ) -> None:
        self.clock = clock or FakeClock()
        self.limit, self.window = limit, window
        self.orders: dict[str, dict[str, Any]] = {}
        self.shipments: list[ss.Shipment] = []
        self.fulfillments: list[ss.Fulfillment] = []
        self.statuses: list[int] = []
        self.failing_keys: set[str] = set()
        self._faults: deque[tuple[str, int]] = deque()
        self._sent: deque[float] = deque()
        self._next_id = 1
        self._lock = threading.Lock()

    # --- faults ------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next *times* requests with *status* (e.g. 500, or 429 for a burst)."""
        self._faults.extend([("status", status)] * times)

    def time_out_next(self, *, after_acting: bool, times: int = 1) -> None:
        """Raise a timeout for the next *times* requests, having acted on them or not."""
        self._faults.extend([("timeout", int(after_acting))] * times)

    @property
    def pending_faults(self) -> int:
        """Faults queued and not yet served."""
        return len(self._faults)

    # --- data --------------------------------------------------------------------------

    def add_shipment(self, shipment: ss.Shipment) -> None:
        """Add a label (it appears in ``GET /shipments``)."""
        self.shipments.append(shipment)

    def add_fulfillment(self, fulfillment: ss.Fulfillment) -> None:
        """Add an order marked shipped (it appears in ``GET /fulfillments``)."""
        self.fulfillments.append(fulfillment)

    # --- the handler -------------------------------------------------------------------

    def __call__(self, request: Request) -> Response:
        """Answer *request* as ShipStation would."""
        with self._lock:
            now = self.clock()
            while self._sent and self._sent[0] <= now - self.window:
                self._sent.popleft()
            if len(self._sent) >= self.limit:
                return self._answer(429, {"message": "Too Many Requests"})
            self._sent.append(now)
            fault = self._faults.popleft() if self._faults else None
            if fault and fault[0] == "status":
                return self._answer(fault[1], {"Message": "An error has occurred."})
            if fault and fault[0] == "timeout" and not fault[1]:
                raise RequestTimeout("simulated", method=request.method, url=request.url)
            response = self._route(request)
            if fault and fault[0] == "timeout":
                raise RequestTimeout("simulated", method=request.method, url=request.url)
            return response

    def _answer(self, status: int, data: object) -> Response:
        self.statuses.append(status)
        now = self.clock()
        reset = (self._sent[0] + self.window - now) if self._sent else self.window
        headers = {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(max(0, self.limit - len(self._sent))),
            "X-Rate-Limit-Reset": str(max(0, round(reset))),
        }
        return Response(status=status, headers=headers, body=_jsontext.dumps(data).encode())

    def _route(self, request: Request) -> Response:
        parts = urllib.parse.urlsplit(request.url)
        params = dict(urllib.parse.parse_qsl(parts.query))
        body: Any = _jsontext.loads(request.body) if request.body else None
        path = parts.path.rstrip("/")
        if request.method == "POST" and path == "/orders/createorders":
            return self._answer(200, self._create_many(body))
        if request.method == "POST" and path == "/orders/createorder":
            result = self._create_many([body])["results"][0]
            return self._answer(200, self.orders.get(result["orderKey"], {}))
        if request.method == "GET" and path == "/orders":
            return self._answer(200, self._page("orders", list(self.orders.values()), params))
        if request.method == "GET" and path == "/shipments":
            items = [s for s in self.shipments if self._in_window(s, params)]
            return self._answer(200, self._page("shipments", _dump(items), params))
        if request.method == "GET" and path == "/fulfillments":
            done = [f for f in self.fulfillments if self._in_window(f, params)]
            return self._answer(200, self._page("fulfillments", _dump(done), params))
        return self._answer(404, {"Message": f"no route {request.method} {path}"})

    def _create_many(self, sent: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
        results = []
        for order in sent:
            key = str(order.get("orderKey") or f"generated-{self._next_id}")
            if key in self.failing_keys:
                results.append(
                    {
                        "orderId": 0,
                        "orderKey": key,
                        "orderNumber": order.get("orderNumber"),
                        "success": False,
                        "errorMessage": "simulated failure",
                    }
                )
                continue
            existing = self.orders.get(key)
            order_id = existing["orderId"] if existing else self._next_id
            if not existing:
                self._next_id += 1
            self.orders[key] = {**order, "orderId": order_id, "orderKey": key}
            results.append(
                {
                    "orderId": order_id,
                    "orderKey": key,
                    "orderNumber": order.get("orderNumber"),
                    "success": True,
                    "errorMessage": None,
                }
            )
        return {"hasErrors": any(not r["success"] for r in results), "results": results}

    @staticmethod
    def _page(collection: str, items: list[Any], params: Mapping[str, str]) -> dict[str, Any]:
        size = int(params.get("pageSize", 100))
        page = int(params.get("page", 1))
        pages = -(-len(items) // size)
        chunk = items[(page - 1) * size : page * size]
        return {collection: chunk, "total": len(items), "page": page, "pages": pages}

    @staticmethod
    def _in_window(item: ss.Shipment | ss.Fulfillment, params: Mapping[str, str]) -> bool:
        def bound(name: str) -> datetime | None:
            text = params.get(name)
            return _time.parse_pacific(text) if text else None

        for prefix, value in (("createDate", item.create_date), ("voidDate", item.void_date)):
            start, end = bound(prefix + "Start"), bound(prefix + "End")
            if start is None and end is None:
                continue
            if value is None or (start and value < start) or (end and value > end):
                return False
        return True


def _dump(items: list[Any]) -> list[Any]:
    converter = ss.make_converter()
    return [converter.unstructure(i) for i in items]
