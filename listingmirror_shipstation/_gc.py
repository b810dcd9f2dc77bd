"""The cyclic garbage collector paused while a batch builds many objects that hold no cycles.

Reading, converting and writing a batch of orders allocates hundreds of thousands of small
container objects (dicts, tuples, attrs instances). None of them forms a reference cycle, so
reference counting frees each as soon as it is dropped; the cyclic collector finds nothing to
free, but CPython still runs it every few hundred allocations and, as the batch grows, walks
ever more of the heap (a third of the time of a 10,000-order conversion). :func:`paused`
turns it off for the batch and back on at the end, in ``finally``, only if it was on.

It is process-wide: another thread running meanwhile also runs without it until the batch ends
(cycles it makes are collected then, not lost). A caller who turned the collector off keeps it
off.

Nothing else is done to the collector's state. Ending a pause with ``gc.freeze()`` and
``gc.unfreeze()`` (to move the batch's survivors past the young generations' walks) was tried
and measured at a tenth of a conversion, and taken out again: on CPython 3.11 ``gc.freeze()``
sets the counts of *every* generation to zero, so a process that calls the library more often
than every few thousand allocations (a server answering exports, a sync loop) never ran a
middle or full collection again, and every cycle, its own or ours, stayed in memory for good.
``tests/test_gc.py`` holds that the oldest generation is still collected between pauses.
"""

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block (restored in ``finally``)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
