"""ShipStationClient through MockTransport: requests sent, answers read, errors typed."""

import base64
import json
import math
import urllib.parse
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import (
    AmbiguousOutcomeError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    RequestTimeout,
    ServerError,
    UnsafeURLError,
    ValidationError,
)
from listingmirror_shipstation.testing import json_response
from listingmirror_shipstation.testing.simulator import FakeClock
from listingmirror_shipstation.transports import (
    MockTransport,
    PolicyTransport,
    Request,
    Response,
    Retry,
)

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "api"
FAST = Retry(max_attempts=3, deadline=5, backoff=0.0)
ORDER = ss.Order(
    order_number="A-1",
    order_key="lm-1",
    order_date=datetime(2026, 11, 27, 18, tzinfo=UTC),
    order_status=ss.OrderStatus.AWAITING_SHIPMENT,
    bill_to=ss.Address(name="Ana"),
    ship_to=ss.Address(name="Ana", street1="1 Main", city="Austin", country="US"),
    items=(ss.OrderItem(sku="MUG", quantity=1, unit_price=Decimal("9.99")),),
)


def client(
    handler, *, retry: Retry = FAST, **kwargs: object
) -> tuple[ss.ShipStationClient, MockTransport]:
    transport = MockTransport(handler)
    clock = FakeClock()
    policy = PolicyTransport(transport, retry=retry, clock=clock, sleep=clock.sleep)
    return ss.ShipStationClient("key", "secret", transport=policy, **kwargs), transport  # type: ignore[arg-type]


def query(request: Request) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))


