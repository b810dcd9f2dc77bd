"""The one place the library turns source it wrote into a function, as attrs and cattrs do.

Three generators write Python source for the models: :mod:`._fastinit` (the models'
``__init__``), :mod:`._fast_structure` and :mod:`._fast_unstructure` (the fast converters'
reading and writing functions). They write only fixed text, names of their own (``_s3``,
``v3``), field names checked to be identifiers, and ``repr()`` of ``str`` wire keys; every
other value (defaults, hooks, descriptors, validators) goes in the function's globals. They run
when a class is first built or converted, on the class and the converter's settings, never on
input. ``tests/test_security.py`` lets this module alone call ``exec``.

The source is kept in :mod:`linecache`, so a traceback through a generated function shows its
lines. Converters generate the same text again and again (each ``make_converter`` does); one
entry serves every function with that text, so making converters does not grow the cache.
"""

import contextlib
import itertools
import linecache
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["function", "generating"]

_working = threading.local()


def _filename(prefix: str, source: str) -> str:
    """``<prefix>``, or ``<prefix-2>``..., the first name free or holding this very text."""
    lines = source.splitlines(True)
    for count in itertools.count(1):
        filename = f"<{prefix}{f'-{count}' if count > 1 else ''}>"
        entry = (len(source), None, lines, filename)
        if linecache.cache.setdefault(filename, entry) == entry:
            return filename
    raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends


def function(source: str, *, name: str, prefix: str, namespace: dict[str, Any]) -> Any:
    """Compile *source* (which defines the function *name*) with *namespace* as its globals.

    Args:
        source: Python source of one ``def``, written by a generator of this library.
        name: The function it defines.
        prefix: Its name in tracebacks (``fast structure mod.Class``), made unique per text.
        namespace: The function's globals: every value the source refers to by name.
    """
    filename = _filename(prefix, source)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - see the module docstring
    return namespace[name]


@contextlib.contextmanager
def generating(cls: type, kind: str) -> Iterator[None]:
    """Mark *cls* as being generated in this thread, by the generator *kind*, in the block.

    Raises:
        RecursionError: *cls* is being generated already (a model that holds itself): cattrs
            catches it and binds the inner hook late, as for its own functions.
    """
    working: set[tuple[str, type]] | None = getattr(_working, "classes", None)
    if working is None:
        working = _working.classes = set()
    if (kind, cls) in working:
        raise RecursionError(f"{cls.__qualname__} holds itself")
    working.add((kind, cls))
    try:
        yield
    finally:
        working.discard((kind, cls))
