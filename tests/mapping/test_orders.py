"""Listing Mirror order -> ShipStation order: every row of the integration table."""

import logging
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation._time import PACIFIC
from listingmirror_shipstation.errors import (
    ExcludedFulfillmentError,
    IntegrationNotSelectedError,
    InvalidOrderError,
    MissingShippingAddressError,
    UnmappedStatusError,
)
from listingmirror_shipstation.mapping import (
    MappingOptions,
    StatusMap,
    convert_orders,
    order_id_from_key,
    order_key,
    to_shipstation_order,
)
from listingmirror_shipstation.testing import strategies

eligible = strategies.eligible_listingmirror_orders

ADDRESS = lm.Address(
    name="Zoë Ångström", street1="1 Main St", city="Zürich", postal_code="8001", country="CH"
)
ORDER = lm.Order(
    order_id=1001,
    market_order_id="112-1234567-7654321",
    alternate_market_order_id="ALT-1",
    order_datetime=datetime(2026, 11, 20, 15, tzinfo=UTC),
    order_status=lm.OrderStatus.PAID,
    integration_config_id=12,
    integration_name="Amazon US",
    marketplace="Amazon",
    fulfillment_channel=lm.FulfillmentChannel.MERCHANT,
    buyer_name="Zoë Ångström",
    buyer_email="zoe@example.com",
    buyer_phone="+41 44 000 00 00",
    ship_to=ADDRESS,
    order_items=(lm.OrderItem(sku="MUG", quantity=3, price=Decimal("10.00")),),
)


def _total(order: lm.Order) -> Decimal:
    """What the buyer pays by Listing Mirror's numbers (price is a line total)."""
    total = Decimal(0)
    for item in order.order_items:
        total += item.price - abs(item.item_discount or 0) + (item.gift_warp_price or 0)
        total += (item.shipping_price or 0) - abs(item.shipping_discount or 0)
        total += (item.tax or 0) + (item.shipping_tax or 0) + (item.gift_warp_tax or 0)
    return total - sum((abs(d.amount) for d in order.discounts), Decimal(0))


