"""Checks on what the Custom Store export writes: the protocol's limits, named by field.

Models accept whatever a document carries; these hold what *we* write to the limits the
protocol documents (the tightest one where ShipStation's documents disagree).
"""

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from .._values import Unrecognized
from ..errors import ValidationError
from .models import Order

__all__ = ["LIMITS", "MAX_MONEY", "MAX_OPTIONS", "MAX_QUANTITY", "clean_text", "validate_order"]

#: Options written per item (the documented maximum).
MAX_OPTIONS: Final = 10
#: Largest quantity the protocol allows on a line.
MAX_QUANTITY: Final = 99_999
#: Largest amount of money or weight (the protocol's decimal(9,2) type).
MAX_MONEY: Final = Decimal("9999999.99")

#: Longest text, in characters, written for each element (by element name; ``Name`` is 100 in
#: an address and 200 on an item, see ``ItemName``).
LIMITS: Final[Mapping[str, int]] = {
    "OrderID": 50,
    "OrderNumber": 50,
    "OrderStatus": 50,
    "ShippingMethod": 100,
    "PaymentMethod": 50,
    "CurrencyCode": 3,
    "CustomerNotes": 1000,
    "InternalNotes": 1000,
    "GiftMessage": 1000,
    "CustomField1": 100,
    "CustomField2": 100,
    "CustomField3": 100,
    "CustomerCode": 50,
    "Name": 100,
    "Company": 100,
    "Phone": 50,
    "Email": 100,
    "Address1": 200,
    "Address2": 200,
    "City": 100,
    "State": 100,
    "PostalCode": 50,
    "Country": 2,
    "LineItemID": 50,
    "SKU": 50,
    "ItemName": 200,
    "ImageUrl": 500,
    "UPC": 12,
    "Location": 100,
    "OptionName": 100,
    "OptionValue": 100,
}

_FORBIDDEN: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str | None, limit: int) -> str | None:
    """Return *text* as the export writes it, or ``None`` when nothing is left.

    Characters XML 1.0 forbids are removed, CR LF and CR become LF, and the text is cut to
    *limit* characters (not bytes).
    """
    if text is None:
        return None
    cleaned = _FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))[:limit]
    return cleaned or None


def _check_money(value: Decimal | None, field: str) -> None:
    if value is not None and (not value.is_finite() or abs(value) > MAX_MONEY):
        raise ValidationError(
            f"must be a number of at most {MAX_MONEY} (decimal 9,2)", field=field, value=value
        )


def validate_order(order: Order) -> None:
    """Check that *order* can be written to the export.

    Raises:
        ValidationError: An empty order number or status (after cleaning), money or a weight
            outside decimal(9,2), a quantity outside 1..99999, or a weight unit the protocol
            does not know; the error names the field and the value.
    """
    for field in ("order_number", "order_status"):
        value = getattr(order, field)
        if not clean_text(value, LIMITS["OrderNumber"]):
            raise ValidationError("must not be empty", field=field, value=value)
    for field in ("order_total", "tax_amount", "shipping_amount"):
        _check_money(getattr(order, field), field)
    for index, item in enumerate(order.items):
        where = f"items[{index}]"
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise ValidationError(
                f"must be 1 to {MAX_QUANTITY}", field=f"{where}.quantity", value=item.quantity
            )
        _check_money(item.unit_price, f"{where}.unit_price")
        _check_money(item.weight, f"{where}.weight")
        if isinstance(item.weight_units, Unrecognized):
            raise ValidationError(
                "must be Pounds, Ounces or Grams",
                field=f"{where}.weight_units",
                value=item.weight_units.raw,
            )
        for number, option in enumerate(item.options[:MAX_OPTIONS]):
            _check_money(option.weight, f"{where}.options[{number}].weight")
