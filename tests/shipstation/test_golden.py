"""Golden files: every shared API vector parses strictly and writes back equivalently."""

import re
from pathlib import Path
from typing import Any

import pytest

from listingmirror_shipstation import _jsontext, _time
from listingmirror_shipstation import shipstation as ss

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "api"
STRICT = ss.make_converter(strict=True)

#: Which model each golden file is.
FILES: dict[str, type] = {
    "list-orders-page.json": ss.OrdersPage,
    "createorders-response.json": ss.CreateOrdersResult,
    "webhook-ship-notify.json": ss.WebhookNotification,
    "markasshipped-request.json": ss.MarkAsShippedRequest,
}

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def normalise(node: Any) -> Any:
    """Drop nulls (we omit unset fields) and read timestamps as instants (format may differ)."""
    if isinstance(node, dict):
        return {k: normalise(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [normalise(v) for v in node]
    if isinstance(node, str) and _TIMESTAMP.match(node):
        return _time.parse_pacific(node)
    return node


def test_every_vector_has_a_model() -> None:
    """A new vector file cannot be added without being tested here."""
    assert sorted(p.name for p in GOLDEN.glob("*.json")) == sorted(FILES)


@pytest.mark.parametrize(("name", "cls"), sorted(FILES.items()), ids=sorted(FILES))
def test_parses_strictly_and_writes_back_equivalently(name: str, cls: type) -> None:
    """Strict reading (no unknown key) then writing gives the same document after parsing."""
    text = (GOLDEN / name).read_text(encoding="utf-8")
    model = ss.json.loads(text, cls, converter=STRICT)
    written = ss.json.dumps(model)
    assert normalise(_jsontext.loads(written)) == normalise(_jsontext.loads(text))
    assert ss.json.loads(written, cls, converter=STRICT) == model


class TestVectorValues:
    def test_list_orders_page(self) -> None:
        """The page's facts: 7-digit Pacific times, nulls, custom fields, totals, empty lists."""
        page = ss.json.loads((GOLDEN / "list-orders-page.json").read_text(), ss.OrdersPage)
        (order,) = page.orders
        assert (page.total, page.page, page.pages) == (1, 1, 1)
        assert order.order_date.isoformat() == "2015-06-29T15:46:27+00:00"
        assert order.bill_to == ss.Address(name="Pat Example")
        assert order.ship_to is not None
        assert order.ship_to.address_verified is ss.AddressVerified.VALIDATED
        assert order.ship_to.company == ""
        assert order.tag_ids is None
        assert order.dimensions is None
        assert order.advanced_options is not None
        assert order.advanced_options.custom_field1 == "cf1"
        assert order.advanced_options.merged_ids == ()
        assert order.items is not None
        (item,) = order.items
        assert item.quantity is not None and item.unit_price is not None
        assert order.order_total == item.quantity * item.unit_price + order.shipping_amount
        assert item.weight == ss.Weight(value=8, units=ss.WeightUnit.OUNCES)  # type: ignore[arg-type]

    def test_createorders_result_maps_back_by_order_key(self) -> None:
        """The failed order has orderId 0 and an error message, matched by its key."""
        result = ss.json.loads(
            (GOLDEN / "createorders-response.json").read_text(), ss.CreateOrdersResult
        )
        by_key = {r.order_key: r for r in result.results}
        assert result.has_errors is True
        assert by_key["tv-key-1"].success is True
        assert (by_key["tv-key-2"].order_id, by_key["tv-key-2"].error_message) == (
            0,
            "example failure text",
        )

    def test_webhook_resource_type_is_the_enum(self) -> None:
        """resource_type parses to WebhookEvent and the URL is kept as sent."""
        hook = ss.json.loads(
            (GOLDEN / "webhook-ship-notify.json").read_text(), ss.WebhookNotification
        )
        assert hook.resource_type is ss.WebhookEvent.SHIP_NOTIFY
        assert hook.resource_url.startswith("https://ssapi.shipstation.com/shipments?")