class TestProperties:
    @given(eligible)
    def test_custom_fields_land_as_the_table_says(self, order: lm.Order) -> None:
        """Custom field 1 = marketplace id, 2 = channel integration, 3 = alternate id."""
        advanced = to_shipstation_order(order).advanced_options
        assert advanced is not None
        assert advanced.custom_field1 == order.market_order_id
        expected2 = (
            order.integration_name
            if (order.integration_name or "").strip()
            else (None if order.integration_config_id is None else str(order.integration_config_id))
        )
        assert advanced.custom_field2 == expected2
        assert advanced.custom_field3 == order.alternate_market_order_id

    @given(eligible, st.sampled_from([lm.FulfillmentChannel.FBA, lm.FulfillmentChannel.MCF]))
    def test_fba_and_mcf_never_pass_the_default_filter(
        self, order: lm.Order, channel: lm.FulfillmentChannel
    ) -> None:
        """An FBA or MCF order is a filtered rejection, never a ShipStation order."""
        result = convert_orders([attrs.evolve(order, fulfillment_channel=channel)])
        assert result.orders == ()
        (rejection,) = result.rejected
        assert isinstance(rejection.error, ExcludedFulfillmentError)
        assert rejection.filtered

    @given(st.lists(strategies.listingmirror_orders, max_size=4))
    def test_no_order_without_a_shipping_address_is_ever_produced(
        self, orders: list[lm.Order]
    ) -> None:
        """Whatever comes in, every order that goes out has street, city and country."""
        result = convert_orders(orders)
        for out in result.orders:
            assert out.ship_to is not None
            for part in (out.ship_to.street1, out.ship_to.city, out.ship_to.country):
                assert (part or "").strip()
        for rejection in result.rejected:
            if rejection.order.ship_to is None:
                assert rejection.reason in {
                    "missing_shipping_address",
                    "excluded_fulfillment_channel",
                }

    @given(st.lists(strategies.listingmirror_orders, max_size=5))
    def test_nothing_is_dropped(self, orders: list[lm.Order]) -> None:
        """Every input order is either converted or rejected with a reason, in input order."""
        result = convert_orders(orders)
        converted = [order_id_from_key(o.order_key) for o in result.orders]
        rejected = [r.order.order_id for r in result.rejected]
        assert len(converted) + len(rejected) == len(orders)
        assert sorted(converted + rejected) == sorted(o.order_id for o in orders)  # type: ignore[type-var]

    @given(eligible)
    def test_line_totals_add_up_within_the_documented_rounding(self, order: lm.Order) -> None:
        """Sum of lines + shipping + tax equals Listing Mirror's total within qty x 0.005.

        A total below zero (discounts larger than the order) is cut to 0.00.
        """
        out = to_shipstation_order(order)
        assert out.items is not None
        lines = sum(
            ((i.unit_price or Decimal(0)) * (i.quantity or 0) for i in out.items), Decimal(0)
        )
        total = lines + (out.shipping_amount or 0) + (out.tax_amount or 0)
        bound = sum((i.quantity for i in order.order_items), 0) * Decimal("0.005")
        assert abs(total - max(_total(order), Decimal(0))) <= bound
        assert out.amount_paid == total

    @given(eligible)
    def test_every_sku_and_quantity_survives(self, order: lm.Order) -> None:
        """The physical lines are the Listing Mirror lines, in order, SKU and quantity intact."""
        out = to_shipstation_order(order)
        physical = [
            (i.sku, i.quantity)
            for i in out.items or ()
            if not i.adjustment and not (i.line_item_key or "").endswith("-gift-wrap")
        ]
        assert physical == [(i.sku, i.quantity) for i in order.order_items]

    @given(eligible)
    def test_output_is_valid_to_send_and_serialisable(self, order: lm.Order) -> None:
        """What the mapping produces passes the create checks and survives JSON.

        (Except an order date in the repeated hour of the November fall-back night, which
        ShipStation's offset-less Pacific format cannot tell apart: pinned in test_time.)
        """
        out = to_shipstation_order(order)
        ss.validate_order_for_create(out)
        assume(out.order_date.astimezone(PACIFIC).fold == 0)
        assert ss.json.loads(ss.json.dumps(out), ss.Order) == out

    @given(eligible, eligible)
    def test_order_key_is_stable_and_distinct(self, a: lm.Order, b: lm.Order) -> None:
        """Same Listing Mirror order id -> same key (re-sends update); different id -> different."""
        key_a = to_shipstation_order(a).order_key
        assert key_a == to_shipstation_order(attrs.evolve(a, order_items=b.order_items)).order_key
        assert (key_a == to_shipstation_order(b).order_key) == (a.order_id == b.order_id)
        assert order_id_from_key(key_a) == a.order_id

    @given(eligible)
    def test_status_follows_the_map(self, order: lm.Order) -> None:
        """The ShipStation status is the status map's answer."""
        assert to_shipstation_order(order).order_status is StatusMap().to_shipstation(
            order.order_status
        )

    @given(eligible, st.sets(st.integers(0, 50), max_size=3))
    def test_only_chosen_integrations_pass(self, order: lm.Order, chosen: set[int]) -> None:
        """With integrations chosen, an order passes exactly when its integration is one."""
        options = MappingOptions(integrations=chosen)
        result = convert_orders([order], options)
        if order.integration_config_id in chosen:
            assert len(result.orders) == 1
        else:
            assert isinstance(result.rejected[0].error, IntegrationNotSelectedError)


