"""In-memory ShipStation and Listing Mirror servers for tests, whose data can move mid-run.

Both are ``Request -> Response`` handlers: pass one to a ``MockTransport``, or serve it over
real HTTP on 127.0.0.1 with :class:`~listingmirror_shipstation.testing.server.SimulatorServer`.

>>> from listingmirror_shipstation import shipstation as ss
>>> from listingmirror_shipstation.testing.simulator import FakeClock, ShipStationSimulator
>>> from listingmirror_shipstation.transports import MockTransport, PolicyTransport
>>> clock = FakeClock()
>>> simulator = ShipStationSimulator(clock=clock)
>>> transport = PolicyTransport(MockTransport(simulator), clock=clock, sleep=clock.sleep)
>>> client = ss.ShipStationClient("key", "secret", transport=transport)
>>> client.orders.list().total
0

What it does like ShipStation: ``createorder(s)`` upsert by ``orderKey`` with per-order
results; ``GET /orders``, ``/shipments`` and ``/fulfillments`` page for real
(``page``/``pageSize``/``pages``) and filter by the date windows the sync uses; 40 requests per
rolling minute with ``X-Rate-Limit-*`` headers and a 429 past it, on an injectable clock.

Faults to inject: :meth:`ShipStationSimulator.fail_next` (a 5xx or a 429 burst),
:meth:`~ShipStationSimulator.time_out_next` (a timeout, after or before the server acted),
:attr:`~ShipStationSimulator.failing_keys` (per-order failures inside a bulk result).

Moving data (both simulators, from :class:`Scripted`): :meth:`~Scripted.at` runs an edit just
before the n-th request is answered (say, between two page requests), :attr:`~Scripted.on_request`
sees every request, :attr:`~Scripted.latency` and :meth:`~Scripted.delay_next` slow answers down
(a delayed answer is computed on arrival and handed back later, so concurrent requests get
their answers out of order), :meth:`~Scripted.fail_at` answers the n-th request with an error
status and :meth:`~Scripted.raise_at` raises there (a crash, with a ``MockTransport``).

:class:`ListingMirrorSimulator` serves ``GET orders/`` as Listing Mirror does: a
``{count, next, results}`` page numbered over the *live* result set, so an order edited between
two page requests moves the others, as it does in production.
"""

import functools
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

import attrs

from .. import _jsontext, _time
from .. import listingmirror as lm
from .. import shipstation as ss
from ..errors import RequestTimeout
from ..transports import Request, Response

__all__ = ["FakeClock", "ListingMirrorSimulator", "Scripted", "ShipStationSimulator"]


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


class Scripted:
    """What both simulators can be told to do at given requests: edits, delays, failures.

    Requests are numbered from 1 in the order they arrive (:attr:`requests_seen`).

    Args:
        sleep: How latency is waited out (real seconds by default).

    Attributes:
        on_request: Called with ``(number, request)`` before every answer, under the
            simulator's lock (edit the data here to move it between any two requests).
        latency: Seconds added to every answer.
        requests_seen: Requests received so far.
    """

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.on_request: Callable[[int, Request], None] | None = None
        self.latency = 0.0
        self.requests_seen = 0
        self._sleep = sleep
        self._actions: defaultdict[int, list[Callable[[], None]]] = defaultdict(list)
        self._fail_at: dict[int, int] = {}
        self._raise_at: dict[int, BaseException] = {}
        self._delays: deque[float] = deque()
        self._lock = threading.RLock()

    def at(self, number: int, action: Callable[[], None]) -> None:
        """Run *action* (an edit) just before request *number* is answered."""
        with self._lock:
            self._actions[number].append(action)

    def fail_at(self, number: int, status: int = 500) -> None:
        """Answer request *number* with *status* (and do nothing else for it)."""
        with self._lock:
            self._fail_at[number] = status

    def raise_at(self, number: int, error: BaseException) -> None:
        """Raise *error* instead of answering request *number* (nothing is done for it).

        With a ``MockTransport`` the error reaches the caller, like a crash of its process
        at that point; served over HTTP, the connection is closed without an answer.
        """
        with self._lock:
            self._raise_at[number] = error

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Hand back the next *times* answers *seconds* late (computed when they arrive)."""
        with self._lock:
            self._delays.extend([seconds] * times)

    def clear_script(self) -> None:
        """Drop every scripted edit, failure and delay not yet used (data stays as it is)."""
        with self._lock:
            self._actions.clear()
            self._fail_at.clear()
            self._raise_at.clear()
            self._delays.clear()
            self.on_request = None

    def __call__(self, request: Request) -> Response:
        """Answer *request*, after the scripted edits, delays and failures for it."""
        with self._lock:
            self.requests_seen += 1
            number = self.requests_seen
            for action in self._actions.pop(number, []):
                action()
            if self.on_request is not None:
                self.on_request(number, request)
            error = self._raise_at.pop(number, None)
            if error is not None:
                raise error
            delay = self.latency + (self._delays.popleft() if self._delays else 0.0)
            status = self._fail_at.pop(number, None)
            if status is not None:
                response = Response(
                    status=status,
                    headers={"Content-Type": "application/json"},
                    body=b'{"message": "scripted failure"}',
                )
            else:
                response = self.answer(request)
        if delay > 0:
            self._sleep(delay)
        return response

    def answer(self, request: Request) -> Response:
        """The simulator's own answer (subclasses implement it; called under the lock)."""
        raise NotImplementedError


