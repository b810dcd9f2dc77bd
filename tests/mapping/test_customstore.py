"""Listing Mirror <-> Custom Store: the REST rules in the XML protocol's shape."""

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.errors import InvalidOrderError, MissingShippingAddressError
from listingmirror_shipstation.mapping import (
    StatusMap,
    convert_customstore_orders,
    ship_notice_key,
    ship_notice_to_update,
    to_customstore_order,
    to_shipstation_order,
)
from listingmirror_shipstation.testing import strategies

from .test_orders import ORDER

TABLE_NAMES = {"Unpaid", "Paid", "Shipped", "Cancelled", "Wait"}


class TestOrders:
    @given(strategies.eligible_listingmirror_orders)
    def test_same_rules_as_rest(self, order: lm.Order) -> None:
        """Custom fields, totals, lines and weights equal the REST mapping's."""
        rest = to_shipstation_order(order)
        xml = to_customstore_order(order)
        assert rest.advanced_options is not None
        assert (xml.custom_field1, xml.custom_field2, xml.custom_field3) == (
            rest.advanced_options.custom_field1,
            rest.advanced_options.custom_field2,
            rest.advanced_options.custom_field3,
        )
        assert xml.order_number == rest.order_number
        assert xml.order_total == rest.amount_paid
        assert [(i.sku, i.quantity, i.unit_price, i.adjustment) for i in xml.items] == [
            (i.sku, i.quantity, i.unit_price, i.adjustment) for i in rest.items or ()
        ]

    @given(strategies.listingmirror_orders)
    def test_status_text_is_always_one_of_the_five(self, order: lm.Order) -> None:
        """Whatever the status, <OrderStatus> is a name typed into ShipStation's five fields."""
        result = convert_customstore_orders([order])
        for out in result.orders:
            assert out.order_status in TABLE_NAMES

    @given(strategies.eligible_listingmirror_orders)
    def test_every_converted_order_can_be_written(self, order: lm.Order) -> None:
        """Converted orders always pass the export's checks; others are rejected by name."""
        result = convert_customstore_orders([order])
        for converted in result.orders:
            cs.validate_order(converted)
        for rejection in result.rejected:  # e.g. an order number made of control characters
            assert isinstance(rejection.error, InvalidOrderError)
            assert rejection.error.field == "order_number"

    def test_an_order_with_no_name_at_all_is_rejected(self) -> None:
        """The protocol requires a recipient name: none anywhere is an InvalidOrderError."""
        nameless = attrs.evolve(
            ORDER, buyer_name=None, ship_to=attrs.evolve(ORDER.ship_to, name=None)
        )
        with pytest.raises(InvalidOrderError, match=r"ship_to\.name"):
            to_customstore_order(nameless)
        company = attrs.evolve(
            nameless, ship_to=attrs.evolve(ORDER.ship_to, name=None, company="ACME")
        )
        assert to_customstore_order(company).customer.ship_to.name == "ACME"  # type: ignore[union-attr]

    def test_status_names_follow_the_map(self) -> None:
        """Accepted is exported as Paid; a declared custom status too; unknown ones as Wait."""
        statuses = StatusMap()
        assert (
            to_customstore_order(
                attrs.evolve(ORDER, order_status=lm.OrderStatus.ACCEPTED)
            ).order_status
            == "Paid"
        )
        assert (
            to_customstore_order(
                attrs.evolve(ORDER, order_status=Unrecognized("Engraving"))
            ).order_status
            == "Wait"
        )
        assert statuses.to_listingmirror(statuses.fallback) is lm.OrderStatus.WAIT

    def test_fields_of_the_export(self) -> None:
        """OrderID is LM's id; last modified falls back to the order date; email on BillTo."""
        xml = to_customstore_order(ORDER)
        assert xml.order_id == "1001"
        assert xml.last_modified == ORDER.order_datetime
        assert xml.customer.customer_code == "zoe@example.com"
        assert xml.customer.bill_to is not None
        assert xml.customer.bill_to.email == "zoe@example.com"
        assert xml.shipping_amount == Decimal(0)

    def test_html_entities_are_decoded(self) -> None:
        """&amp; and &pound; in notes and option values would show literally on slips."""
        item = lm.OrderItem(
            sku="A",
            quantity=1,
            price=Decimal(1),
            title="Fish &amp; Chips",
            options=(lm.ItemOption(name="Size", value="&pound;5 &lt;small&gt;"),),
        )
        order = attrs.evolve(ORDER, customer_notes="Tom &amp; Jerry", order_items=(item,))
        xml = to_customstore_order(order)
        assert xml.customer_notes == "Tom & Jerry"
        assert xml.items[0].name == "Fish & Chips"
        assert xml.items[0].options[0].value == "£5 <small>"

    def test_kilograms_become_grams(self) -> None:
        """Weights go out in Pounds, Ounces or Grams only."""
        item = lm.OrderItem(
            sku="A",
            quantity=1,
            price=Decimal(1),
            weight=Decimal("1.2"),
            weight_unit=lm.WeightUnit.KILOGRAM,
        )
        xml = to_customstore_order(attrs.evolve(ORDER, order_items=(item,)))
        assert (xml.items[0].weight, xml.items[0].weight_units) == (
            Decimal("1200.0"),
            cs.WeightUnits.GRAMS,
        )

    def test_filters_and_address_rule_apply(self) -> None:
        """FBA is filtered and an address-less order rejected, exactly as for REST."""
        fba = attrs.evolve(ORDER, order_id=2, fulfillment_channel=lm.FulfillmentChannel.FBA)
        lost = attrs.evolve(ORDER, order_id=3, ship_to=None)
        result = convert_customstore_orders([ORDER, fba, lost])
        assert [o.order_id for o in result.orders] == ["1001"]
        assert [r.reason for r in result.rejected] == [
            "excluded_fulfillment_channel",
            "missing_shipping_address",
        ]
        with pytest.raises(MissingShippingAddressError):
            to_customstore_order(lost)