class TestRules:
    def test_identity_fields(self) -> None:
        """Order number = marketplace id; key from LM's id; date kept; customer imported."""
        out = to_shipstation_order(ORDER)
        assert out.order_number == "112-1234567-7654321"
        assert out.order_key == "lm-1001"
        assert out.order_date == ORDER.order_datetime
        assert out.order_status is ss.OrderStatus.AWAITING_SHIPMENT
        assert out.customer_email == "zoe@example.com"
        assert out.ship_to is not None
        assert out.ship_to.phone == "+41 44 000 00 00"
        assert out.bill_to == ss.Address(name="Zoë Ångström", phone="+41 44 000 00 00")

    def test_line_total_becomes_a_rounded_unit_price(self) -> None:
        """10.00 for 3 units is 3.34 each (up to cents) and a -0.02 rounding line."""
        out = to_shipstation_order(ORDER)
        assert out.items is not None
        assert out.items[0].unit_price == Decimal("3.34")
        assert (out.items[-1].line_item_key, out.items[-1].unit_price) == (
            "rounding",
            Decimal("-0.02"),
        )
        assert out.items[-1].adjustment is True

    def test_unit_prices_when_configured(self) -> None:
        """With price_is_line_total=False the price is taken as the unit price."""
        out = to_shipstation_order(ORDER, MappingOptions(price_is_line_total=False))
        assert out.items is not None
        assert out.items[0].unit_price == Decimal("10.00")

    def test_discounts_and_coupons_become_adjustment_lines(self) -> None:
        """Coupon: negative unit price, adjustment=True, the code visible in SKU and name."""
        order = attrs.evolve(
            ORDER,
            order_items=(
                lm.OrderItem(sku="MUG", quantity=1, price=Decimal(20), item_discount=Decimal(2)),
            ),
            discounts=(lm.Discount(amount=Decimal("5.00"), code="FALL5", description="Fall"),),
        )
        out = to_shipstation_order(order)
        assert out.items is not None
        adjustments = [i for i in out.items if i.adjustment]
        assert [(i.sku, i.name, i.unit_price, i.quantity) for i in adjustments] == [
            (None, "Discount: MUG", Decimal(-2), 1),
            ("FALL5", "Coupon FALL5: Fall", Decimal("-5.00"), 1),
        ]

    def test_gift_is_read_from_the_flag_or_the_message(self) -> None:
        """A gift message makes the order a gift even without the flag."""
        assert to_shipstation_order(attrs.evolve(ORDER, gift_message="Happy birthday!")).gift
        assert to_shipstation_order(attrs.evolve(ORDER, is_gift=True)).gift
        assert to_shipstation_order(ORDER).gift is False
        assert to_shipstation_order(attrs.evolve(ORDER, gift_message="  ")).gift is False

    def test_checkout_fields_are_imported(self) -> None:
        """Shipping method, payment method, internal and customer notes pass through."""
        order = attrs.evolve(
            ORDER,
            requested_shipping_method="Expedited",
            payment_method="PayPal",
            internal_notes="VIP",
            customer_notes="Leave at door",
        )
        out = to_shipstation_order(order)
        assert (
            out.requested_shipping_service,
            out.payment_method,
            out.internal_notes,
            out.customer_notes,
        ) == ("Expedited", "PayPal", "VIP", "Leave at door")

    def test_item_details_are_imported(self) -> None:
        """Weight, image URL, options, stock location, UPC and line id per item."""
        item = lm.OrderItem(
            sku="TEE",
            quantity=1,
            price=Decimal(15),
            line_item_id="L7",
            title="T-shirt",
            weight=Decimal("0.25"),
            weight_unit=lm.WeightUnit.KILOGRAM,
            image_url="https://img.example/tee.png",
            options=(lm.ItemOption(name="Size", value="M"),),
            stock_location="A-3",
            upc="012345678905",
        )
        out = to_shipstation_order(attrs.evolve(ORDER, order_items=(item,)))
        assert out.items is not None
        (line,) = out.items
        assert line == ss.OrderItem(
            line_item_key="L7",
            sku="TEE",
            name="T-shirt",
            image_url="https://img.example/tee.png",
            weight=ss.Weight(value=Decimal("250.00"), units=ss.WeightUnit.GRAMS),
            quantity=1,
            unit_price=Decimal("15.00"),
            warehouse_location="A-3",
            options=(ss.ItemOption(name="Size", value="M"),),
            adjustment=False,
            upc="012345678905",
        )

    def test_total_weight_from_the_order_or_the_lines(self) -> None:
        """The order's weight, else the sum over lines in the first line's unit."""
        given_weight = attrs.evolve(ORDER, total_weight=Decimal(2), weight_unit=lm.WeightUnit.POUND)
        assert to_shipstation_order(given_weight).weight == ss.Weight(
            value=Decimal(2), units=ss.WeightUnit.POUNDS
        )
        lines = attrs.evolve(
            ORDER,
            order_items=(
                lm.OrderItem(
                    sku="A",
                    quantity=2,
                    price=Decimal(1),
                    weight=Decimal(1),
                    weight_unit=lm.WeightUnit.POUND,
                ),
                lm.OrderItem(
                    sku="B",
                    quantity=1,
                    price=Decimal(1),
                    weight=Decimal(8),
                    weight_unit=lm.WeightUnit.OUNCE,
                ),
            ),
        )
        assert to_shipstation_order(lines).weight == ss.Weight(
            value=Decimal("2.5"), units=ss.WeightUnit.POUNDS
        )

    def test_unknown_weight_unit_is_reported_not_guessed(self) -> None:
        """A weight in an unknown unit is left out and a warning says so."""
        item = lm.OrderItem(
            sku="A", quantity=1, price=Decimal(1), weight=Decimal(1), weight_unit=Unrecognized("st")
        )
        result = convert_orders([attrs.evolve(ORDER, order_items=(item,))])
        (out,) = result.orders
        assert out.items is not None and out.items[0].weight is None
        assert [w.code for w in result.warnings] == ["unknown_weight_unit"]

    def test_unmapped_status_goes_on_hold_and_is_reported(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A custom status nobody declared: on hold, a warning returned and logged."""
        order = attrs.evolve(ORDER, order_status=Unrecognized("Awaiting Engraving"))
        with caplog.at_level(logging.WARNING):
            result = convert_orders([order])
        assert result.orders[0].order_status is ss.OrderStatus.ON_HOLD
        assert [w.code for w in result.warnings] == ["unmapped_status"]
        assert "Awaiting Engraving" in caplog.text

    def test_strict_statuses_reject_only_that_order(self) -> None:
        """Strict mode turns an unmapped status into a rejection; the rest of the batch goes."""
        options = MappingOptions(statuses=StatusMap(strict=True))
        odd = attrs.evolve(ORDER, order_id=2, order_status=Unrecognized("Frozen"))
        result = convert_orders([ORDER, odd], options)
        assert [o.order_key for o in result.orders] == ["lm-1001"]
        assert isinstance(result.rejected[0].error, UnmappedStatusError)
        assert result.errors == result.rejected

    @pytest.mark.parametrize(
        ("ship_to", "missing"),
        [
            (None, "has no shipping address"),
            (attrs.evolve(ADDRESS, street1=" "), "lacks street1"),
            (attrs.evolve(ADDRESS, city=None, country=""), "lacks city, country"),
        ],
    )
    def test_missing_shipping_address_is_rejected_by_name(
        self, ship_to: lm.Address | None, missing: str
    ) -> None:
        """The error names the order and what is missing."""
        with pytest.raises(MissingShippingAddressError, match=f"order 1001: .*{missing}"):
            to_shipstation_order(attrs.evolve(ORDER, ship_to=ship_to))

    def test_fba_can_be_allowed(self) -> None:
        """The FBA/MCF filter is an option: an empty exclusion set lets them through."""
        fba = attrs.evolve(ORDER, fulfillment_channel=lm.FulfillmentChannel.FBA)
        assert convert_orders([fba]).orders == ()
        assert len(convert_orders([fba], MappingOptions(excluded_fulfillment=())).orders) == 1

    @pytest.mark.parametrize("number", ["", "x" * 51])
    def test_order_number_is_never_cut(self, number: str) -> None:
        """A marketplace id that cannot be an order number is an error, not truncated."""
        with pytest.raises(InvalidOrderError, match="market_order_id"):
            to_shipstation_order(attrs.evolve(ORDER, market_order_id=number))

    def test_quantity_below_one_is_an_error(self) -> None:
        """A line with quantity 0 names its path."""
        order = attrs.evolve(
            ORDER, order_items=(lm.OrderItem(sku="A", quantity=0, price=Decimal(1)),)
        )
        with pytest.raises(InvalidOrderError, match=r"order_items\[0\]\.quantity"):
            to_shipstation_order(order)

    def test_store_and_key_prefix_options(self) -> None:
        """store_id goes to advancedOptions; the key prefix is configurable."""
        out = to_shipstation_order(ORDER, MappingOptions(store_id=77, order_key_prefix="acme-"))
        assert out.advanced_options is not None
        assert out.advanced_options.store_id == 77
        assert out.order_key == "acme-1001"
        assert order_id_from_key(out.order_key, "acme-") == 1001

    @pytest.mark.parametrize("key", [None, "woo-1", "lm-", "lm-12a", "lm-١٢"])
    def test_foreign_keys_give_no_order_id(self, key: str | None) -> None:
        """Keys not made by order_key() are recognised as foreign."""
        assert order_id_from_key(key) is None

    def test_order_key_round_trip(self) -> None:
        """order_id_from_key inverts order_key."""
        assert order_id_from_key(order_key(42)) == 42
