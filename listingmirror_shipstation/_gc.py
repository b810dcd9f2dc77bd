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