NOTICE = cs.ShipNotice(
    order_id="1001",
    order_number="112-1234567-7654321",
    tracking_number="9400",
    carrier="USPS",
    service="Priority Mail",
    ship_date=date(2026, 11, 28),
    shipping_cost=Decimal("7.80"),
    notes_to_customer="Thanks!",
    items=(cs.ShipNoticeItem(sku="MUG", quantity=2, line_item_id="L1"),),
)


class TestShipNotices:
    def test_update_carries_what_goes_back(self) -> None:
        """Status, tracking, carrier, service, ship date, items by line id and SKU."""
        update = ship_notice_to_update(NOTICE)
        assert update == lm.ShipmentUpdate(
            order_id=1001,
            market_order_id="112-1234567-7654321",
            status=lm.OrderStatus.SHIPPED,
            tracking_number="9400",
            carrier="USPS",
            service="Priority Mail",
            ship_date=date(2026, 11, 28),
            items=(lm.ShippedItem(quantity=2, sku="MUG", line_item_id="L1"),),
            shipment_id=ship_notice_key(NOTICE),
        )

    @given(strategies.customstore_ship_notices, st.decimals(allow_nan=False, allow_infinity=False))
    def test_cost_and_notes_never_go_back(self, notice: cs.ShipNotice, cost: Decimal) -> None:
        """The update ignores the shipping cost and the notes to the customer."""
        changed = attrs.evolve(notice, shipping_cost=cost, notes_to_customer="other note")
        assert ship_notice_to_update(changed) == ship_notice_to_update(notice)

    def test_no_items_means_the_whole_order(self) -> None:
        """A notice without items ships every line."""
        assert ship_notice_to_update(attrs.evolve(NOTICE, items=())).items == ()

    @given(strategies.customstore_ship_notices)
    def test_key_is_stable_and_tells_shipments_apart(self, notice: cs.ShipNotice) -> None:
        """The same notice gives the same key; another tracking number another key."""
        assert ship_notice_key(notice) == ship_notice_key(attrs.evolve(notice))
        other = attrs.evolve(notice, tracking_number=(notice.tracking_number or "") + "x")
        assert ship_notice_key(other) != ship_notice_key(notice)

    def test_label_date_stands_in_for_a_missing_ship_date(self) -> None:
        """Without ShipDate the label's date is used."""
        notice = attrs.evolve(
            NOTICE, ship_date=None, label_create_date=datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
        )
        assert ship_notice_to_update(notice).ship_date == date(2026, 11, 27)

    @pytest.mark.parametrize("order_id", [None, "abc", "١٢"])
    def test_foreign_order_ids_give_no_listingmirror_id(self, order_id: str | None) -> None:
        """Only ASCII digits are read as Listing Mirror's order id."""
        assert ship_notice_to_update(attrs.evolve(NOTICE, order_id=order_id)).order_id is None
