"""The Listing Mirror converter: lenient reading, exact writing, custom statuses kept."""

import json
import logging
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.cli import main
from listingmirror_shipstation.errors import ConfigurationError, ConversionError
from listingmirror_shipstation.testing import json_response, strategies
from listingmirror_shipstation.transports import MockTransport

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


class TestAliases:
    """Issue 10: Listing Mirror's real key names mapped onto the model without forking."""

    ALIASES = {  # noqa: RUF012 - a test constant
        lm.Order: {"purchase_date": "order_datetime", "amazon_order_id": "market_order_id"},
        lm.OrderItem: {"qty": "quantity"},
    }
    RAW = {  # noqa: RUF012 - a test constant
        "order_id": 7,
        "amazon_order_id": "111-1",
        "order_status": "Paid",
        "purchase_date": "2026-11-20T10:00:00Z",
        "order_items": [{"sku": "A", "qty": 2, "price": "3.00"}],
    }

    def test_aliased_keys_are_read_into_the_fields(self) -> None:
        """An alias table given to make_converter reads LM's key names, nested models too."""
        converter = lm.make_converter(aliases=self.ALIASES)
        order = lm.loads(json.dumps(self.RAW), lm.Order, converter=converter)
        assert order.market_order_id == "111-1"
        assert order.order_datetime == datetime(2026, 11, 20, 10, tzinfo=UTC)
        assert order.order_items[0].quantity == 2

    def test_fast_and_strict_converters_take_aliases_too(self) -> None:
        """detailed=False and strict=True: the aliased key is not an unknown key."""
        for converter in (
            lm.make_converter(aliases=self.ALIASES, detailed=False),
            lm.make_converter(aliases=self.ALIASES, strict=True),
        ):
            assert lm.loads(json.dumps(self.RAW), lm.Order, converter=converter).order_id == 7

    def test_aliased_fields_are_written_under_the_alias(self) -> None:
        """Writing uses Listing Mirror's names, so a round trip is the identity."""
        converter = lm.make_converter(aliases=self.ALIASES)
        order = lm.loads(json.dumps(self.RAW), lm.Order, converter=converter)
        written = json.loads(lm.dumps(order, converter=converter))
        assert written["purchase_date"] == "2026-11-20T10:00:00Z"
        assert "order_datetime" not in written
        assert lm.loads(json.dumps(written), lm.Order, converter=converter) == order

    def test_an_alias_to_no_field_is_a_configuration_error(self) -> None:
        """A typo in the table fails when the converter is built, naming the field."""
        with pytest.raises(ConfigurationError, match="order_date"):
            lm.make_converter(aliases={lm.Order: {"purchase_date": "order_date"}})

    def test_the_client_reads_with_the_aliases(self) -> None:
        """ListingMirrorClient(converter=make_converter(aliases=...)) reads LM's real keys."""
        transport = MockTransport(
            lambda request: json_response({"count": 1, "next": None, "results": [self.RAW]})
        )
        client = lm.ListingMirrorClient(
            "token",
            transport=transport,
            converter=lm.make_converter(aliases=self.ALIASES, detailed=False),
        )
        (order,) = client.orders.iter_all()
        assert order.market_order_id == "111-1"


class TestKeyReport:
    def test_ignored_and_missing_keys_are_reported_at_every_depth(self) -> None:
        """Keys the models ignore, with counts; fields that never came, per model seen."""
        page = {
            "count": 2,
            "next": None,
            "results": [
                {**TestAliases.RAW, "channel": "amazon"},
                {"order_id": 8, "channel": "ebay", "ship_to": {"zip": "1", "city": "X"}},
            ],
        }
        report = lm.key_report(page)
        assert report.ignored == {
            "Address.zip": 1,
            "Order.amazon_order_id": 1,
            "Order.channel": 2,
            "Order.purchase_date": 1,
            "OrderItem.qty": 1,
        }
        assert "Order.market_order_id" in report.missing
        assert "Order.order_items" not in report.missing
        assert "OrderItem.quantity" in report.missing
        assert "Address.city" not in report.missing
        assert "Discount.amount" not in report.missing  # no discount was seen at all
        assert report.objects == {"Order": 2, "OrderItem": 1, "Address": 1}

    def test_aliased_keys_count_as_read(self) -> None:
        """With the alias table, LM's names are neither ignored nor missing."""
        report = lm.key_report([TestAliases.RAW], aliases=TestAliases.ALIASES)
        assert report.ignored == {}
        assert "Order.order_datetime" not in report.missing
        assert "OrderItem.quantity" not in report.missing

    def test_the_client_logs_the_report_at_debug(self, caplog: pytest.LogCaptureFixture) -> None:
        """Every page the client reads is compared with the models, at DEBUG, with aliases."""
        raw = {**TestAliases.RAW, "channel": "amazon"}
        transport = MockTransport(
            lambda request: json_response({"count": 1, "next": None, "results": [raw]})
        )
        client = lm.ListingMirrorClient(
            "token",
            transport=transport,
            converter=lm.make_converter(aliases={lm.OrderItem: {"qty": "quantity"}}),
        )
        with caplog.at_level(logging.DEBUG, logger="listingmirror_shipstation.listingmirror"):
            list(client.orders.iter_all())
        (record,) = [r for r in caplog.records if "Listing Mirror keys" in r.getMessage()]
        assert "ignored: Order.channel (1)" in record.getMessage()
        assert "OrderItem.qty" not in record.getMessage()

    def test_the_keys_command_prints_the_report(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`keys FILE --alias Model.key=field` reads a saved response and prints the report."""
        path = tmp_path / "response.json"
        path.write_text(json.dumps({"results": [TestAliases.RAW]}), encoding="utf-8")
        assert main(["keys", str(path), "--alias", "OrderItem.qty=quantity"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert "ignored: Order.purchase_date (1)" in out
        assert "ignored: OrderItem.qty (1)" not in out
        assert "missing: Order.market_order_id" in out
        assert main(["keys", str(path), "--alias", "nonsense"]) == 2
