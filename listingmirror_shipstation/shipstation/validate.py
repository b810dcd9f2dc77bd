"""Checks on what we send to ShipStation, run before anything leaves.

Models accept whatever ShipStation sends (it sends what its docs forbid); these functions hold
what *we* write to ShipStation's documented limits, and name the field and the value.
"""

from typing import Final

from .._values import Unrecognized
from ..errors import ValidationError
from .models import Order, OrderStatus

__all__ = ["MAX_ORDER_NUMBER_LENGTH", "WRITABLE_STATUSES", "validate_order_for_create"]

#: ``orderNumber`` is at most 50 characters.
MAX_ORDER_NUMBER_LENGTH: Final = 50

#: Statuses an order may be created or updated with through ``createorder(s)``.
WRITABLE_STATUSES: Final = frozenset(
    {
        OrderStatus.AWAITING_PAYMENT,
        OrderStatus.AWAITING_SHIPMENT,
        OrderStatus.PENDING_FULFILLMENT,
        OrderStatus.ON_HOLD,
        OrderStatus.CANCELLED,
        OrderStatus.SHIPPED,
    }
)


def validate_order_for_create(order: Order) -> None:
    """Check that *order* can be sent to ``createorder``/``createorders``.

    Raises:
        ValidationError: The first problem found, naming the field (``items[2].quantity``) and
            the value: an empty or over-long ``order_number``, a status ShipStation does not
            know, a missing ``bill_to``/``ship_to``, a ``ship_to`` without a country, or a
            line with a quantity below 1.
    """
    if not order.order_number.strip():
        raise ValidationError("must not be empty", field="order_number", value=order.order_number)
    if len(order.order_number) > MAX_ORDER_NUMBER_LENGTH:
        raise ValidationError(
            f"must be at most {MAX_ORDER_NUMBER_LENGTH} characters",
            field="order_number",
            value=order.order_number,
        )
    if isinstance(order.order_status, Unrecognized) or order.order_status not in WRITABLE_STATUSES:
        raise ValidationError(
            "is not a status ShipStation accepts on create",
            field="order_status",
            value=order.order_status,
        )
    if order.bill_to is None:
        raise ValidationError("is required on create", field="bill_to", value=None)
    if order.ship_to is None:
        raise ValidationError("is required on create", field="ship_to", value=None)
    if not (order.ship_to.country or "").strip():
        raise ValidationError(
            "needs a two-letter country code", field="ship_to.country", value=order.ship_to.country
        )
    for index, item in enumerate(order.items or ()):
        if item.quantity is None or item.quantity < 1:
            raise ValidationError(
                "must be at least 1", field=f"items[{index}].quantity", value=item.quantity
            )