class TestRequests:
    def test_get_order(self) -> None:
        """GET /orders/{id}; Basic credentials sent up front; Pacific time read into UTC."""
        raw = json.loads((GOLDEN / "list-orders-page.json").read_text())["orders"][0]
        api, transport = client(lambda r: json_response(raw))
        order = api.orders.get(1000001)
        assert order.order_date == datetime(2015, 6, 29, 15, 46, 27, tzinfo=UTC)
        (sent,) = transport.requests
        assert (sent.method, sent.url) == ("GET", "https://ssapi.shipstation.com/orders/1000001")
        assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"key:secret").decode()

    def test_list_filters_are_camel_case_and_pacific(self) -> None:
        """Filters go out in wire names; datetimes converted to Pacific wall time."""
        api, transport = client(
            lambda r: json_response({"orders": [], "total": 0, "page": 1, "pages": 0})
        )
        api.orders.list(
            modify_date_start=datetime(2026, 7, 1, 12, tzinfo=UTC),
            order_status=ss.OrderStatus.AWAITING_SHIPMENT,
            store_id=7,
            page_size=50,
        )
        assert query(transport.requests[0]) == {
            "modifyDateStart": "2026-07-01 05:00:00",
            "orderStatus": "awaiting_shipment",
            "storeId": "7",
            "page": "1",
            "pageSize": "50",
        }

    @given(st.lists(st.integers(0, 4), min_size=1, max_size=6))
    def test_iterators_yield_every_item_once_for_any_page_layout(self, layout: list[int]) -> None:
        """Whatever the page sizes (empty pages too), every item comes once, filters re-sent."""
        pages = len(layout)
        numbered = iter(range(10_000))
        contents = [[next(numbered) for _ in range(n)] for n in layout]

        def handler(request: Request) -> Response:
            page = int(query(request)["page"])
            assert query(request)["carrierCode"] == "usps"
            shipments = [{"shipmentId": i} for i in contents[page - 1]]
            return json_response({"shipments": shipments, "total": 0, "page": page, "pages": pages})

        api, transport = client(handler)
        ids = [s.shipment_id for s in api.shipments.iter_all(carrier_code="usps")]
        assert ids == [i for page in contents for i in page]
        assert len(transport.requests) == pages

    def test_zero_pages_means_one_request_and_nothing(self) -> None:
        """Pages == 0: the iterator stops after the first page."""
        api, transport = client(
            lambda r: json_response({"fulfillments": [], "total": 0, "page": 1, "pages": 0})
        )
        assert list(api.fulfillments.iter_all()) == []
        assert len(transport.requests) == 1

    def test_mark_as_shipped_sends_the_vector_body(self) -> None:
        """The body is exactly the documented one."""
        api, transport = client(lambda r: json_response({"orderId": 93348442, "orderNumber": "X"}))
        result = api.orders.mark_as_shipped(
            93348442,
            "usps",
            ship_date=date(2014, 4, 1),
            tracking_number="9400100000000000000000",
            notify_customer=True,
            notify_sales_channel=True,
        )
        assert result.order_id == 93348442
        assert json.loads(transport.requests[0].body or b"") == json.loads(
            (GOLDEN / "markasshipped-request.json").read_text()
        )

    def test_hold_restore_delete(self) -> None:
        """The hold calls post the documented bodies; delete uses DELETE."""
        api, transport = client(lambda r: json_response({"success": True, "message": "ok"}))
        api.orders.hold_until(1072467, date(2014, 12, 1))
        api.orders.restore_from_hold(1072467)
        api.orders.delete(1072467)
        hold, restore, delete = transport.requests
        assert json.loads(hold.body or b"") == {"orderId": 1072467, "holdUntilDate": "2014-12-01"}
        assert json.loads(restore.body or b"") == {"orderId": 1072467}
        assert (delete.method, delete.url.endswith("/orders/1072467")) == ("DELETE", True)

    def test_invalid_order_is_refused_before_sending(self) -> None:
        """Validation runs before anything leaves."""
        api, transport = client(lambda r: json_response({}))
        with pytest.raises(ValidationError, match="order_number"):
            api.orders.create_or_update(attrs.evolve(ORDER, order_number="x" * 51))
        assert transport.requests == []

    def test_stores_carriers_webhooks(self) -> None:
        """The small resources read their models (webhooks in PascalCase)."""
        answers = {
            "/stores": [{"storeId": 1, "storeName": "Manual", "marketplaceId": 0}],
            "/stores/1": {
                "storeId": 1,
                "statusMappings": [{"orderStatus": "shipped", "statusKey": "Complete"}],
            },
            "/carriers": [{"code": "usps", "name": "USPS", "balance": 12.5}],
            "/webhooks": {
                "webhooks": [{"WebHookID": 9, "HookType": "SHIP_NOTIFY", "Active": True}]
            },
            "/webhooks/subscribe": {"id": 42},
        }
        api, transport = client(lambda r: json_response(answers[urllib.parse.urlsplit(r.url).path]))
        assert api.stores.list()[0].marketplace_id == 0
        assert api.stores.get(1).status_mappings == (
            ss.StatusMapping(order_status=ss.OrderStatus.SHIPPED, status_key="Complete"),
        )
        assert api.carriers.list()[0].balance == Decimal("12.5")
        assert api.webhooks.list()[0].hook_type is ss.WebhookEvent.SHIP_NOTIFY
        assert api.webhooks.subscribe("https://me.example/hook", ss.WebhookEvent.SHIP_NOTIFY) == 42
        assert json.loads(transport.requests[-1].body or b"") == {
            "target_url": "https://me.example/hook",
            "event": "SHIP_NOTIFY",
        }


