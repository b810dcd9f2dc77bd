"""Orders our own reader built skip the mapping's type guard, and only those.

The guard (``mapping.orders._check_types``) refuses hand-built models whose values have the
wrong type. ``read_orders`` with a converter holding only this library's hooks hands its orders
on as a ``TypedModels`` tuple, and the mapping skips the guard for them. These tests hold that
mark honest: every order such a reader builds, from any document, passes the guard; any other
converter's orders are still checked.
"""

import json
from decimal import Decimal
from typing import Any

import attrs
import cattrs
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import mapping
from listingmirror_shipstation._values import TypedModels
from listingmirror_shipstation.mapping.orders import _type_error
from listingmirror_shipstation.testing import strategies

ORDER = {
    "order_id": 7,
    "market_order_id": "111-222",
    "order_status": "Paid",
    "order_datetime": "2026-11-27T12:00:00Z",
    "order_items": [{"sku": "MUG", "quantity": 2, "price": "19.98"}],
    "ship_to": {"name": "Ana", "street1": "1 Main St", "city": "Austin", "country": "US"},
}


def _variants(value: object) -> st.SearchStrategy[Any]:
    """The value as sent, or in another spelling a lenient reader may accept (or refuse)."""
    options: list[Any] = [value, None, True, "true", "", [], {}]
    if isinstance(value, bool):
        options += [str(value).lower(), int(value)]
    elif isinstance(value, int):
        options += [str(value), f" {value} ", float(value), Decimal(value), value + 0.5]
    elif isinstance(value, str):
        options += [value.strip(), "12", "1e3", "NaN", "-0", "1_000", 12, Decimal("1.5"), 1.5]
    elif isinstance(value, Decimal):
        options += [str(value), float(value), int(value), "Infinity", "1e999"]
    return st.sampled_from(options)


@st.composite
def documents(draw: st.DrawFn) -> list[Any]:
    """Orders as Listing Mirror JSON, some leaves swapped for another spelling or type."""
    orders = draw(st.lists(strategies.listingmirror_orders, min_size=1, max_size=3))
    raw = json.loads(lm.dumps(orders))

    def mutate(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: mutate(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mutate(v) for v in node]
        return draw(_variants(node)) if draw(st.integers(0, 14)) == 0 else node

    return json.loads(json.dumps(mutate(raw), default=str), parse_float=Decimal)


@given(documents())
def test_every_order_our_reader_builds_passes_the_type_guard(document: list[Any]) -> None:
    parsed = lm.read_orders(document)
    assert isinstance(parsed.orders, TypedModels)
    for order in parsed.orders:
        assert _type_error(order, "") is None, order


@given(documents())
def test_skipping_the_guard_changes_no_outcome(document: list[Any]) -> None:
    orders = lm.read_orders(document).orders
    typed = mapping.convert_orders(orders)
    checked = mapping.convert_orders(list(orders))  # a plain list: the guard runs
    assert typed.orders == checked.orders
    assert typed.warnings == checked.warnings
    assert [(r.order, r.reason, str(r.error)) for r in typed.rejected] == [
        (r.order, r.reason, str(r.error)) for r in checked.rejected
    ]


def test_a_sealed_converter_of_ours_marks_its_orders() -> None:
    converter = lm.make_converter(detailed=False, aliases={lm.Order: {"purchase_id": "order_id"}})
    assert isinstance(lm.read_orders([ORDER], converter=converter).orders, TypedModels)
    assert isinstance(converter.read_orders([ORDER]).orders, TypedModels)


def _float_prices(converter: cattrs.Converter) -> None:
    converter.register_structure_hook(Decimal, lambda value, _: float(value))


def test_a_hook_registered_later_drops_the_mark_and_the_guard_catches_it() -> None:
    converter = lm.make_converter(detailed=False)
    _float_prices(converter)  # a user's hook: its values are not ours to vouch for
    parsed = lm.read_orders([ORDER], converter=converter)
    assert not isinstance(parsed.orders, TypedModels)
    assert isinstance(parsed.orders[0].order_items[0].price, float)
    result = mapping.convert_orders(parsed.orders)
    assert not result.orders
    (rejection,) = result.rejected
    assert rejection.error.field == "order_items[0].price"
    assert "wrong type (float)" in str(rejection.error)


def test_copies_keep_the_mark_only_without_new_hooks() -> None:
    converter = lm.make_converter(detailed=False)
    assert isinstance(lm.read_orders([ORDER], converter=converter.copy()).orders, TypedModels)
    detailed = converter.copy(detailed_validation=True)
    assert isinstance(lm.read_orders([ORDER], converter=detailed).orders, TypedModels)
    copied = converter.copy()
    _float_prices(copied)
    assert not isinstance(lm.read_orders([ORDER], converter=copied).orders, TypedModels)
    overridden = converter.copy(type_overrides={})  # other arguments may bring hooks
    assert not isinstance(lm.read_orders([ORDER], converter=overridden).orders, TypedModels)


def test_other_converters_are_not_trusted() -> None:
    class Mine(lm.JsonConverter):  # a subclass may change anything
        pass

    subclassed = Mine(detailed_validation=False)
    lm.configure_converter(subclassed)
    subclassed._seal()
    assert not isinstance(lm.read_orders([ORDER], converter=subclassed).orders, TypedModels)
    unsealed = lm.JsonConverter(detailed_validation=False)  # built by hand, not by us
    lm.configure_converter(unsealed)
    assert not isinstance(lm.read_orders([ORDER], converter=unsealed).orders, TypedModels)


def test_a_slice_or_an_evolved_order_is_checked_again() -> None:
    orders = lm.read_orders([ORDER, {**ORDER, "order_id": 8}]).orders
    assert type(orders[1:]) is tuple
    bad = attrs.evolve(orders[0], order_id="7")  # type: ignore[arg-type]
    result = mapping.convert_orders((*orders[1:], bad))
    assert [r.error.field for r in result.rejected] == ["order_id"]


def test_a_hand_built_unrecognized_holding_no_string_is_refused() -> None:
    from listingmirror_shipstation import Unrecognized

    parsed = lm.read_orders([{**ORDER, "order_status": Unrecognized(5)}])  # type: ignore[arg-type]
    assert parsed.orders == ()
    assert "order_status" in str(parsed.errors[0].errors)
    kept = lm.read_orders([{**ORDER, "order_status": Unrecognized("Hold")}])
    assert kept.orders[0].order_status == Unrecognized("Hold")


def test_a_hook_on_the_explainer_drops_the_mark() -> None:
    converter = lm.make_converter(detailed=False)
    _float_prices(converter.explainer)  # reads again what the fast hooks refuse
    item = {"sku": "MUG", "quantity": 2, "price": "1e200"}  # refused by ours, a float by that one
    parsed = lm.read_orders([{**ORDER, "order_items": [item]}], converter=converter)
    assert isinstance(parsed.orders[0].order_items[0].price, float)
    assert not isinstance(parsed.orders, TypedModels)
    (rejection,) = mapping.convert_orders(parsed.orders).rejected
    assert rejection.error.field == "order_items[0].price"
    assert "wrong type (float)" in str(rejection.error)
