"""Weights convert consistently between units, exactly where the factors allow."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.mapping import convert_weight, to_shipstation_weight

values = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3)
units = st.sampled_from(list(lm.WeightUnit))


@given(values, units, units)
def test_there_and_back_is_the_identity(value: Decimal, a: lm.WeightUnit, b: lm.WeightUnit) -> None:
    """Converting a -> b -> a returns the value (to 25 significant digits)."""
    back = convert_weight(convert_weight(value, a, b), b, a)
    assert abs(back - value) <= value * Decimal("1e-25")


@given(values, units, units, units)
def test_conversions_compose(
    value: Decimal, a: lm.WeightUnit, b: lm.WeightUnit, c: lm.WeightUnit
) -> None:
    """A -> b -> c equals a -> c (to 25 significant digits)."""
    direct = convert_weight(value, a, c)
    via = convert_weight(convert_weight(value, a, b), b, c)
    assert abs(direct - via) <= direct * Decimal("1e-25")


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("1", lm.WeightUnit.POUND, lm.WeightUnit.OUNCE, "16"),
        ("1", lm.WeightUnit.POUND, lm.WeightUnit.GRAM, "453.59237"),
        ("1", lm.WeightUnit.OUNCE, lm.WeightUnit.GRAM, "28.349523125"),
        ("2.5", lm.WeightUnit.KILOGRAM, lm.WeightUnit.GRAM, "2500"),
    ],
)
def test_legal_factors_are_exact(
    value: str, source: lm.WeightUnit, target: lm.WeightUnit, expected: str
) -> None:
    """The defined factors give exact results."""
    assert convert_weight(Decimal(value), source, target) == Decimal(expected)


@given(values, units)
def test_shipstation_weight_is_the_same_mass(value: Decimal, unit: lm.WeightUnit) -> None:
    """The ShipStation weight weighs what the Listing Mirror weight weighs."""
    weight = to_shipstation_weight(value, unit)
    assert weight is not None
    back_unit = {
        ss.WeightUnit.POUNDS: lm.WeightUnit.POUND,
        ss.WeightUnit.OUNCES: lm.WeightUnit.OUNCE,
        ss.WeightUnit.GRAMS: lm.WeightUnit.GRAM,
    }[weight.units]  # type: ignore[index]
    assert convert_weight(weight.value, back_unit, unit) == value


def test_unknown_unit_gives_no_weight() -> None:
    """A unit we do not know is not guessed at."""
    assert to_shipstation_weight(Decimal(1), Unrecognized("stone")) is None
    assert to_shipstation_weight(Decimal(1), None) is None