class TestBulk:
    @given(st.integers(0, 350), st.data())
    def test_batches_of_100_and_results_in_input_order(self, n: int, data: st.DataObject) -> None:
        """N orders: ceil(N/100) calls, N results in input order, per-order failures kept."""
        failing = data.draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=n))
        orders = [attrs.evolve(ORDER, order_key=f"k{i}", order_number=f"N{i}") for i in range(n)]

        def handler(request: Request) -> Response:
            sent = json.loads(request.body or b"[]")
            results = [
                {
                    "orderId": 0
                    if int(o["orderKey"][1:]) in failing
                    else 1000 + int(o["orderKey"][1:]),
                    "orderKey": o["orderKey"],
                    "orderNumber": o["orderNumber"],
                    "success": int(o["orderKey"][1:]) not in failing,
                    "errorMessage": "bad" if int(o["orderKey"][1:]) in failing else None,
                }
                for o in reversed(sent)  # ShipStation's order is not relied on
            ]
            return json_response({"hasErrors": bool(failing), "results": results})

        api, transport = client(handler)
        results = api.orders.create_or_update_many(orders)
        assert len(transport.requests) == math.ceil(n / ss.MAX_BATCH)
        assert [r.order.order_key for r in results] == [o.order_key for o in orders]
        assert [r.success for r in results] == [i not in failing for i in range(n)]
        assert all(r.order_id == 1000 + i for i, r in enumerate(results) if r.success)
        assert all(r.error_message == "bad" for r in results if not r.success)

    def test_a_failed_batch_fails_its_orders_only(self) -> None:
        """A 400 on one batch marks its orders failed; the other batch still goes."""
        orders = [attrs.evolve(ORDER, order_key=f"k{i}", order_number=f"N{i}") for i in range(150)]
        calls = []

        def handler(request: Request) -> Response:
            calls.append(request)
            if len(calls) == 1:
                return json_response({"Message": "The request is invalid."}, status=400)
            sent = json.loads(request.body or b"[]")
            return json_response(
                {
                    "hasErrors": False,
                    "results": [
                        {"orderId": 1, "orderKey": o["orderKey"], "success": True} for o in sent
                    ],
                }
            )

        api, _ = client(handler)
        results = api.orders.create_or_update_many(orders)
        assert [r.success for r in results] == [False] * 100 + [True] * 50
        assert isinstance(results[0].error, BadRequestError)

    def test_invalid_orders_are_reported_and_not_sent(self) -> None:
        """An order that fails validation is a result with the error, never sent."""
        api, transport = client(
            lambda r: json_response(
                {
                    "hasErrors": False,
                    "results": [{"orderId": 5, "orderKey": "lm-1", "success": True}],
                }
            )
        )
        results = api.orders.create_or_update_many([attrs.evolve(ORDER, ship_to=None), ORDER])
        assert isinstance(results[0].error, ValidationError)
        assert results[1].success
        assert len(json.loads(transport.requests[0].body or b"")) == 1

    def test_createorders_is_retried_when_keyed(self) -> None:
        """Upserts by orderKey are safe to repeat: a 500 is retried."""
        answers = iter(
            [
                json_response({"Message": "An error has occurred."}, status=500),
                json_response(
                    {
                        "hasErrors": False,
                        "results": [{"orderId": 5, "orderKey": "lm-1", "success": True}],
                    }
                ),
            ]
        )
        api, transport = client(lambda r: next(answers))
        assert api.orders.create_or_update_many([ORDER])[0].success
        assert len(transport.requests) == 2


