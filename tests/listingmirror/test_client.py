"""ListingMirrorClient through MockTransport: paging by next, filters, inventory, safety."""

import json
import urllib.parse
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.errors import (
    APIError,
    ConfigurationError,
    RateLimitError,
    UnsafeURLError,
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

BASE = "https://api.listingmirror.com/api/v2/"
ORDER = {
    "order_id": 1,
    "market_order_id": "M-1",
    "order_datetime": "2026-11-20T10:00:00Z",
    "order_status": "Accepted",
    "order_items": [{"sku": "A", "quantity": 1, "price": "5.00"}],
}


def client(
    handler, *, retry: Retry | None = None, clock: FakeClock | None = None, **kwargs: object
) -> tuple[lm.ListingMirrorClient, MockTransport]:
    transport = MockTransport(handler)
    clock = clock or FakeClock()
    policy = PolicyTransport(
        transport,
        retry=retry or Retry(max_attempts=3, deadline=60, backoff=0),
        clock=clock,
        sleep=clock.sleep,
    )
    return lm.ListingMirrorClient(("user", "pw"), transport=policy, **kwargs), transport  # type: ignore[arg-type]


def test_iter_orders_follows_next_on_the_same_host() -> None:
    """Every page is read by following next; filters are on the first request."""
    pages = {
        1: {
            "count": 3,
            "next": BASE + "orders/?page=2",
            "results": [ORDER, {**ORDER, "order_id": 2}],
        },
        2: {"count": 3, "next": None, "results": [{**ORDER, "order_id": 3}]},
    }

    def handler(request: Request) -> Response:
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))
        return json_response(pages[int(params.get("page", 1))])

    api, transport = client(handler)
    orders = list(
        api.orders.iter_all(
            start_date=date(2026, 11, 1),
            end_date=date(2026, 11, 30),
            order_status="Accepted",
            fulfillment_inventory_source_id=5,
        )
    )
    assert [o.order_id for o in orders] == [1, 2, 3]
    first = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(transport.requests[0].url).query))
    assert first == {
        "start_date": "2026-11-01T00:00:00",
        "end_date": "2026-11-30T23:59:59",
        "order_status": "Accepted",
        "fulfillment_inventory_source_id": "5",
    }
    assert transport.requests[0].headers["Authorization"].startswith("Basic ")


def test_datetime_filters_are_converted_to_the_configured_zone() -> None:
    """An aware datetime is written in naive_zone, without an offset, as the API takes it."""
    api, transport = client(
        lambda r: json_response({"count": 0, "next": None, "results": []}),
        naive_zone=timezone(timedelta(hours=-5)),
    )
    api.orders.list(start_date=datetime(2026, 11, 1, 12, tzinfo=UTC))
    assert "start_date=2026-11-01T07%3A00%3A00" in transport.requests[0].url


def test_next_to_another_host_is_refused() -> None:
    """A next link elsewhere would carry the credentials: it is not followed."""
    api, transport = client(
        lambda r: json_response(
            {"count": 2, "next": "https://evil.example/orders/?page=2", "results": [ORDER]}
        )
    )
    with pytest.raises(UnsafeURLError):
        list(api.orders.iter_all())
    assert len(transport.requests) == 1


def test_a_bad_order_is_reported_on_the_page() -> None:
    """The page keeps the orders it could read and an error for the other."""
    api, _ = client(
        lambda r: json_response({"count": 2, "next": None, "results": [ORDER, {"order_id": "x"}]})
    )
    page = api.orders.search("M-1")
    assert [o.order_id for o in page] == [1]
    assert len(page.errors) == 1


def test_update_inventory_sends_sku_and_quantity_and_reads_errors() -> None:
    """PUT inventory/ with [{sku, quantity}]; an answer carrying errors raises."""
    answers = iter([json_response({"updated": 2}), json_response({"errors": ["unknown sku Z"]})])
    api, transport = client(lambda r: next(answers))
    levels = [lm.InventoryLevel(sku="A", quantity=3), lm.InventoryLevel(sku="B", quantity=0)]
    assert api.inventory.update(levels) == {"updated": 2}
    (sent,) = transport.requests
    assert (sent.method, sent.url) == ("PUT", BASE + "inventory/")
    assert json.loads(sent.body or b"") == [
        {"sku": "A", "quantity": 3},
        {"sku": "B", "quantity": 0},
    ]
    with pytest.raises(APIError, match="unknown sku Z"):
        api.inventory.update(levels)


def test_429_is_waited_out_with_retry_after() -> None:
    """Listing Mirror's 429: wait Retry-After, then retry; past the deadline, RateLimitError."""
    clock = FakeClock()
    answers = iter(
        [
            Response(status=429, headers={"Retry-After": "3"}),
            json_response({"count": 0, "next": None, "results": []}),
        ]
    )
    api, _ = client(lambda r: next(answers), clock=clock)
    assert len(api.orders.list()) == 0
    assert sum(clock.slept) >= 3
    stuck, _ = client(lambda r: Response(status=429), retry=Retry(max_attempts=2, deadline=1))
    with pytest.raises(RateLimitError):
        stuck.orders.list()


def test_master_listings_and_a_subclass_call() -> None:
    """Master listings page by next; a subclass adds a call through _get."""

    class MyClient(lm.ListingMirrorClient):
        def recipes(self) -> list[dict[str, str]]:
            return self._get("recipes/", list[dict[str, str]])

    transport = MockTransport(
        lambda r: json_response(
            [{"sku": "KIT"}]
            if r.url.endswith("recipes/")
            else {
                "count": 1,
                "next": None,
                "results": [{"sku": "A", "price": "1.50", "shipping_weight_unit_of_measure": "GR"}],
            }
        )
    )
    api = MyClient("dG9rZW4=", transport=transport)
    assert [p.sku for p in api.master_listings.iter_all()] == ["A"]
    assert api.recipes() == [{"sku": "KIT"}]
    assert transport.requests[0].headers["Authorization"] == "Basic dG9rZW4="


def test_configuration_and_repr() -> None:
    """Empty credentials are refused; the token never shows in the repr."""
    with pytest.raises(ConfigurationError):
        lm.ListingMirrorClient("")
    assert "dG9rZW4" not in repr(
        lm.ListingMirrorClient("dG9rZW4=", transport=MockTransport(lambda r: Response(status=200)))
    )