class ShipStationSimulator(Scripted):
    """A ShipStation REST v1 server in memory; pass it to a ``MockTransport``.

    Args:
        clock: Seconds, for the rate limit (a :class:`FakeClock` in tests; ``time.monotonic``
            when served over real HTTP).
        limit: Requests per rolling window.
        window: The window, in seconds.
        sleep: How latency is waited out (see :class:`Scripted`).
        reset_precision: The step ``X-Rate-Limit-Reset`` is rounded to: whole seconds, as
            ShipStation sends it; a benchmark that shrinks the time scale shrinks it too.

    Attributes:
        orders: Stored orders by ``orderKey`` (as the JSON ShipStation would hold).
        shipments: Labels, as models (add with :meth:`add_shipment`).
        fulfillments: Orders marked shipped, as models.
        statuses: The status of every answer given, in order.
        failing_keys: Order keys that fail inside ``createorders`` results.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        limit: int = 40,
        window: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        reset_precision: float = 1.0,
    ) -> None:
        super().__init__(sleep=sleep)
        self.clock = clock or FakeClock()
        self.limit, self.window = limit, window
        self.reset_precision = reset_precision
        self.orders: dict[str, dict[str, Any]] = {}
        self.shipments: list[ss.Shipment] = []
        self.fulfillments: list[ss.Fulfillment] = []
        self.statuses: list[int] = []
        self.failing_keys: set[str] = set()
        self._faults: deque[tuple[str, int]] = deque()
        self._sent: deque[float] = deque()
        self._next_id = 1

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

    def void_shipment(self, shipment_id: int, when: datetime) -> None:
        """Void the label *shipment_id* at *when* (it appears in the ``voidDate`` window)."""
        with self._lock:
            self.shipments = [
                attrs.evolve(s, voided=True, void_date=when) if s.shipment_id == shipment_id else s
                for s in self.shipments
            ]

    # --- the handler -------------------------------------------------------------------

    def answer(self, request: Request) -> Response:
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
            "X-Rate-Limit-Reset": self._reset_text(reset),
        }
        return Response(status=status, headers=headers, body=_jsontext.dumps(data).encode())

    def _reset_text(self, reset: float) -> str:
        steps = max(0, round(reset / self.reset_precision))
        if self.reset_precision == 1:
            return str(steps)
        return f"{steps * self.reset_precision:.6g}"

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


@functools.cache
def _converter() -> ss.JsonConverter:
    """One ShipStation converter for every answer (making one per answer took ~1,000 objects)."""
    return ss.make_converter()


def _dump(items: list[Any]) -> list[Any]:
    converter = _converter()
    return [converter.unstructure(i) for i in items]


class ListingMirrorSimulator(Scripted):
    """A Listing Mirror API v2 server in memory, for ``GET orders/``; its data can move.

    Orders are kept as the JSON Listing Mirror would send (so an order that does not fit the
    models can be served too). ``GET orders/`` filters by ``start_date``/``end_date`` (whole
    seconds, in *naive_zone*, inclusive) on ``last_modified`` (else ``order_datetime``), by
    ``order_status`` and ``search_value``, sorts by ``order_id`` and pages *page_size* at a
    time: each page request runs the query again, so an order edited between two page
    requests leaves the window and the later ones move up a place, as in production.

    >>> from datetime import UTC, datetime
    >>> from listingmirror_shipstation import listingmirror as lm
    >>> from listingmirror_shipstation.testing.simulator import ListingMirrorSimulator
    >>> from listingmirror_shipstation.transports import MockTransport
    >>> simulator = ListingMirrorSimulator(page_size=2)
    >>> for n in range(1, 6):
    ...     simulator.put({"order_id": n, "market_order_id": f"M-{n}", "order_status": "Paid",
    ...                    "order_datetime": "2026-11-01T00:00:00Z"})
    >>> simulator.at(2, lambda: simulator.edit(1, order_status="Shipped"))  # between pages
    >>> client = lm.ListingMirrorClient(("u", "p"), transport=MockTransport(simulator))
    >>> sorted(o.order_id for o in client.orders.iter_all(order_status="Paid"))
    [1, 2, 3, 4, 5]

    Args:
        page_size: Orders per page.
        naive_zone: The zone of date filters and of timestamps written without an offset.
        now: The time stamped as ``last_modified`` by :meth:`edit` (default: the wall clock).
        sleep: How latency is waited out (see :class:`Scripted`).

    Attributes:
        orders: The orders by ``order_id``, as JSON objects.
    """

    def __init__(
        self,
        *,
        page_size: int = 50,
        naive_zone: tzinfo = UTC,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(sleep=sleep)
        self.page_size = page_size
        self.naive_zone = naive_zone
        self.now = now or (lambda: datetime.now(UTC))
        self.orders: dict[int, dict[str, Any]] = {}

    def put(self, order: lm.Order | Mapping[str, Any]) -> None:
        """Add or replace an order (a model, or the JSON object Listing Mirror would send)."""
        raw = _jsontext.loads(lm.dumps(order)) if isinstance(order, lm.Order) else dict(order)
        with self._lock:
            self.orders[int(raw["order_id"])] = raw

    def edit(self, order_id: int, *, modified: datetime | None = None, **changes: Any) -> None:
        """Change an order's JSON keys; its ``last_modified`` becomes *modified* (or now)."""
        stamp = modified or self.now()
        with self._lock:
            raw = self.orders[order_id]
            raw.update(changes)
            raw["last_modified"] = _time.format_iso_utc(stamp)

    def remove(self, order_id: int) -> None:
        """Delete an order."""
        with self._lock:
            self.orders.pop(order_id, None)

    def answer(self, request: Request) -> Response:
        """Answer *request* as Listing Mirror would (``GET orders/`` only)."""
        parts = urllib.parse.urlsplit(request.url)
        if request.method != "GET" or not parts.path.rstrip("/").endswith("/orders"):
            return _json(404, {"detail": "Not found."})
        params = dict(urllib.parse.parse_qsl(parts.query))
        try:
            page = int(params.get("page", "1"))
            start = self._bound(params.get("start_date"))
            end = self._bound(params.get("end_date"))
        except ValueError:
            return _json(400, {"detail": "bad filter"})
        with self._lock:
            found = [
                raw
                for _, raw in sorted(self.orders.items())
                if self._matches(raw, params, start, end)
            ]
        chunk = found[(page - 1) * self.page_size : page * self.page_size]
        following = None
        if page * self.page_size < len(found):
            query = urllib.parse.urlencode({**params, "page": str(page + 1)})
            following = urllib.parse.urlunsplit(parts._replace(query=query))
        return _json(200, {"count": len(found), "next": following, "results": chunk})

    def _bound(self, text: str | None) -> datetime | None:
        if not text:
            return None
        return datetime.fromisoformat(text).replace(tzinfo=self.naive_zone)

    def _matches(
        self,
        raw: Mapping[str, Any],
        params: Mapping[str, str],
        start: datetime | None,
        end: datetime | None,
    ) -> bool:
        status = params.get("order_status")
        if status is not None and raw.get("order_status") != status:
            return False
        search = params.get("search_value")
        if search is not None and search not in str(raw.get("market_order_id", "")):
            return False
        stamp = raw.get("last_modified") or raw.get("order_datetime")
        try:
            when = _time.parse_iso(str(stamp), self.naive_zone)
        except (ValueError, OverflowError, TypeError):
            return True  # unreadable dates: served, so that the client meets them
        return not ((start and when < start) or (end and when > end))


def _json(status: int, data: object) -> Response:
    return Response(
        status=status,
        headers={"Content-Type": "application/json"},
        body=_jsontext.dumps(data).encode(),
    )