class TestErrors:
    @pytest.mark.parametrize(
        ("status", "body", "cls", "text"),
        [
            (
                400,
                {"Message": "The request is invalid.", "ModelState": {"apiOrder": ["bad date"]}},
                BadRequestError,
                "apiOrder: bad date",
            ),
            (
                401,
                {"message": "Invalid API credentials"},
                AuthenticationError,
                "Invalid API credentials",
            ),
            (404, None, NotFoundError, "HTTP 404"),
            (
                500,
                {"Message": "An error has occurred.", "ExceptionMessage": "Object reference"},
                ServerError,
                "Object reference",
            ),
        ],
    )
    def test_status_becomes_a_typed_error_with_the_message(self, status, body, cls, text) -> None:
        """Both error envelopes are read; the raw body is kept."""
        raw = json.dumps(body).encode() if body is not None else b""
        api, _ = client(lambda r: Response(status=status, body=raw))
        with pytest.raises(cls, match=text) as caught:
            api.orders.get(1)
        assert caught.value.status == status
        assert caught.value.body == raw

    def test_429_past_the_deadline_is_a_rate_limit_error(self) -> None:
        """When waiting does not help in time: RateLimitError with retry_after."""
        answer = Response(
            status=429,
            headers={"X-Rate-Limit-Reset": "20"},
            body=b'{"message": "Too Many Requests"}',
        )
        api, _ = client(lambda r: answer, retry=Retry(max_attempts=2, deadline=5))
        with pytest.raises(RateLimitError) as caught:
            api.carriers.list()
        assert caught.value.retry_after == 20

    def test_timeout_of_an_unsafe_call_is_ambiguous(self) -> None:
        """Markasshipped timed out: it may have been applied, and the error says so."""

        def handler(request: Request) -> Response:
            raise RequestTimeout("slow", method=request.method, url=request.url)

        api, transport = client(handler)
        with pytest.raises(AmbiguousOutcomeError, match="may or may not"):
            api.orders.mark_as_shipped(1, "usps")
        assert len(transport.requests) == 1

    def test_credentials_appear_nowhere(self, caplog: pytest.LogCaptureFixture) -> None:
        """Not in the repr, the logs, nor any error."""
        api = ss.ShipStationClient(
            "KEY123",
            "SECRET456",
            transport=MockTransport(lambda r: Response(status=401)),
            retry=FAST,
        )
        with caplog.at_level("DEBUG"), pytest.raises(AuthenticationError) as caught:
            api.carriers.list()
        token = base64.b64encode(b"KEY123:SECRET456").decode()
        for text in (repr(api), caplog.text, str(caught.value), repr(caught.value)):
            assert "SECRET456" not in text
            assert token not in text

    def test_contradictory_options_are_refused(self) -> None:
        """transport= and timeout= together, or empty credentials: ConfigurationError."""
        with pytest.raises(ConfigurationError):
            ss.ShipStationClient(
                "k", "s", transport=MockTransport(lambda r: Response(status=200)), timeout=5
            )
        with pytest.raises(ConfigurationError):
            ss.ShipStationClient("k", "")


class TestWebhooks:
    NOTIFICATION = (GOLDEN / "webhook-ship-notify.json").read_bytes()

    def test_follow_pages_through_the_resource(self) -> None:
        """The resource_url is fetched on the API host, every page, its own filters kept."""

        def handler(request: Request) -> Response:
            params = query(request)
            assert (params["batchId"], params["storeID"]) == ("2", "1")
            page = int(params["page"])
            return json_response(
                {"shipments": [{"shipmentId": page}], "page": page, "pages": 2, "total": 2}
            )

        api, transport = client(handler)
        notification = api.webhooks.parse(self.NOTIFICATION)
        assert [s.shipment_id for s in api.webhooks.follow(notification)] == [1, 2]  # type: ignore[union-attr]
        assert all(
            r.url.startswith("https://ssapi.shipstation.com/shipments?") for r in transport.requests
        )

    @pytest.mark.parametrize(
        "url",
        [
            "https://evil.example/shipments?batchId=1",
            "http://ssapi.shipstation.com/shipments",
            "https://ssapi.shipstation.com.evil.example/shipments",
            "https://user:pw@ssapi.shipstation.com/shipments",
            "https://ssapi.shipstation.com:8443/shipments",
        ],
    )
    def test_resource_url_elsewhere_is_never_followed(self, url: str) -> None:
        """A forged webhook cannot harvest the credentials: nothing is sent."""
        api, transport = client(lambda r: json_response({}))
        notification = ss.WebhookNotification(
            resource_url=url, resource_type=ss.WebhookEvent.SHIP_NOTIFY
        )
        with pytest.raises(UnsafeURLError):
            next(iter(api.webhooks.follow(notification)))
        assert transport.requests == []
