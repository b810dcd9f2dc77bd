"""Checks on what the Custom Store export writes: the protocol's limits, named by field.

Models accept whatever a document carries; these hold what *we* write to the limits the
protocol documents (the tightest one where ShipStation's documents disagree). Free text over a
limit is cut when written; a code (:data:`CODES`) is never cut: over its limit it is refused.
"""

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from .._codes import ALPHA2
from .._values import Unrecognized
from ..errors import ValidationError
from . import _fields
from ._fields import ORDER, Field, Kind, walk
from .models import Address, Item, Order

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
MAX_OPTIONS: Final = _fields.MAX_OPTIONS
#: Largest quantity the protocol allows on a line.
MAX_QUANTITY: Final = _fields.MAX_QUANTITY
#: Largest amount of money or weight (the protocol's decimal(9,2) type).
MAX_MONEY: Final = Decimal("9999999.99")

#: Longest text, in characters, written for each element (by element name; ``Name`` is 100 in
#: an address and 200 on an item, see ``ItemName``). Derived from the export's field table.
LIMITS: Final[Mapping[str, int]] = MappingProxyType(
    {row.name: row.limit for row in walk() if row.limit is not None}
)

#: Elements whose text is a code or an identifier, never cut. Cutting one would turn it into
#: another (``AUT`` into ``AU``, a SKU into a different SKU), so over its limit it is refused.
#: Derived from the export's field table (the rows of kind ``CODE``).
CODES: Final = frozenset(row.name for row in walk() if row.kind is Kind.CODE)

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


def _check_code(value: str | None, limit: int, field: str) -> None:
    if value is None:
        return
    cleaned = clean_text(value, len(value))
    if cleaned is not None and len(cleaned) > limit:
        raise ValidationError(
            f"is a code, never cut: at most {limit} characters", field=field, value=value
        )


def _check_instant(value: datetime, field: str) -> None:
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(
            "is out of the range a date can be written in", field=field, value=value
        ) from None


#: Checks one non-``None`` value of a row; *where* is the path of the model holding it.
_Check = Callable[[Any, str], None]


def _row_check(row: Field) -> _Check | None:
    """The check of *row*'s kind, or ``None`` when any value of it can be written.

    Field names are built only when a check fails: validation runs on every order rendered.
    """
    attr, kind = row.attr, row.kind
    if kind is Kind.CODE:
        limit = row.limit or 0

        def code(item: str, where: str) -> None:
            if len(item) > limit:  # cleaning never lengthens: only a longer text can be over
                _check_code(item, limit, f"{where}{attr}")

        return code
    if kind in (Kind.MONEY, Kind.WEIGHT):

        def money(item: Decimal, where: str) -> None:
            if not item.is_finite() or abs(item) > MAX_MONEY:
                _check_money(item, f"{where}{attr}")

        return money
    if kind is Kind.DATE:
        return lambda item, where: _check_instant(item, f"{where}{attr}")
    if kind is Kind.INT and row.bounds is not None:
        low, high = row.bounds

        def bounded(item: int, where: str) -> None:
            if not low <= item <= high:
                raise ValidationError(
                    f"must be {low} to {high}", field=f"{where}{attr}", value=item
                )

        return bounded
    if kind is Kind.ENUM:
        members: list[Any] = list(row.model or ())  # type: ignore[arg-type]
        *most, last = (member.value for member in members)
        message = f"must be {', '.join(most)} or {last}"

        def known(item: object, where: str) -> None:
            if isinstance(item, Unrecognized):
                raise ValidationError(message, field=f"{where}{attr}", value=item.raw)

        return known
    if kind is Kind.NESTED:
        plan = _plan(row.fields)
        return lambda item, where: _check(item, plan, f"{where}{attr}.")
    if kind is Kind.LIST:
        plan, count = _plan(row.fields), row.max_count

        def each(items: tuple[Any, ...], where: str) -> None:
            for index, entry in enumerate(items[:count]):
                _check(entry, plan, f"{where}{attr}[{index}].")

        return each
    return None  # free text is cut, never refused; booleans are always writable


def _plan(rows: tuple[Field, ...]) -> list[tuple[str, _Check]]:
    """The checks of *rows*, in table order, for the rows that have one."""
    checks = [(row.attr, _row_check(row)) for row in rows]
    return [(attr, check) for attr, check in checks if check is not None]


def _check(value: object, plan: list[tuple[str, _Check]], where: str) -> None:
    """Check *value* against *plan*, then the rules across its fields; *where* is its path."""
    for attr, check in plan:
        item = getattr(value, attr)
        if item is not None:
            check(item, where)
    rule = _RULES.get(type(value))
    if rule is not None:
        rule(value, where)


def _check_country(address: Address, where: str) -> None:
    country = address.country
    if country is not None and clean_text(country, 2) is not None and country not in ALPHA2:
        raise ValidationError(
            "must be an ISO 3166-1 alpha-2 code", field=f"{where}country", value=country
        )


def _check_adjustment(item: Item, where: str) -> None:
    if item.adjustment and item.unit_price > 0:
        raise ValidationError(
            "must not be positive on an adjustment line (the protocol's rule)",
            field=f"{where}unit_price",
            value=item.unit_price,
        )


#: Rules across the fields of one model, after its rows are checked.
_RULES: Final[Mapping[type, Callable[[Any, str], None]]] = {
    Address: _check_country,
    Item: _check_adjustment,
}


_ORDER_PLAN: Final = _plan(ORDER)


def validate_order(order: Order) -> None:
    """Check that *order* can be written to the export.

    Every row of the export's field table is checked by its kind.

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
    _check(order, _ORDER_PLAN, "")
