"""JSON text in and out, with every number kept exact, through msgspec's C reader and writer.

Reading parses every JSON number with a fraction or an exponent as ``Decimal`` (never through
``float``: msgspec hands the number's own text to ``Decimal``). Writing emits ``Decimal``
values as JSON numbers digit for digit (``decimal_format="number"``). The standard library can
read that way (``parse_float=Decimal``) but cannot write a ``Decimal`` as a number; msgspec
does both in C, several times faster than simplejson, which this module used before (the output
is byte-identical: compact separators, non-ASCII kept, the same escapes).

Refusals kept from before: a number no ``Decimal`` can hold (``1e99999999999999999999``), an
integer of thousands of digits, nesting deeper than the interpreter's recursion limit, invalid
UTF-8, ``NaN``/``Infinity`` (not JSON), and writing a non-finite ``Decimal``.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from . import _gc
from .errors import ConversionError

__all__ = ["dumpb", "dumps", "loads"]


_HUGE_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?[eE][+-]?\d{7,}")

_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_ENCODER = msgspec.json.Encoder(decimal_format="number")


def _out_of_range(text: str | bytes) -> str:
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    match = _HUGE_NUMBER.search(data)
    if match is None:
        return "a number is out of range"
    shown = match.group().decode("ascii")
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return f"number {shown} is out of range (char {match.start()})"


def loads(text: str | bytes) -> Any:
    """Parse JSON text; numbers with a fraction or exponent become ``Decimal``.

    Raises:
        ConversionError: Not JSON, a number out of range, or nesting too deep.
    """
    try:
        with _gc.paused():  # a large document is many dicts and lists, none in a cycle
            return _DECODER.decode(text)
    except msgspec.ValidationError as exc:  # an integer of thousands of digits
        line = f"a number is out of range: {exc}"
        raise ConversionError("not valid JSON", errors=(line,)) from exc
    except msgspec.DecodeError as exc:
        raise ConversionError("not valid JSON", errors=(str(exc),)) from exc
    except (InvalidOperation, OverflowError) as exc:  # 1e99999999999999999999: no Decimal holds it
        raise ConversionError("not valid JSON", errors=(_out_of_range(text),)) from exc
    except RecursionError as exc:  # [[[[... thousands deep: refuse, do not crash
        raise ConversionError("JSON nested too deeply", errors=(str(exc),)) from exc
    except (ValueError, UnicodeError) as exc:
        raise ConversionError("not valid JSON", errors=(str(exc),)) from exc


def dumpb(data: Any, *, indent: int | None = None) -> bytes:
    """Write unstructured data as UTF-8 JSON bytes; ``Decimal`` becomes an exact JSON number.

    Compact (``,`` and ``:``) unless *indent* is given (then ``", "``-free lines and ``": "``).

    Raises:
        ConversionError: A value JSON cannot hold (a non-finite ``Decimal``, an unknown type, a
            lone surrogate).
    """
    try:
        raw = _ENCODER.encode(data)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ConversionError("cannot write JSON", errors=(str(exc),)) from exc
    return raw if indent is None else msgspec.json.format(raw, indent=indent)


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Write unstructured data as JSON text; ``Decimal`` becomes an exact JSON number.

    Raises:
        ConversionError: A value JSON cannot hold (see :func:`dumpb`).
    """
    return dumpb(data, indent=indent).decode("utf-8")
