"""Checks on what we send to ShipStation, run before anything leaves.

Models accept whatever ShipStation sends (it sends what its docs forbid); these functions hold
what *we* write to ShipStation's documented limits, and name the field and the value.
"""

import operator
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from .. import _time
from .._codes import ALPHA2
from ..errors import ValidationError
from .models import Address, Order, OrderStatus, Weight, WeightUnit

__all__ = ["MAX_ORDER_NUMBER_LENGTH", "WRITABLE_STATUSES", "validate_order_for_create"]

#: ``orderNumber`` is at most 50 characters.
MAX_ORDER_NUMBER_LENGTH: Final = 50

#: ShipStation's quantities are 32-bit integers.
_MAX_QUANTITY: Final = 2**31 - 1
#: Characters a SKU may not hold: controls (NUL ...), format characters (the bidirectional
#: overrides such as U+202E, zero-width spaces, BOMs), line and paragraph separators,
#: surrogates. Shipments are matched back by SKU, and the Custom Store XML cannot carry some of
#: them, so a SKU with one is refused on both paths rather than sent raw or silently changed.
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _hidden_character(text: str) -> str | None:
    for character in text:
        if unicodedata.category(character) in _HIDDEN_CATEGORIES:
            return character
    return None


def _plain(text: str) -> bool:
    """Whether *text* is all printable ASCII (space to ``~``), which hides no character.

    Then the per-character Unicode lookup is not needed (two C calls, faster than a regex).
    """
    return str.isascii(text) and str.isprintable(text)  # not a str: TypeError, as the regex


_isascii: Final = str.isascii
_isprintable: Final = str.isprintable


#: The timestamps of an order written on create, fetched in one call.
_INSTANTS: Final = ("order_date", "create_date", "modify_date", "payment_date", "ship_by_date")
_instants: Final = operator.attrgetter(*_INSTANTS)


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

#: The same statuses by ``id()`` (see :func:`validate_order_for_create`).
_WRITABLE_IDS: Final = frozenset(map(id, WRITABLE_STATUSES))

#: Amounts that must not be negative, fetched in one call.
_NOT_NEGATIVE: Final = ("order_total", "amount_paid", "shipping_amount")
_not_negative: Final = operator.attrgetter(*_NOT_NEGATIVE)


def _check_country(address: Address | None, where: str, *, required: bool) -> None:
    if address is None:
        return
    country = address.country
    if country is None or not country.strip():
        if required:
            raise ValidationError(
                "needs a two-letter country code", field=f"{where}.country", value=country
            )
        return
    if country not in ALPHA2:
        raise ValidationError(
            "must be an ISO 3166-1 alpha-2 code (upper case, e.g. 'US')",
            field=f"{where}.country",
            value=country,
        )


def _check_weight(weight: Weight | None, where: str) -> None:
    if weight is None:
        return
    if not weight.value.is_finite() or weight.value < 0:
        raise ValidationError(
            "must be a finite number, not negative", field=f"{where}.value", value=weight.value
        )
    if not isinstance(weight.units, WeightUnit):
        raise ValidationError(
            "must be pounds, ounces or grams", field=f"{where}.units", value=weight.units
        )


def _weight_fits(weight: Weight) -> bool:
    """Whether :func:`_check_weight` passes *weight*, for the common case (else it says why).

    A value of another type raises here as it does there (it has no ``is_finite``).
    """
    value = weight.value
    return value.is_finite() and not value < 0 and isinstance(weight.units, WeightUnit)


def _check_money(value: Decimal | None, field: str, *, negative: bool = True) -> None:
    if value is None:
        return
    if not value.is_finite() or (not negative and value < 0):
        message = "must be a finite amount" if negative else "must be a finite amount, not negative"
        raise ValidationError(message, field=field, value=value)


def _check_instant(value: datetime | None, field: str) -> None:
    if value is None:
        return
    try:
        _time.format_pacific(value)
    except ValueError:
        raise ValidationError(
            "cannot be written in ShipStation's Pacific time (out of range)",
            field=field,
            value=value,
        ) from None


#: Instants a day or more inside the range of dates: Pacific time (never more than a day
#: from UTC) can always write them, so only the rare ones outside are converted to find out.
_WRITABLE_FROM: Final = datetime(1, 1, 2, tzinfo=UTC)
_WRITABLE_TO: Final = datetime(9999, 12, 30, tzinfo=UTC)


