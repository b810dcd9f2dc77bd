"""The cyclic garbage collector paused while a batch builds many objects that hold no cycles.

Reading, converting and writing a batch of orders allocates hundreds of thousands of small
container objects (dicts, tuples, attrs instances). None of them forms a reference cycle, so
reference counting frees each as soon as it is dropped; the cyclic collector finds nothing to
free, but CPython still runs it every few hundred allocations and, as the batch grows, walks
ever more of the heap (a third of the time of a 10,000-order conversion). :func:`paused`
turns it off for the batch and back on at the end, in ``finally``, only if it was on.

At the end of a pause the objects made during it are moved to the oldest generation
(``gc.freeze()`` then ``gc.unfreeze()``, two O(1) list moves). Without that, the young
generation's count has grown by the whole batch while the collector was off, so the first
allocation after the pause runs a collection that walks every surviving object of the batch
(they are the output: all survive), and later ones walk them again as they age; a tenth of a
conversion went there. This is skipped when something else has frozen objects
(``gc.get_freeze_count() > 0``, e.g. a pre-fork server), so their freeze is left as it is.

It is process-wide: another thread running meanwhile also runs without the collector until the
batch ends, and its young objects are aged with the batch's, so a cycle it made is collected by
the next full collection rather than a young one: later, never lost. A caller who turned the
collector off keeps it off.
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
        if not gc.get_freeze_count():
            gc.freeze()  # the survivors skip the young generations' walks (see above)
            gc.unfreeze()
        gc.enable()
