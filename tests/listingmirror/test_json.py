"""The Listing Mirror converter: lenient reading, exact writing, custom statuses kept."""

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.errors import ConversionError
from listingmirror_shipstation.testing import strategies

MODELS = sorted(
    (getattr(lm.models, name) for name in lm.models.__all__ if attrs.has(getattr(lm.models, name))),
    key=lambda c: c.__name__,
)


#: A round trip of every model costs 10-50 ms an example (an order holds nearly every other
#: model): a quarter of the profile's examples (at least 10) per model keeps the suite under three
#: minutes on a busy two-core machine; the ci and fuzz profiles scale it up with the rest.
ROUND_TRIP = settings(max_examples=max(10, settings.default.max_examples // 4))

ORDER = {
    "order_id": 501,
    "market_order_id": "112-0000001-0000001",
    "order_datetime": "2026-11-20T15:04:05Z",
    "order_status": "Accepted",
    "integration_config_id": 12,
    "order_items": [{"sku": "MUG-1", "quantity": 2, "price": "19.98", "tax": 1.6}],
}


class TestRoundTrip:
    @pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
    @ROUND_TRIP
    @given(data=st.data())
    def test_every_model_survives_json_text(self, cls: type, data: st.DataObject) -> None:
        """Model -> JSON text -> model is the identity, for every Listing Mirror model."""
        value = data.draw(strategies.strategy_for(cls))
        assert lm.json.loads(lm.json.dumps(value), cls) == value

    @given(st.text(min_size=1).filter(lambda s: s not in lm.OrderStatus._value2member_map_))
    def test_custom_status_round_trips_unchanged(self, status: str) -> None:
        """Any status Listing Mirror sends that we do not know is kept, spelled as sent."""
        order = lm.json.loads(json.dumps({**ORDER, "order_status": status}), lm.Order)
        assert order.order_status == Unrecognized(status)
        assert json.loads(lm.json.dumps(order))["order_status"] == status


class TestReading:
    def test_money_from_strings_and_numbers(self) -> None:
        """DRF writes decimals as strings; numbers work too; neither passes through float."""
        order = lm.json.loads(json.dumps(ORDER), lm.Order)
        (item,) = order.order_items
        assert item.price == Decimal("19.98")
        assert item.tax == Decimal("1.6")

    def test_statuses_and_enums(self) -> None:
        """Known names become members; the five table statuses and the native ones."""
        order = lm.json.loads(json.dumps(ORDER), lm.Order)
        assert order.order_status is lm.OrderStatus.ACCEPTED
        assert lm.OrderStatus("Wait") is lm.OrderStatus.WAIT

    @pytest.mark.parametrize(
        ("spelling", "unit"),
        [
            ("lbs", lm.WeightUnit.POUND),
            ("Pounds", lm.WeightUnit.POUND),
            ("OZ", lm.WeightUnit.OUNCE),
            ("GR", lm.WeightUnit.GRAM),
            ("kilograms", lm.WeightUnit.KILOGRAM),
            ("stone", Unrecognized("stone")),
        ],
    )
    def test_weight_unit_spellings(self, spelling: str, unit: object) -> None:
        """Common unit spellings are understood; others are kept as Unrecognized."""
        item = lm.json.loads(
            json.dumps({"quantity": 1, "price": "1", "weight": "2", "weight_unit": spelling}),
            lm.OrderItem,
        )
        assert item.weight_unit == unit

    def test_naive_timestamps_take_the_configured_zone(self) -> None:
        """Listing Mirror's zone is undocumented: UTC by default, configurable."""
        raw = json.dumps({**ORDER, "order_datetime": "2026-11-20T10:00:00"})
        assert lm.json.loads(raw, lm.Order).order_datetime == datetime(2026, 11, 20, 10, tzinfo=UTC)
        eastern = lm.make_converter(naive_zone=timezone(timedelta(hours=-5)))
        assert lm.json.loads(raw, lm.Order, converter=eastern).order_datetime == datetime(
            2026, 11, 20, 15, tzinfo=UTC
        )

    def test_unknown_keys_are_ignored_and_strict_names_them(self) -> None:
        """A key we do not model is tolerated; the strict converter reports it."""
        raw = json.dumps({**ORDER, "channel_flag": True})
        assert lm.json.loads(raw, lm.Order).order_id == 501
        with pytest.raises(ConversionError, match="channel_flag"):
            lm.json.loads(raw, lm.Order, converter=lm.make_converter(strict=True))

    def test_fractional_quantity_is_refused(self) -> None:
        """A quantity of 1.5 is an error naming the path, never truncated to 1."""
        bad = {**ORDER, "order_items": [{"sku": "X", "quantity": 1.5, "price": "3"}]}
        with pytest.raises(ConversionError, match=r"\$\.order_items\[0\]\.quantity"):
            lm.json.loads(json.dumps(bad), lm.Order)


class TestReadOrders:
    def test_a_page_keeps_count_and_next(self) -> None:
        """The {count, next, results} page gives orders plus its paging fields."""
        page = {"count": 2, "next": "https://api.example/orders/?page=2", "results": [ORDER]}
        parsed = lm.read_orders(page)
        assert [o.order_id for o in parsed.orders] == [501]
        assert (parsed.count, parsed.next) == (2, "https://api.example/orders/?page=2")

    def test_one_bad_order_never_hides_the_others(self) -> None:
        """A broken order is an error with its index; the good ones are still read."""
        broken = {**ORDER, "order_id": "not a number"}
        parsed = lm.read_orders([ORDER, broken, {**ORDER, "order_id": 502}])
        assert [o.order_id for o in parsed.orders] == [501, 502]
        (error,) = parsed.errors
        assert any(line.endswith("@ $[1].order_id") for line in error.errors)

    @pytest.mark.parametrize("document", ["text", 42, {"orders": []}])
    def test_a_document_that_is_not_orders_is_refused(self, document: object) -> None:
        """Neither an array nor a page: a ConversionError saying what was expected."""
        with pytest.raises(ConversionError, match="expected a JSON array"):
            lm.read_orders(document)

    def test_confirmed_keys_are_model_fields(self) -> None:
        """Every confirmed Listing Mirror key is an attribute spelled the same way."""
        for cls, keys in lm.CONFIRMED_KEYS.items():
            assert keys <= {a.name for a in attrs.fields(cls)}