def _surely_writable(value: datetime) -> bool:
    try:
        return _WRITABLE_FROM <= value <= _WRITABLE_TO
    except TypeError:  # a naive datetime: the full check says why it cannot be written
        return False


def validate_order_for_create(order: Order) -> None:
    """Check that *order* can be sent to ``createorder``/``createorders``.

    What passes is always valid to send.

    Raises:
        ValidationError: The first problem found, naming the field (``items[2].quantity``) and
            the value: an empty or over-long ``order_number``, a status ShipStation does not
            know, a missing ``bill_to``/``ship_to``, a country that is not ISO alpha-2 (or
            ``XK``), no items, a line with a quantity below 1 or above 2,147,483,647, a SKU
            holding a control or invisible character (NUL, a right-to-left override), a
            negative price on a line that is not an adjustment, a negative amount paid, order
            total or shipping amount, a non-finite amount, a negative or non-finite weight, a
            weight unit ShipStation does not know, or a date that cannot be written in Pacific
            time.
    """
    if not order.order_number.strip():
        raise ValidationError("must not be empty", field="order_number", value=order.order_number)
    if len(order.order_number) > MAX_ORDER_NUMBER_LENGTH:
        raise ValidationError(
            f"must be at most {MAX_ORDER_NUMBER_LENGTH} characters",
            field="order_number",
            value=order.order_number,
        )
    status = order.order_status
    # By identity: members are singletons, and an Enum member hashes in Python code.
    if status.__class__ is not OrderStatus or id(status) not in _WRITABLE_IDS:
        raise ValidationError(
            "is not a status ShipStation accepts on create",
            field="order_status",
            value=order.order_status,
        )
    # Each check below takes the common case first, in as few calls as it can, and only when
    # that does not pass does the full check run (it may still pass) and name the field: the
    # same checks in the same order, each error as before (a hot path: every order of a batch).
    instants = _instants(order)
    for value in instants:
        if value is not None and not _surely_writable(value):
            for name, value in zip(_INSTANTS, instants, strict=True):
                if value is not None and not _surely_writable(value):
                    _check_instant(value, name)
            break
    bill_to, ship_to = order.bill_to, order.ship_to
    if bill_to is None:
        raise ValidationError("is required on create", field="bill_to", value=None)
    if ship_to is None:
        raise ValidationError("is required on create", field="ship_to", value=None)
    country = ship_to.country
    if country.__class__ is not str or country not in ALPHA2:
        _check_country(ship_to, "ship_to", required=True)
    country = bill_to.country
    if country is not None and (country.__class__ is not str or country not in ALPHA2):
        _check_country(bill_to, "bill_to", required=False)
    if not order.items:
        raise ValidationError("needs at least one line", field="items", value=order.items)
    tax = order.tax_amount
    if tax is not None and not tax.is_finite():
        _check_money(tax, "tax_amount")
    amounts = _not_negative(order)
    for value in amounts:
        if value is not None and (not value.is_finite() or value < 0):
            for name, value in zip(_NOT_NEGATIVE, amounts, strict=True):
                if value is not None and (not value.is_finite() or value < 0):
                    _check_money(value, name, negative=False)
            break
    weight = order.weight
    if weight is not None and not _weight_fits(weight):
        _check_weight(weight, "weight")
    for index, item in enumerate(order.items):
        # Field names are built only when a check fails (a hot path: every line of a batch).
        quantity = item.quantity
        if quantity is None or not 1 <= quantity <= _MAX_QUANTITY:
            raise ValidationError(
                f"must be 1 to {_MAX_QUANTITY:,} (a 32-bit quantity)",
                field=f"items[{index}].quantity",
                value=quantity,
            )
        sku = item.sku
        # _plain, inlined: printable ASCII hides no character.
        hidden = (
            _hidden_character(sku) if sku and not (_isascii(sku) and _isprintable(sku)) else None
        )
        if hidden is not None:
            raise ValidationError(
                f"must not hold control or invisible characters (U+{ord(hidden):04X})",
                field=f"items[{index}].sku",
                value=sku,
            )
        price = item.unit_price
        if price is not None and (not price.is_finite() or (price < 0 and not item.adjustment)):
            _check_money(price, f"items[{index}].unit_price", negative=bool(item.adjustment))
        weight = item.weight
        if weight is not None:
            value = weight.value  # _weight_fits, inlined: every line of a batch has a weight
            if not (value.is_finite() and not value < 0 and isinstance(weight.units, WeightUnit)):
                _check_weight(weight, f"items[{index}].weight")
