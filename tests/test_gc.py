"""The collector pause: restored as found, and the batch's objects aged past the young walks."""

import gc
from collections.abc import Iterator

import pytest

from listingmirror_shipstation import _gc


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


def test_objects_made_during_the_pause_end_in_the_oldest_generation() -> None:
    gc.enable()
    gc.collect()
    with _gc.paused():
        made = [[n] for n in range(10)]  # tracked containers, young when made
        assert _generation(made) == 0
    assert _generation(made) == 2
    assert gc.get_freeze_count() == 0  # aged, not left frozen


def test_objects_frozen_by_someone_else_stay_frozen() -> None:
    gc.enable()
    kept = [[n] for n in range(10)]
    gc.freeze()  # e.g. a pre-fork server
    frozen = gc.get_freeze_count()
    with _gc.paused():
        made = [[n] for n in range(10)]
    assert gc.get_freeze_count() == frozen  # not unfrozen by us
    assert _generation(kept) is None  # still in the permanent generation
    assert _generation(made) is not None  # ours were not frozen either
