"""Weights between the platforms' units, exactly.

Factors are the legal definitions: 1 lb = 453.59237 g and 1 lb = 16 oz, so
1 oz = 28.349523125 g. Pounds, ounces and grams keep their unit in ShipStation (the value is
copied digit for digit); kilograms become grams (x 1000, exact). Conversions between other
units are computed with 34 significant digits.
"""

import decimal
from decimal import Decimal
from typing import Final

from .._values import Unrecognized
from ..listingmirror import models as lm
from ..shipstation import models as ss

__all__ = ["GRAMS_PER_UNIT", "convert_weight", "to_shipstation_weight"]

#: Grams in one unit of each Listing Mirror weight unit.
GRAMS_PER_UNIT: Final[dict[lm.WeightUnit, Decimal]] = {
    lm.WeightUnit.POUND: Decimal("453.59237"),
    lm.WeightUnit.OUNCE: Decimal("28.349523125"),
    lm.WeightUnit.GRAM: Decimal(1),
    lm.WeightUnit.KILOGRAM: Decimal(1000),
}

_TO_SHIPSTATION: Final = {
    lm.WeightUnit.POUND: ss.WeightUnit.POUNDS,
    lm.WeightUnit.OUNCE: ss.WeightUnit.OUNCES,
    lm.WeightUnit.GRAM: ss.WeightUnit.GRAMS,
    lm.WeightUnit.KILOGRAM: ss.WeightUnit.GRAMS,
}

_BY_VALUE: Final = {unit.value: target for unit, target in _TO_SHIPSTATION.items()}

_CONTEXT: Final = decimal.Context(prec=34)

#: ``GRAMS_PER_UNIT[source] / GRAMS_PER_UNIT[target]`` in :data:`_CONTEXT`, computed once,
#: keyed by the units' values: a str hashes in C, an Enum member by its Python ``__hash__``.
_RATIOS: Final = {
    (source.value, target.value): _CONTEXT.divide(GRAMS_PER_UNIT[source], GRAMS_PER_UNIT[target])
    for source in GRAMS_PER_UNIT
    for target in GRAMS_PER_UNIT
}


def convert_weight(value: Decimal, source: lm.WeightUnit, target: lm.WeightUnit) -> Decimal:
    """Convert *value* from unit *source* to unit *target*.

    >>> from listingmirror_shipstation import listingmirror as lm
    >>> from listingmirror_shipstation.mapping import convert_weight
    >>> convert_weight(Decimal("2"), lm.WeightUnit.POUND, lm.WeightUnit.OUNCE)
    Decimal('32')
    >>> convert_weight(Decimal("1.5"), lm.WeightUnit.KILOGRAM, lm.WeightUnit.GRAM)
    Decimal('1500.0')
    """
    if source is target:
        return value
    return _CONTEXT.multiply(value, _RATIOS[source._value_, target._value_])


def to_shipstation_weight(
    value: Decimal | None, unit: lm.WeightUnit | Unrecognized | None
) -> ss.Weight | None:
    """Return the ShipStation weight for a Listing Mirror value and unit.

    ``None`` when there is no value, or when the unit is missing or unknown (the caller reports
    that: a weight in an unknown unit cannot be converted honestly).
    """
    if value is None or not isinstance(unit, lm.WeightUnit):
        return None
    target = _BY_VALUE[unit._value_]  # a str key: Enum's own __hash__ is Python code
    if unit is lm.WeightUnit.KILOGRAM:
        return ss.Weight(value=convert_weight(value, unit, lm.WeightUnit.GRAM), units=target)
    return ss.Weight(value=value, units=target)
