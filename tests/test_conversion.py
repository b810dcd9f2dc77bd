"""convert_orders_json: the three steps in one call, the same bytes, the whole report."""

import gc
import json
import weakref
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import listingmirror_shipstation
import listingmirror_shipstation.conversion as conversion_module
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import mapping
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.conversion import JsonConversion, _Written, convert_orders_json
from listingmirror_shipstation.errors import ConversionError
from listingmirror_shipstation.mapping import MappingOptions
from listingmirror_shipstation.testing import strategies

from .test_typed_models import ORDER

EXAMPLE = Path(listingmirror_shipstation.__file__).parent / "examples" / "listingmirror-orders.json"


def three_steps(
    text: str | bytes,
    options: MappingOptions | None = None,
    *,
    reader: Any = None,
    writer: Any = None,
    indent: int | None = None,
) -> tuple[str, Any, Any]:
    """What a user writes without convert_orders_json."""
    parsed = lm.read_orders(lm.loads(text, Any), converter=reader)
    result = mapping.convert_orders(parsed.orders, options)
    return ss.dumps(list(result.orders), converter=writer, indent=indent), parsed, result


def same_report(conversion: JsonConversion, parsed: Any, result: Any) -> None:
    assert conversion.count == len(result.orders)
    assert [str(e) for e in conversion.unreadable] == [str(e) for e in parsed.errors]
    assert [(r.order, r.reason, str(r.error)) for r in conversion.rejected] == [
        (r.order, r.reason, str(r.error)) for r in result.rejected
    ]
    assert conversion.warnings == result.warnings
    assert conversion.next == parsed.next


@pytest.mark.parametrize("indent", [None, 2])
def test_the_bundled_example_gives_the_bytes_of_the_three_steps(indent: int | None) -> None:
    text = EXAMPLE.read_bytes()
    conversion = convert_orders_json(text, indent=indent)
    expected, parsed, result = three_steps(text, indent=indent)
    assert conversion.text == expected
    same_report(conversion, parsed, result)
    assert conversion.count > 0
    assert conversion.rejected  # the example has orders the rules leave out
    assert not conversion.complete


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Orders as Listing Mirror JSON text; some leaves swapped for a wrong or odd value."""
    orders = draw(st.lists(strategies.listingmirror_orders, min_size=0, max_size=4))
    raw = json.loads(lm.dumps(orders))
    odd = st.sampled_from([None, True, "true", "", [], {}, "NaN", "1e999", 1.5, -3, "x"])

    def mutate(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: mutate(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mutate(v) for v in node]
        return draw(odd) if draw(st.integers(0, 20)) == 0 else node

    return json.dumps(mutate(raw))


def _hooked_reader() -> lm.JsonConverter:
    """A reader with a hook of the caller's: its orders get the mapping's type guard."""
    reader = lm.make_converter(detailed=False)
    reader.register_structure_hook(lm.ItemOption, lambda value, _: lm.ItemOption(**value))
    return reader


def _hooked_writer() -> ss.JsonConverter:
    """A writer with a hook of the caller's: the three steps run in turn, not order by order."""
    writer = ss.make_converter(detailed=False)
    writer.register_unstructure_hook(list, lambda value: [writer.unstructure(v) for v in value])
    return writer


CONVERTERS = {
    "ours": (None, None),
    "a reader with a hook": (_hooked_reader(), None),
    "a writer with a hook": (None, _hooked_writer()),
}


@given(documents(), st.sampled_from([None, 2]), st.sampled_from(sorted(CONVERTERS)))
def test_any_document_gives_the_bytes_and_report_of_the_three_steps(
    text: str, indent: int | None, converters: str
) -> None:
    reader, writer = CONVERTERS[converters]
    conversion = convert_orders_json(text, indent=indent, reader=reader, writer=writer)
    expected, parsed, result = three_steps(text, indent=indent, reader=reader, writer=writer)
    assert conversion.text == expected
    same_report(conversion, parsed, result)
    assert conversion.complete == (not parsed.errors and not result.rejected)


