"""ShipStation shipment → Listing Mirror shipment update.

What goes back follows the integration table: status, tracking number, carrier, service, ship
date and the shipped items. The carrier fee (``shipmentCost``, ``fulfillmentFee``) and any note
to the buyer are **never** sent back:
:class:`~listingmirror_shipstation.listingmirror.ShipmentUpdate` has no field for them.

A voided label becomes an update with ``voided=True`` and the status the order returns to
(Paid, the reverse of ``awaiting_shipment``), so the void is never silent.
"""

from datetime import date, datetime

from .._time import PACIFIC
from .._values import Unrecognized
from ..listingmirror import models as lm
from ..shipstation import models as ss
from .orders import _is_mapping_line, order_id_from_key
from .status import StatusMap

__all__ = ["fulfillment_to_update", "shipment_to_update"]


def _status(statuses: StatusMap, status: ss.OrderStatus) -> lm.OrderStatus | Unrecognized:
    found = statuses.to_listingmirror(status)
    return found if found is not None else Unrecognized(status.value)


def shipment_to_update(
    shipment: ss.Shipment,
    *,
    statuses: StatusMap | None = None,
    order_key_prefix: str = "lm-",
) -> lm.ShipmentUpdate:
    """Turn a ShipStation label into the update Listing Mirror receives.

    The Listing Mirror order id is read back from the ``orderKey`` this library made
    (``None`` for orders made by someone else; ``market_order_id`` is always set from the
    order number). Items come from ``shipmentItems`` (request them with
    ``includeShipmentItems``); none means the whole order. Lines the mapping added (discounts,
    coupons, gift wrap, rounding) are not Listing Mirror lines and are left out.
    """
    statuses = statuses or StatusMap()
    voided = bool(shipment.voided)
    target = ss.OrderStatus.AWAITING_SHIPMENT if voided else ss.OrderStatus.SHIPPED
    items = tuple(
        lm.ShippedItem(quantity=item.quantity, sku=item.sku, line_item_id=item.line_item_key)
        for item in shipment.shipment_items or ()
        if item.quantity is not None and not _is_mapping_line(item.line_item_key, item.sku)
    )
    return lm.ShipmentUpdate(
        order_id=order_id_from_key(shipment.order_key, order_key_prefix),
        market_order_id=shipment.order_number,
        status=_status(statuses, target),
        tracking_number=shipment.tracking_number,
        carrier=shipment.carrier_code,
        service=shipment.service_code,
        ship_date=shipment.ship_date,
        items=items,
        shipment_id=str(shipment.shipment_id),
        voided=voided,
    )


def _day(value: date | None) -> date | None:
    """The Pacific calendar day of a ship date that may carry a time of day."""
    if isinstance(value, datetime):
        return value.astimezone(PACIFIC).date()
    return value


def fulfillment_to_update(
    fulfillment: ss.Fulfillment, *, statuses: StatusMap | None = None
) -> lm.ShipmentUpdate:
    """Turn an order marked shipped in ShipStation (a fulfillment) into an update.

    A fulfillment names no items (the whole order) and no order key, so the order is found by
    ``market_order_id``. Its ``shipment_id`` is ``"fulfillment-<id>"`` so it can never collide
    with a label's.
    """
    statuses = statuses or StatusMap()
    voided = bool(fulfillment.voided)
    target = ss.OrderStatus.AWAITING_SHIPMENT if voided else ss.OrderStatus.SHIPPED
    return lm.ShipmentUpdate(
        market_order_id=fulfillment.order_number,
        status=_status(statuses, target),
        tracking_number=fulfillment.tracking_number,
        carrier=fulfillment.carrier_code,
        service=fulfillment.fulfillment_service_code,
        ship_date=_day(fulfillment.ship_date),
        shipment_id=f"fulfillment-{fulfillment.fulfillment_id}",
        voided=voided,
    )
