"""Checks on what the Custom Store export writes: the protocol's limits, named by field.

Models accept whatever a document carries; these hold what *we* write to the limits the
protocol documents (the tightest one where ShipStation's documents disagree). Free text over a
limit is cut when written; a code (:data:`CODES`) is never cut: over its limit it is refused.
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from .._codes import ALPHA2
from .._values import Unrecognized
from ..errors import ValidationError
from .models import Address, Order

__all__ = [
    "CODES",
    "LIMITS",
    "MAX_MONEY",
    "MAX_OPTIONS",
    "MAX_QUANTITY",
    "clean_text",
    "validate_order",
]

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

#: Elements whose text is a code or an identifier, never cut. Cutting one would turn it into
#: another (``AUT`` into ``AU``, a SKU into a different SKU), so over its limit it is refused.
CODES: Final = frozenset(
    {
        "OrderID",
        "OrderNumber",
        "CurrencyCode",
        "CustomerCode",
        "PostalCode",
        "Country",
        "State",
        "Phone",
        "Email",
        "LineItemID",
        "SKU",
        "UPC",
    }
)

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


def _check_code(value: str | None, element: str, field: str) -> None:
    if value is None:
        return
    cleaned = clean_text(value, len(value))
    if cleaned is not None and len(cleaned) > LIMITS[element]:
        raise ValidationError(
            f"is a code, never cut: at most {LIMITS[element]} characters", field=field, value=value
        )


def _check_address(address: Address | None, where: str) -> None:
    if address is None:
        return
    for element, attribute in (
        ("PostalCode", "postal_code"),
        ("Country", "country"),
        ("State", "state"),
        ("Phone", "phone"),
        ("Email", "email"),
    ):
        _check_code(getattr(address, attribute), element, f"{where}.{attribute}")
    country = address.country
    if country is not None and clean_text(country, 2) is not None and country not in ALPHA2:
        raise ValidationError(
            "must be an ISO 3166-1 alpha-2 code", field=f"{where}.country", value=country
        )


def _check_instant(value: datetime, field: str) -> None:
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(
            "is out of the range a date can be written in", field=field, value=value
        ) from None


def validate_order(order: Order) -> None:
    """Check that *order* can be written to the export.

    Raises:
        ValidationError: An empty order number or status (after cleaning), money or a weight
            outside decimal(9,2), a quantity outside 1..99999, a weight unit the protocol does
            not know, a code
            (:data:`~listingmirror_shipstation.customstore.validate.CODES`) over its limit, a
            country that is not ISO alpha-2, an adjustment line with a positive price, or a
            date that cannot be written; the error names the field and the value.
    """
    for field in ("order_number", "order_status"):
        value = getattr(order, field)
        if not clean_text(value, LIMITS["OrderNumber"]):
            raise ValidationError("must not be empty", field=field, value=value)
    for element, field in (
        ("OrderID", "order_id"),
        ("OrderNumber", "order_number"),
        ("CurrencyCode", "currency_code"),
    ):
        _check_code(getattr(order, field), element, field)
    _check_code(order.customer.customer_code, "CustomerCode", "customer.customer_code")
    _check_address(order.customer.bill_to, "customer.bill_to")
    _check_address(order.customer.ship_to, "customer.ship_to")
    _check_instant(order.order_date, "order_date")
    _check_instant(order.last_modified, "last_modified")
    for field in ("order_total", "tax_amount", "shipping_amount"):
        _check_money(getattr(order, field), field)
    for index, item in enumerate(order.items):
        where = f"items[{index}]"
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise ValidationError(
                f"must be 1 to {MAX_QUANTITY}", field=f"{where}.quantity", value=item.quantity
            )
        _check_money(item.unit_price, f"{where}.unit_price")
        if item.adjustment and item.unit_price > 0:
            raise ValidationError(
                "must not be positive on an adjustment line (the protocol's rule)",
                field=f"{where}.unit_price",
                value=item.unit_price,
            )
        _check_code(item.sku, "SKU", f"{where}.sku")
        _check_code(item.line_item_id, "LineItemID", f"{where}.line_item_id")
        _check_code(item.upc, "UPC", f"{where}.upc")
        _check_money(item.weight, f"{where}.weight")
        if isinstance(item.weight_units, Unrecognized):
            raise ValidationError(
                "must be Pounds, Ounces or Grams",
                field=f"{where}.weight_units",
                value=item.weight_units.raw,
            )
        for number, option in enumerate(item.options[:MAX_OPTIONS]):
            _check_money(option.weight, f"{where}.options[{number}].weight")
