"""``_jsontext`` is strict where it was lenient.

* ``dumps``/``dumpb`` wrote a float ``NaN`` or infinity as ``null`` although their docstrings
  said non-finite values were refused; now both refuse them, floats and ``Decimal`` alike.
"""

import math
from decimal import Decimal
from typing import Any, ClassVar

import msgspec
import pytest

from listingmirror_shipstation import _jsontext
from listingmirror_shipstation.errors import ConversionError


class TestNonFiniteNumbersAreNotWritten:
    NON_FINITE: ClassVar[list[object]] = [
        math.nan,
        math.inf,
        -math.inf,
        Decimal("NaN"),
        Decimal("-sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
    ]

    @pytest.mark.parametrize("value", NON_FINITE, ids=repr)
    @pytest.mark.parametrize("indent", [None, 2])
    @pytest.mark.parametrize("write", [_jsontext.dumps, _jsontext.dumpb])
    def test_refused_naming_where(self, value: Any, indent: int | None, write: Any) -> None:
        """Before, a float NaN or infinity was written as ``null``: a weight silently gone."""
        data = {"orders": [{"id": 1, "gift": None}, {"id": 2, "weight": {"value": value}}]}
        with pytest.raises(ConversionError, match="not a JSON number") as caught:
            write(data, indent=indent)
        assert caught.value.errors[0].endswith("@ $.orders[1].weight.value")
        assert repr(value) in str(caught.value)

    def test_a_non_finite_float_in_a_tuple_or_at_the_top(self) -> None:
        """Wherever msgspec would write it: a tuple, the document itself."""
        for data, where in (((1, [None, math.nan]), "$[1][1]"), (math.inf, "$")):
            with pytest.raises(ConversionError, match="not a JSON number") as caught:
                _jsontext.dumps(data)
            assert caught.value.errors[0].endswith(f"@ {where}")

    def test_integers_past_64_bits_beside_a_null(self) -> None:
        """Integers MessagePack cannot hold (JSON can) do not hide a NaN, nor stop a write."""
        assert _jsontext.dumps([None, 2**70, -(2**70)]) == f"[null,{2**70},{-(2**70)}]"
        with pytest.raises(ConversionError, match=r"@ \$\[2\]"):
            _jsontext.dumps([None, 2**70, math.nan])

    def test_finite_values_and_nulls_are_written_as_before(self) -> None:
        """``None``, finite floats and numbers whose MessagePack bytes look like NaN's pass."""
        looks_like_nan = int.from_bytes(b"\xcb\x7f\xf8\x00\x00\x00\x00\x00", "big")
        data = [None, 1.5, -0.0, 1e308, Decimal("1.10"), looks_like_nan, {"x": None}]
        assert _jsontext._NON_FINITE_DOUBLE.search(msgspec.msgpack.encode(data))  # the look
        assert _jsontext.dumps(data) == (
            f'[null,1.5,-0.0,1e308,1.10,{looks_like_nan},{{"x":null}}]'
        )
