"""_codegen: the one place generated source becomes a function."""

import linecache
import traceback

import pytest

from listingmirror_shipstation import _codegen
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss

from .test_typed_models import ORDER


def _generated_entries() -> set[str]:
    return {name for name in linecache.cache if name.startswith("<fast ")}


def test_making_converters_again_and_again_does_not_grow_the_line_cache() -> None:
    """A server may make a converter per request: the same source is one cache entry."""

    def use_new_converters() -> None:
        order = lm.read_orders([ORDER], converter=lm.make_converter(detailed=False)).orders[0]
        written = ss.Order(
            order_number=order.market_order_id,
            order_date=order.order_datetime,
            order_status=ss.OrderStatus.AWAITING_SHIPMENT,
        )
        ss.dumps(written, converter=ss.make_converter(detailed=False))
        lm.dumps(order, converter=lm.make_converter(detailed=False))

    use_new_converters()
    before = _generated_entries()
    assert any(name.startswith("<fast structure") for name in before)
    assert any(name.startswith("<fast unstructure") for name in before)
    for _ in range(20):
        use_new_converters()
    assert _generated_entries() == before


def test_a_traceback_shows_the_generated_lines() -> None:
    source = "def broken(value):\n    return 1 / value\n"
    broken = _codegen.function(source, name="broken", prefix="test broken", namespace={})
    with pytest.raises(ZeroDivisionError) as info:
        broken(0)
    text = "".join(traceback.format_exception(info.value))
    assert "return 1 / value" in text
    assert "<test broken>" in text
    other = "def broken(value):\n    return 2 / value\n"  # another text: another entry
    again = _codegen.function(other, name="broken", prefix="test broken", namespace={})
    assert again.__code__.co_filename == "<test broken-2>"
    same = _codegen.function(source, name="broken", prefix="test broken", namespace={})
    assert same.__code__.co_filename == "<test broken>"


def test_a_class_met_again_while_generated_raises_for_late_binding() -> None:
    class Model:
        pass

    with _codegen.generating(Model, "structure"):
        with pytest.raises(RecursionError), _codegen.generating(Model, "structure"):
            pass  # pragma: no cover - never entered
        with _codegen.generating(Model, "unstructure"):  # another generator: independent
            pass
    with pytest.raises(ValueError, match="boom"), _codegen.generating(Model, "structure"):
        raise ValueError("boom")
    with _codegen.generating(Model, "structure"):  # the mark went with the block
        pass