def test_each_order_is_written_as_it_is_converted_with_only_our_hooks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Order by order: when one is written, the orders read before it are gone already."""
    orders = [
        {**ORDER, "order_id": n, "market_order_id": f"A-{n}", "fulfillment_channel": "MFN"}
        for n in range(1, 51)
    ]
    read: list[weakref.ref[lm.Order]] = []
    alive_when_written: list[int] = []
    read_each = conversion_module.lm_json._read_each
    append = _Written.append

    def reading(*args: Any, **kwargs: Any) -> Any:
        for order in read_each(*args, **kwargs):
            read.append(weakref.ref(order))
            yield order

    def writing(self: _Written, order: ss.Order) -> None:
        alive_when_written.append(sum(ref() is not None for ref in read))
        append(self, order)

    monkeypatch.setattr(conversion_module.lm_json, "_read_each", reading)
    monkeypatch.setattr(_Written, "append", writing)
    conversion = convert_orders_json(json.dumps(orders))
    assert conversion.count == 50
    assert max(alive_when_written) == 1  # the one being written
    assert len(read) == 50
    # With a writer of the caller's, the three steps run in turn: none written one by one.
    alive_when_written.clear()
    assert convert_orders_json(json.dumps(orders), writer=_hooked_writer()).count == 50
    assert alive_when_written == []


def test_an_order_that_cannot_be_written_fails_as_dumps_of_the_list_does() -> None:
    good = mapping.to_shipstation_order(lm.read_orders([ORDER]).orders[0])
    with attrs.validators.disabled():  # a naive time: no wire format can hold it
        bad = attrs.evolve(good, order_date=datetime(2026, 11, 27, 12))  # noqa: DTZ001
    written = _Written(ss.make_converter(detailed=False))
    for order in (good, good, bad, good):
        written.append(order)
    with pytest.raises(ConversionError) as expected:
        ss.dumps([good, good, bad, good])
    with pytest.raises(ConversionError) as got:
        written.text(None)
    assert str(got.value) == str(expected.value)
    assert "$[2].orderDate" in str(got.value)
    assert type(got.value.__cause__) is type(expected.value.__cause__)
    assert written.count == 4


def test_converters_and_options_are_the_callers() -> None:
    reader = lm.make_converter(aliases={lm.Order: {"purchase_date": "order_datetime"}})
    order = {**ORDER, "purchase_date": ORDER["order_datetime"]}
    del order["order_datetime"]
    options = MappingOptions(store_id=42, order_key_prefix="shop-")
    conversion = convert_orders_json(json.dumps([order]), options, reader=reader)
    (written,) = json.loads(conversion.text)
    assert (written["orderKey"], written["advancedOptions"]["storeId"]) == ("shop-7", 42)
    assert written["orderDate"] == "2026-11-27T04:00:00.0000000"  # Pacific, from the alias
    # The default reader does not know the alias: the order cannot be read.
    assert convert_orders_json(json.dumps([order])).unreadable


def test_a_page_reports_its_next_page() -> None:
    page = {"count": 250, "next": "https://example.invalid/orders?page=2", "results": [ORDER]}
    conversion = convert_orders_json(json.dumps(page))
    assert conversion.next == page["next"]
    assert conversion.count == 1
    assert conversion.complete


def test_nothing_converted_is_an_empty_array() -> None:
    conversion = convert_orders_json("[]")
    assert (conversion.text, conversion.count, conversion.complete) == ("[]", 0, True)


@pytest.mark.parametrize(
    ("text", "where"),
    [("[{", "JSON"), ('{"orders": []}', "expected a JSON array of orders"), ("3", "@ $")],
)
def test_a_document_that_is_not_orders_raises(text: str, where: str) -> None:
    with pytest.raises(ConversionError) as info:
        convert_orders_json(text)
    assert where in str(info.value) or any(where in line for line in info.value.errors)


def test_the_text_stays_out_of_the_repr() -> None:
    conversion = convert_orders_json(json.dumps([{**ORDER, "buyer_email": "ana@example.com"}]))
    assert "ana@example.com" in conversion.text
    assert "ana@example.com" not in repr(conversion)
    assert "count=1" in repr(conversion)


def test_the_collector_is_on_again_after_and_stays_off_if_it_was() -> None:
    assert gc.isenabled()
    convert_orders_json(json.dumps([ORDER]))
    assert gc.isenabled()
    gc.disable()
    try:
        convert_orders_json(json.dumps([ORDER]))
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ConversionError):
        convert_orders_json("[")
    assert gc.isenabled()


def test_only_the_text_and_the_report_outlive_the_call() -> None:
    """The batch's dicts and models die inside the pause, so no collection walks them."""
    orders = [
        {**ORDER, "order_id": n, "market_order_id": f"A-{n}", "fulfillment_channel": "MFN"}
        for n in range(1, 301)
    ]
    text = json.dumps(orders)
    gc.collect()
    before = len(gc.get_objects())
    conversion = convert_orders_json(text)
    after = len(gc.get_objects())
    assert (conversion.count, conversion.complete, conversion.warnings) == (300, True, ())
    # Each order alone would leave a dozen tracked objects (its models and dicts) behind.
    assert after - before < 50, after - before


