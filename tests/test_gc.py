"""The collector pause: restored as found, and the batch's objects aged past the young walks."""

import gc
import weakref
from collections.abc import Iterator

import pytest

from listingmirror_shipstation import _gc, mapping
from listingmirror_shipstation import listingmirror as lm


@pytest.fixture(autouse=True)
def _collector_as_found() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if gc.get_freeze_count():
        gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def _generation(obj: object) -> int | None:
    for generation in range(3):
        if any(o is obj for o in gc.get_objects(generation=generation)):
            return generation
    return None


def test_the_collector_is_off_during_the_pause_and_on_after() -> None:
    gc.enable()
    with _gc.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    gc.disable()
    with _gc.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_is_restored_when_the_block_raises() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), _gc.paused():
        raise RuntimeError
    assert gc.isenabled()


class _Node:
    """A weak-referenceable object to put in a reference cycle."""

    def __init__(self) -> None:
        self.me = self


def test_cycles_made_between_pauses_are_still_collected() -> None:
    """A loop of short paused batches (a server, a sync) still collects every generation.

    Ending a pause with gc.freeze()/gc.unfreeze() reset every generation's count, so the
    middle and full collections never ran again and the caller's cycles stayed for good.
    """
    gc.enable()
    gc.collect()
    alive = []
    kept = []
    for n in range(3000):
        node = _Node()  # the caller's garbage: freed only by the collector
        alive.append(weakref.ref(node))
        del node
        with _gc.paused():
            kept.append([[i] for i in range(20)])  # a small batch: its output survives
        if n % 100 == 0:
            kept = kept[-50:]
    still_alive = sum(ref() is not None for ref in alive)
    assert still_alive < len(alive) // 2, still_alive  # with freeze/unfreeze: all 3,000


@pytest.mark.parametrize("detailed", [False, True])
def test_reading_and_converting_a_batch_with_refusals_leaves_no_cycles(detailed: bool) -> None:
    """Rejected and unreadable orders are freed by reference counting, with their batch.

    A rejection kept its traceback, which kept the frame holding the batch's lists, which held
    the rejection; cattrs' detailed errors, and the errors chained under them (a ``ValueError``
    raised while handling ``InvalidOperation``), did the same for an unreadable order. Each
    such cycle kept a whole batch in memory until a full collection.
    """
    good = {
        "order_id": 1,
        "market_order_id": "A",
        "order_datetime": "2026-01-01T00:00:00Z",
        "order_status": "Paid",
        "ship_to": {"name": "N", "street1": "1 Main", "city": "Austin", "country": "US"},
        "order_items": [{"sku": "S", "quantity": 1, "price": "1.00"}],
    }
    page = {
        "count": 7,
        "next": None,
        "results": [
            good,
            {**good, "order_id": 2, "fulfillment_channel": "FBA"},  # filtered
            {**good, "order_id": "x"},  # unreadable: not an id
            {**good, "order_id": 4, "order_items": [{"sku": "S", "quantity": 0, "price": "1"}]},
            {**good, "order_id": 5, "order_items": [{"sku": "S", "quantity": 1, "price": ""}]},
            {**good, "order_id": 6, "order_datetime": "9999-12-31T23:59:59-01:00"},
            {**good, "order_id": 7, "market_order_id": "\x01\x02"},  # refused by validation
        ],
    }
    converter = lm.make_converter(detailed=detailed)

    def run() -> tuple[int, int, int]:
        parsed = converter.read_orders(page)
        rest = mapping.convert_orders(parsed.orders)
        export = mapping.convert_customstore_orders(parsed.orders)
        return len(parsed.errors), len(rest.rejected), len(export.rejected)

    counts = run()  # warmed up: every hook built
    assert counts[0] >= 3  # the id, the price and the date
    assert counts[1] >= 2
    assert counts[2] >= 3  # and the order number the export refuses
    gc.collect()
    gc.disable()
    assert run() == counts
    assert gc.collect() == 0
