"""Converters the user owns: their hooks apply on every path, errors name the wire keys."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import ConversionError
from listingmirror_shipstation.sync import fingerprint

ORDER_JSON = (
    '{"orderNumber": "A-1", "orderDate": "2026-03-10T09:30:00", '
    '"orderStatus": "awaiting_shipment", "weight": {"value": 12, "units": "ounces"}, '
    '"items": [{"sku": "MUG", "quantity": "%s", "unitPrice": 4.5}]}'
)


def _no_weights(value: Any, _: type) -> ss.Weight:
    raise ValueError("this merchant sends no weights")


class TestUserHooksOnEveryPath:
    @pytest.mark.parametrize("detailed", [False, True])
    def test_a_refusing_user_hook_is_not_undone_by_the_explanation(self, detailed: bool) -> None:
        """A hook the user registered refuses the input: the read fails, with its message.

        The fast converter re-reads refused input to explain it; that re-read must use the
        user's hook too, or it would accept what the user's hook refused and return a model.
        """
        converter = ss.make_converter(detailed=detailed)
        converter.register_structure_hook(ss.Weight, _no_weights)
        with pytest.raises(ConversionError) as caught:
            ss.loads(ORDER_JSON % 2, ss.Order, converter=converter)
        assert any("this merchant sends no weights" in line for line in caught.value.errors)
        assert any("@ $.weight" in line for line in caught.value.errors)

    def test_a_user_hook_applies_when_other_input_is_refused_and_explained(self) -> None:
        """Input refused for another field is explained with the user's hooks in force.

        The user's hook reads ``"2 pcs"`` as a quantity; another field is wrong, and the
        explanation names only that field, not the quantity the user's hook accepts.
        """
        converter = ss.make_converter(detailed=False)

        def pieces(value: Any, _: type) -> int:
            return int(str(value).removesuffix(" pcs"))

        converter.register_structure_hook(int, pieces)
        assert ss.loads(ORDER_JSON % "2 pcs", ss.Order, converter=converter).items[0].quantity == 2
        bad = (ORDER_JSON % "2 pcs").replace('"unitPrice": 4.5', '"unitPrice": "lots"')
        with pytest.raises(ConversionError) as caught:
            ss.loads(bad, ss.Order, converter=converter)
        assert [line.rpartition(" @ ")[2] for line in caught.value.errors] == [
            "$.items[0].unitPrice"
        ]

    def test_a_hook_registered_after_a_refusal_is_used_by_the_next_explanation(self) -> None:
        """The explaining copy is made again after the user registers another hook."""
        converter = ss.make_converter(detailed=False)
        with pytest.raises(ConversionError):
            ss.loads(ORDER_JSON % "x", ss.Order, converter=converter)
        converter.register_structure_hook(ss.Weight, _no_weights)
        with pytest.raises(ConversionError, match="this merchant sends no weights"):
            ss.loads(ORDER_JSON % 2, ss.Order, converter=converter)

    def test_listing_mirror_orders_are_explained_with_the_users_hooks(self) -> None:
        """read_orders with a fast converter: a user's refusing hook makes the order unreadable."""
        converter = lm.make_converter(detailed=False)

        def no_po_boxes(value: Any, _: type) -> lm.Address:
            raise ValueError("no PO boxes")

        converter.register_structure_hook(lm.Address, no_po_boxes)
        document = [
            {
                "order_id": 1,
                "market_order_id": "A",
                "order_status": "Paid",
                "ship_to": {"street1": "PO Box 1"},
            }
        ]
        parsed = converter.read_orders(document)
        assert parsed.orders == ()
        (error,) = parsed.errors
        assert any("no PO boxes" in line and "@ $[0].ship_to" in line for line in error.errors)

    def test_the_converter_owns_its_loads_and_dumps(self) -> None:
        """The preconf pattern: converter.loads/dumps use that converter's own hooks."""
        converter = ss.make_converter()
        converter.register_unstructure_hook(Decimal, str)
        order = converter.loads(ORDER_JSON % 2, ss.Order)
        assert '"unitPrice":"4.5"' in converter.dumps(order)
        assert '"unitPrice":4.5' in ss.dumps(order)


class TestFingerprint:
    def test_fingerprint_uses_the_callers_converter(self) -> None:
        """fingerprint(converter=...) digests what that converter would send."""
        order = ss.Order(
            order_number="A-1",
            order_date=datetime(2026, 3, 10, 9, 30, tzinfo=UTC),
            order_status=ss.OrderStatus.AWAITING_SHIPMENT,
            amount_paid=Decimal("4.50"),
        )
        mine = ss.make_converter()
        mine.register_unstructure_hook(Decimal, str)
        assert fingerprint(order, converter=mine) != fingerprint(order)
        assert fingerprint(order, converter=ss.make_converter()) == fingerprint(order)


class TestWireNamesInErrors:
    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("WebHookID", '"x"'),
            ("IsLabelAPIHook", '"maybe"'),
            ("StoreID", "[1]"),
            ("SellerID", '"seller"'),
        ],
    )
    def test_irregular_keys_are_named_as_on_the_wire(self, key: str, value: str) -> None:
        """An error in a webhook names the key ShipStation sent (``WebHookID``), not camelCase."""
        text = '{"webhooks": [{"WebHookID": 1, "%s": %s}]}' % (key, value)  # noqa: UP031
        with pytest.raises(ConversionError) as caught:
            ss.loads(text, ss.WebhooksList)
        assert [line.rpartition(" @ ")[2] for line in caught.value.errors] == [
            f"$.webhooks[0].{key}"
        ]

    def test_a_name_is_translated_by_its_own_class(self) -> None:
        """``weight_units`` is ``WeightUnits`` only in Weight; camelCase elsewhere."""
        text = (
            '{"orderNumber": "1", "orderDate": "2026-03-10T09:30:00", "orderStatus": "shipped",'
            ' "items": [{"quantity": 1.5,'
            ' "weight": {"value": 1, "units": "ounces", "WeightUnits": "x"}}]}'
        )
        with pytest.raises(ConversionError) as caught:
            ss.loads(text, ss.Order)
        assert sorted(line.rpartition(" @ ")[2] for line in caught.value.errors) == [
            "$.items[0].quantity",
            "$.items[0].weight.WeightUnits",
        ]
        written = ss.Order(
            order_number="1",
            order_date=datetime(2026, 3, 10, 9, 30, tzinfo=UTC),
            order_status=ss.OrderStatus.AWAITING_SHIPMENT,
            weight=ss.Weight(value=Decimal(1), units=ss.WeightUnit.OUNCES),
        )
        object.__setattr__(written.weight, "value", Decimal("NaN"))  # slipped past the model
        with pytest.raises(ConversionError) as caught:
            ss.dumps(written)
        assert caught.value.errors[0].endswith("@ $.weight.value")


class TestExplainerCopy:
    def test_hooks_registered_for_a_union_reach_the_explaining_copy(self) -> None:
        """``str | int | None`` hooks (kept apart by cattrs) work when a refusal is explained.

        ``Carrier.account_number`` is read by such a hook; another field's error must be
        explained, not turned into "unsupported type".
        """
        with pytest.raises(ConversionError) as caught:
            ss.loads('{"code": "ups", "accountNumber": 12, "balance": "lots"}', ss.Carrier)
        assert [line.rpartition(" @ ")[2] for line in caught.value.errors] == ["$.balance"]
