"""The ShipStation REST v1 converter: lossless, camelCase at every depth, exact numbers."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import ConversionError
from listingmirror_shipstation.testing import strategies

MODELS = sorted(
    (getattr(ss.models, name) for name in ss.models.__all__ if attrs.has(getattr(ss.models, name))),
    key=lambda c: c.__name__,
)


#: A round trip of every model costs 10-50 ms an example (an order holds nearly every other
#: model): a quarter of the profile's examples (at least 10) per model keeps the suite under three
#: minutes on a busy two-core machine; the ci and fuzz profiles scale it up with the rest.
ROUND_TRIP = settings(max_examples=max(10, settings.default.max_examples // 4))


def minimal_order(**changes: object) -> ss.Order:
    base = ss.Order(
        order_number="A-1",
        order_date=datetime(2024, 3, 10, 9, 30, tzinfo=UTC),
        order_status=ss.OrderStatus.AWAITING_SHIPMENT,
    )
    return attrs.evolve(base, **changes)


class TestRoundTrip:
    @pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
    @ROUND_TRIP
    @given(data=st.data())
    def test_every_model_survives_json_text(self, cls: type, data: st.DataObject) -> None:
        """Model -> JSON text -> model is the identity, for every ShipStation model."""
        value = data.draw(strategies.strategy_for(cls))
        text = ss.json.dumps(value)
        assert ss.json.loads(text, cls) == value

    @given(strategies.shipstation_orders)
    def test_keys_are_camel_case_at_every_depth(self, order: ss.Order) -> None:
        """No written key contains an underscore except the documented irregular ones."""

        def keys(node: object) -> set[str]:
            if isinstance(node, dict):
                return set(node) | {k for v in node.values() for k in keys(v)}
            if isinstance(node, list):
                return {k for v in node for k in keys(v)}
            return set()

        assert not {k for k in keys(json.loads(ss.json.dumps(order))) if "_" in k}


class TestWriting:
    def test_falsy_values_are_written(self) -> None:
        """False, 0, "" and empty lists are values: they are written, not dropped."""
        order = minimal_order(
            gift=False,
            amount_paid=Decimal(0),
            customer_notes="",
            items=(),
            tag_ids=(),
            advanced_options=ss.AdvancedOptions(saturday_delivery=False, merged_ids=()),
        )
        data = json.loads(ss.json.dumps(order))
        assert data["gift"] is False
        assert data["amountPaid"] == 0
        assert data["customerNotes"] == ""
        assert data["items"] == []
        assert data["tagIds"] == []
        assert data["advancedOptions"] == {"saturdayDelivery": False, "mergedIds": []}

    def test_unset_fields_are_omitted(self) -> None:
        """A field left at None is not written at all (no orderId: null on create)."""
        data = json.loads(ss.json.dumps(minimal_order()))
        assert data == {
            "orderNumber": "A-1",
            "orderDate": "2024-03-10T01:30:00.0000000",
            "orderStatus": "awaiting_shipment",
        }

    def test_money_is_an_exact_json_number(self) -> None:
        """Decimal is written digit for digit as a JSON number, never via float or a string."""
        order = minimal_order(amount_paid=Decimal("0.10"), tax_amount=Decimal("12345678901234.99"))
        text = ss.json.dumps(order)
        assert '"amountPaid":0.10' in text
        assert '"taxAmount":12345678901234.99' in text

    def test_aware_datetimes_are_converted_not_relabelled(self) -> None:
        """12:00 UTC in July is written as 05:00 Pacific (PDT), in January as 04:00 (PST)."""
        summer = minimal_order(order_date=datetime(2024, 7, 1, 12, tzinfo=UTC))
        winter = minimal_order(order_date=datetime(2024, 1, 1, 12, tzinfo=UTC))
        assert '"orderDate":"2024-07-01T05:00:00.0000000"' in ss.json.dumps(summer)
        assert '"orderDate":"2024-01-01T04:00:00.0000000"' in ss.json.dumps(winter)

    def test_naive_datetime_is_refused_when_building_a_model(self) -> None:
        """A naive datetime never gets into a model: the error names the field."""
        with pytest.raises(ValueError, match="order_date: naive datetime refused"):
            minimal_order(order_date=datetime(2024, 1, 1))  # noqa: DTZ001

    def test_naive_datetime_slipped_past_the_model_is_refused_on_write(self) -> None:
        """Even when the model check is bypassed, writing names the path in wire names."""
        order = minimal_order()
        object.__setattr__(order, "payment_date", datetime(2024, 1, 1))  # noqa: DTZ001
        with pytest.raises(ConversionError, match=r"@ \$\.paymentDate"):
            ss.json.dumps(order)

    def test_non_finite_decimal_is_refused_with_its_path(self) -> None:
        """NaN cannot be written as JSON: the error says where it is."""
        order = minimal_order(items=(ss.OrderItem(unit_price=Decimal("NaN")),))
        with pytest.raises(ConversionError, match=r"@ \$\.items\[0\]\.unitPrice"):
            ss.json.dumps(order)

    def test_unrecognized_is_written_back_as_sent(self) -> None:
        """An unknown enum spelling goes back to ShipStation exactly as it came."""
        weight = ss.Weight(value=Decimal(3), units=Unrecognized("inches"))
        assert json.loads(ss.json.dumps(weight)) == {"value": 3, "units": "inches"}

    def test_date_only_fields_are_dates(self) -> None:
        """ShipDate and holdUntilDate are written as YYYY-MM-DD."""
        order = minimal_order(hold_until_date=date(2014, 12, 1))
        assert '"holdUntilDate":"2014-12-01"' in ss.json.dumps(order)


class TestReading:
    def test_unknown_weight_unit_is_kept(self) -> None:
        """The API has returned weight units such as "inches": kept, not crashed on."""
        weight = ss.json.loads('{"value": 2, "units": "inches", "WeightUnits": 9}', ss.Weight)
        assert weight == ss.Weight(value=Decimal(2), units=Unrecognized("inches"), weight_units=9)

    def test_unknown_keys_are_tolerated_and_strict_refuses_them(self) -> None:
        """Lenient reading ignores a new key; strict (golden tests) names it."""
        text = '{"name": "Size", "value": "L", "fieldAddedLater": true}'
        assert ss.json.loads(text, ss.ItemOption) == ss.ItemOption(name="Size", value="L")
        with pytest.raises(ConversionError, match="fieldAddedLater"):
            ss.json.loads(text, ss.ItemOption, converter=ss.make_converter(strict=True))

    def test_numbers_never_pass_through_float(self) -> None:
        """0.1 + 0.2 is exactly 0.3 once read: JSON numbers become Decimal directly."""
        item = ss.json.loads('{"unitPrice": 0.1, "taxAmount": 0.2}', ss.OrderItem)
        assert item.unit_price is not None and item.tax_amount is not None
        assert item.unit_price + item.tax_amount == Decimal("0.3")

    def test_ids_beyond_32_bits(self) -> None:
        """OrderId and orderItemId outgrew 32 bits; they stay exact ints."""
        item = ss.json.loads('{"orderItemId": 9007199254740993}', ss.OrderItem)
        assert item.order_item_id == 9007199254740993

    def test_errors_name_the_wire_path_and_the_problem(self) -> None:
        """A bad value deep inside is reported with its camelCase path."""
        text = (
            '{"orderNumber": "A", "orderDate": "2024-01-01", "orderStatus": "shipped",'
            ' "items": [{"quantity": 1}, {"quantity": "two"}]}'
        )
        with pytest.raises(ConversionError) as caught:
            ss.json.loads(text, ss.Order)
        assert any("$.items[1].quantity" in line for line in caught.value.errors)

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ('{"success": "yes"}', "expected a boolean"),
            ('{"success": true, "message": {"a": 1}}', "expected a string"),
        ],
    )
    def test_values_are_not_coerced_silently(self, text: str, problem: str) -> None:
        """A "yes" is not a boolean and an object is not a string: both are refused."""
        with pytest.raises(ConversionError, match=problem):
            ss.json.loads(text, ss.OperationResult)

    def test_fractional_quantity_is_refused_not_truncated(self) -> None:
        """2.5 units is not 2 units."""
        with pytest.raises(ConversionError, match="whole number"):
            ss.json.loads('{"quantity": 2.5}', ss.OrderItem)

    def test_bad_json_text_is_a_conversion_error(self) -> None:
        """Text that is not JSON raises the library's error, not the parser's."""
        with pytest.raises(ConversionError, match="not valid JSON"):
            ss.json.loads("{orderId:", ss.Order)

    def test_wire_name_of_the_irregular_key(self) -> None:
        """Weight.weight_units is WeightUnits on the wire (capital W)."""
        assert ss.wire_name(ss.Weight, "weight_units") == "WeightUnits"
        assert ss.wire_name(ss.Order, "order_key") == "orderKey"


class TestRealWorldDocuments:
    """Issue 10: documents published by other projects survive the round trip they can."""

    ORDER = '{"orderNumber": "1", "orderDate": "2020-06-24T10:32:33.0000000", "orderStatus": '

    def test_externally_fulfilled_by_id_and_name_are_kept(self) -> None:
        """The fulfilment provider's identity is read and written back."""
        text = (
            self.ORDER + '"shipped", "externallyFulfilled": true, '
            '"externallyFulfilledById": 29, "externallyFulfilledByName": "Amazon FBA"}'
        )
        order = ss.json.loads(text, ss.Order)
        assert (order.externally_fulfilled_by_id, order.externally_fulfilled_by_name) == (
            29,
            "Amazon FBA",
        )
        written = json.loads(ss.json.dumps(order))
        assert written["externallyFulfilledById"] == 29
        assert written["externallyFulfilledByName"] == "Amazon FBA"

    def test_a_fulfillment_ship_date_keeps_its_time_of_day(self) -> None:
        """'2020-06-24T10:32:33.6870000' is an instant, written back as it came."""
        text = '{"fulfillmentId": 1, "shipDate": "2020-06-24T10:32:33.6870000"}'
        fulfillment = ss.json.loads(text, ss.Fulfillment)
        assert fulfillment.ship_date == datetime(2020, 6, 24, 17, 32, 33, 687000, tzinfo=UTC)
        assert json.loads(ss.json.dumps(fulfillment))["shipDate"] == "2020-06-24T10:32:33.6870000"
        date_only = ss.json.loads('{"fulfillmentId": 1, "shipDate": "2020-06-24"}', ss.Fulfillment)
        assert type(date_only.ship_date) is date
        assert json.loads(ss.json.dumps(date_only))["shipDate"] == "2020-06-24"

    def test_a_numeric_account_number_is_written_back_as_a_number(self) -> None:
        """'accountNumber': 297929999 stays a JSON number; a string stays a string."""
        for raw in ("297929999", '"A-297"'):
            carrier = ss.json.loads(f'{{"code": "ups", "accountNumber": {raw}}}', ss.Carrier)
            assert ss.json.dumps(carrier) == f'{{"code":"ups","accountNumber":{raw}}}'

    @pytest.mark.parametrize("value", ['"123"', '{"a": 1}'])
    def test_a_string_where_a_list_belongs_is_refused(self, value: str) -> None:
        """'tagIds': '123' is not (1, 2, 3): a ConversionError naming the field."""
        with pytest.raises(ConversionError, match=r"\$\.tagIds"):
            ss.json.loads(self.ORDER + f'"shipped", "tagIds": {value}}}', ss.Order)

    def test_an_empty_string_reads_as_an_empty_list(self) -> None:
        """As documented: '' where a list belongs is no items."""
        order = ss.json.loads(self.ORDER + '"shipped", "tagIds": ""}', ss.Order)
        assert order.tag_ids == ()
