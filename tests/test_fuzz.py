"""Fuzzing every parser: arbitrary and mutated input gives a model or a library error.

Bounded here (CI); run long on demand with ``HYPOTHESIS_PROFILE=fuzz`` (see docs/security.md).
Seeded with the shared vectors: mutations of them reach deep into the parsers.
"""

import contextlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import ListingMirrorShipStationError
from listingmirror_shipstation.mapping import convert_customstore_orders, convert_orders
from listingmirror_shipstation.testing import strategies

GOLDEN = Path(__file__).resolve().parent / "golden"
API_VECTORS = [p.read_bytes() for p in sorted((GOLDEN / "api").glob("*.json"))]
XML_VECTORS = [p.read_bytes() for p in sorted((GOLDEN / "customstore").glob("*.xml"))]
SS_MODELS = [getattr(ss, n) for n in ss.models.__all__ if attrs.has(getattr(ss, n))]

#: Any JSON value, nested.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.decimals(allow_nan=False, allow_infinity=False).map(str).map(Decimal),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=30,
)


def mutated(vectors: list[bytes]) -> st.SearchStrategy[bytes]:
    """A vector with a slice replaced by random bytes (or cut, or doubled)."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        vector = draw(st.sampled_from(vectors))
        start = draw(st.integers(0, len(vector)))
        end = draw(st.integers(start, min(len(vector), start + 64)))
        return vector[:start] + draw(st.binary(max_size=64)) + vector[end:]

    return build()


def only_library_errors(call: Any, *args: Any) -> None:
    with contextlib.suppress(ListingMirrorShipStationError):
        call(*args)


class TestJSONParsers:
    @given(st.sampled_from(SS_MODELS), st.binary(max_size=300) | mutated(API_VECTORS))
    def test_shipstation_bytes(self, cls: type, data: bytes) -> None:
        """ss.loads on arbitrary or mutated bytes: a model or a library error."""
        only_library_errors(ss.loads, data, cls)

    @given(st.sampled_from(SS_MODELS), json_values)
    def test_shipstation_json_shapes(self, cls: type, value: object) -> None:
        """Any JSON value into any ShipStation model: a model or a library error."""
        only_library_errors(ss.loads, json.dumps(value, default=str), cls)

    @given(json_values)
    def test_listingmirror_documents(self, value: object) -> None:
        """read_orders on any JSON value: orders and errors, or a library error."""
        only_library_errors(lm.read_orders, value)

    @given(
        st.binary(max_size=300)
        | mutated(
            [
                (
                    Path(__file__).parent.parent
                    / "listingmirror_shipstation"
                    / "examples"
                    / "listingmirror-orders.json"
                ).read_bytes()
            ]
        )
    )
    def test_listingmirror_bytes(self, data: bytes) -> None:
        """lm.loads on arbitrary or mutated bytes: a model or a library error."""
        only_library_errors(lm.loads, data, list[lm.Order])

    @pytest.mark.parametrize("depth", [10, 1_000, 100_000])
    def test_deep_nesting_is_refused_not_crashed(self, depth: int) -> None:
        """[[[[…]]]] however deep: a ConversionError, never a RecursionError."""
        only_library_errors(ss.loads, "[" * depth + "]" * depth, list[ss.Order])

    @pytest.mark.parametrize("number", ["1e999999999", "-1e999999999", "1E+400", "9" * 5000])
    def test_huge_numbers_are_refused_quickly(self, number: str) -> None:
        """A number that would take unbounded time or memory to turn into an int: refused."""
        only_library_errors(
            ss.loads, f'{{"orderId": {number}, "unitPrice": {number}}}', ss.OrderItem
        )


class TestXMLParsers:
    @given(st.binary(max_size=500) | mutated(XML_VECTORS))
    def test_ship_notice_and_orders(self, data: bytes) -> None:
        """The Custom Store parsers: a model or a library error."""
        only_library_errors(cs.parse_ship_notice, data)
        only_library_errors(cs.parse_orders, data)

    @given(
        st.text(max_size=200)
        | st.dictionaries(
            st.text(max_size=12), st.text(max_size=30) | st.lists(st.text(max_size=30), max_size=2)
        )
    )
    def test_export_query(self, query: Any) -> None:
        """parse_export_query on any string or mapping: a query or a library error."""
        only_library_errors(cs.parse_export_query, query)


class TestMappingNeverRaises:
    wild_items = strategies.strategy_for(
        lm.OrderItem,
        quantity=st.integers(-(10**20), 10**20),
        price=st.decimals(allow_nan=False, allow_infinity=False),
        weight=st.none() | st.decimals(allow_nan=False, allow_infinity=False),
    )
    wild_orders = strategies.strategy_for(
        lm.Order,
        order_items=st.lists(wild_items, max_size=3).map(tuple),
        order_total=st.none() | st.decimals(allow_nan=False, allow_infinity=False),
    )

    @given(st.lists(wild_orders, max_size=3))
    def test_batches_reject_instead_of_raising(self, orders: list[lm.Order]) -> None:
        """Whatever the amounts and texts, a batch returns orders and rejections, never raises."""
        for result in (convert_orders(orders), convert_customstore_orders(orders)):
            assert len(result.orders) + len(result.rejected) == len(orders)
