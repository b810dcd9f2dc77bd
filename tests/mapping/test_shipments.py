"""ShipStation shipment -> Listing Mirror update: what goes back, and what never does."""

from datetime import date
from decimal import Decimal

import attrs
from hypothesis import given

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.mapping import fulfillment_to_update, shipment_to_update
from listingmirror_shipstation.testing import strategies

SHIPMENT = ss.Shipment(
    shipment_id=555,
    order_key="lm-1001",
    order_number="112-1234567-7654321",
    ship_date=date(2026, 11, 21),
    tracking_number="9400100000000000000000",
    carrier_code="usps",
    service_code="usps_priority_mail",
    shipment_cost=Decimal("8.15"),
    voided=False,
    shipment_items=(
        ss.ShipmentItem(line_item_key="L1", sku="MUG", quantity=2),
        ss.ShipmentItem(line_item_key="L2", sku="TEE", quantity=1),
    ),
)


def test_update_carries_what_the_table_sends_back() -> None:
    """Status, tracking, carrier, service, ship date and items; the order found by its key."""
    update = shipment_to_update(SHIPMENT)
    assert update == lm.ShipmentUpdate(
        order_id=1001,
        market_order_id="112-1234567-7654321",
        status=lm.OrderStatus.SHIPPED,
        tracking_number="9400100000000000000000",
        carrier="usps",
        service="usps_priority_mail",
        ship_date=date(2026, 11, 21),
        items=(
            lm.ShippedItem(quantity=2, sku="MUG", line_item_id="L1"),
            lm.ShippedItem(quantity=1, sku="TEE", line_item_id="L2"),
        ),
        shipment_id="555",
    )


def test_no_carrier_fee_and_no_note_to_buyer_can_go_back() -> None:
    """The update has no field that could carry the carrier fee or a note to the buyer."""
    names = {a.name for a in attrs.fields(lm.ShipmentUpdate)}
    assert not {n for n in names if "cost" in n or "fee" in n or "note" in n or "price" in n}


@given(strategies.shipstation_shipments)
def test_the_fee_never_reaches_the_update(shipment: ss.Shipment) -> None:
    """Whatever the shipment cost, the update is the same as with no cost at all."""
    assert shipment_to_update(shipment) == shipment_to_update(
        attrs.evolve(shipment, shipment_cost=None, insurance_cost=None)
    )


def test_voided_label_is_a_void_update() -> None:
    """A voided label says so and returns the order to Paid (awaiting shipment)."""
    update = shipment_to_update(attrs.evolve(SHIPMENT, voided=True))
    assert update.voided is True
    assert update.status is lm.OrderStatus.PAID


def test_no_items_means_the_whole_order() -> None:
    """Without shipmentItems the update names no items."""
    assert shipment_to_update(attrs.evolve(SHIPMENT, shipment_items=None)).items == ()


def test_foreign_order_key_still_names_the_market_order() -> None:
    """An order ShipStation got elsewhere has no LM id, but keeps its order number."""
    update = shipment_to_update(attrs.evolve(SHIPMENT, order_key="abc"))
    assert (update.order_id, update.market_order_id) == (None, "112-1234567-7654321")


def test_fulfillment_update() -> None:
    """An order marked shipped: the whole order, keyed apart from labels, fee left out."""
    fulfillment = ss.Fulfillment(
        fulfillment_id=9,
        order_number="112-1",
        tracking_number="1Z",
        carrier_code="ups",
        fulfillment_service_code="ground",
        fulfillment_fee=Decimal("3.00"),
        ship_date=date(2026, 11, 22),
    )
    update = fulfillment_to_update(fulfillment)
    assert update == lm.ShipmentUpdate(
        market_order_id="112-1",
        status=lm.OrderStatus.SHIPPED,
        tracking_number="1Z",
        carrier="ups",
        service="ground",
        ship_date=date(2026, 11, 22),
        shipment_id="fulfillment-9",
    )