def test_decimal_amounts_stay_exact() -> None:
    order = {**ORDER, "order_items": [{"sku": "A", "quantity": 3, "price": "10.00"}]}
    (written,) = json.loads(convert_orders_json(json.dumps([order])).text, parse_float=Decimal)
    assert [item["unitPrice"] for item in written["items"]] == [Decimal("3.34"), Decimal("-0.02")]


def test_an_order_found_unwritable_is_named_as_dumps_names_it_after_a_valid_edge_date() -> None:
    """An instant within a day of the end of time is written fine: not the one to blame."""
    good = mapping.to_shipstation_order(lm.read_orders([ORDER]).orders[0])
    edge = attrs.evolve(good, order_date=datetime(9999, 12, 31, 20, tzinfo=UTC))
    with attrs.validators.disabled():
        bad = attrs.evolve(good, order_date=datetime(2026, 11, 27, 12))  # noqa: DTZ001
    with pytest.raises(ConversionError) as expected:
        ss.dumps([edge, bad])
    assert expected.value.errors[0].endswith("@ $[1].orderDate")  # was $[0], the valid one
    written = _Written(ss.make_converter(detailed=False))
    written.append(edge)
    written.append(bad)
    with pytest.raises(ConversionError) as got:
        written.text(None)
    assert got.value.errors == expected.value.errors


class _Moment(datetime):
    """A datetime subclass (as some libraries make) whose conversion fails otherwise."""

    def astimezone(self, tz: Any = None) -> "datetime":
        raise RuntimeError("writer: cannot convert this moment")


def test_a_writer_failure_waits_for_every_order_to_be_read_as_in_the_three_steps() -> None:
    reader = lm.make_converter()
    base = reader.get_structure_hook(lm.Order)

    def read(value: Any, cls: Any) -> lm.Order:
        if value["order_id"] == 2:
            raise RuntimeError("reader: order 2 refused")
        order: lm.Order = base(value, cls)
        when = order.order_datetime
        moment = _Moment(when.year, when.month, when.day, when.hour, tzinfo=UTC)
        return attrs.evolve(order, order_datetime=moment)

    reader.register_structure_hook(lm.Order, read)
    text = json.dumps([ORDER, {**ORDER, "order_id": 2}])
    with pytest.raises(RuntimeError, match="reader: order 2"):
        three_steps(text, reader=reader)
    with pytest.raises(RuntimeError, match="reader: order 2"):
        convert_orders_json(text, reader=reader)
    # Alone, the first order fails on writing, in both, with the writer's own exception.
    alone = json.dumps([ORDER])
    with pytest.raises(RuntimeError, match="writer: cannot convert"):
        three_steps(alone, reader=reader)
    with pytest.raises(RuntimeError, match="writer: cannot convert"):
        convert_orders_json(alone, reader=reader)


def test_an_unwritable_order_is_freed_with_its_error() -> None:
    """No cycle through the kept error: dropping it frees the order without the collector."""
    good = mapping.to_shipstation_order(lm.read_orders([ORDER]).orders[0])
    with attrs.validators.disabled():
        bad = attrs.evolve(good, order_date=datetime(2026, 11, 27, 12))  # noqa: DTZ001
    gone = weakref.ref(bad)
    written = _Written(ss.make_converter(detailed=False))
    written.append(bad)
    del bad
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(ConversionError):
            written.text(None)
        del written
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()


def test_a_reader_hook_raising_stop_iteration_cannot_end_a_callers_loop_early() -> None:
    """``read_orders`` reads through a generator: a stray StopIteration becomes RuntimeError."""
    reader = lm.make_converter()

    def read(value: Any, cls: Any) -> lm.Order:
        raise StopIteration

    reader.register_structure_hook(lm.Order, read)
    with pytest.raises(RuntimeError, match="generator raised StopIteration"):
        lm.read_orders([ORDER], converter=reader)
    with pytest.raises(RuntimeError, match="generator raised StopIteration"):
        convert_orders_json(json.dumps([ORDER]), reader=reader)
