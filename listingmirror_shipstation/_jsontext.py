"""JSON text in and out, with every number kept exact.

Reading parses every JSON number with a fraction as ``Decimal`` (never through ``float``).
Writing emits ``Decimal`` values as JSON numbers digit for digit. The standard library can read
that way (``parse_float=Decimal``) but cannot write a ``Decimal`` as a number, hence simplejson,
whose C encoder does it at full speed.
"""

import re
from decimal import InvalidOperation
from typing import Any

import simplejson

from .errors import ConversionError

__all__ = ["dumps", "loads"]


_HUGE_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?[eE][+-]?\d{7,}")


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
    """Parse JSON text; numbers with a fraction or exponent become ``Decimal``."""
    try:
        return simplejson.loads(text, use_decimal=True, allow_nan=False)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConversionError("not valid JSON", errors=(str(exc),)) from exc
    except (InvalidOperation, OverflowError) as exc:  # 1e99999999999999999999: no Decimal holds it
        raise ConversionError("not valid JSON", errors=(_out_of_range(text),)) from exc
    except RecursionError as exc:  # [[[[... thousands deep: refuse, do not crash
        raise ConversionError("JSON nested too deeply", errors=(str(exc),)) from exc


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Write unstructured data as JSON text; ``Decimal`` becomes an exact JSON number."""
    try:
        text: str = simplejson.dumps(
            data,
            use_decimal=True,
            allow_nan=False,
            ensure_ascii=False,
            indent=indent,
            separators=(",", ": ") if indent is not None else (",", ":"),
        )
    except (ValueError, TypeError) as exc:
        raise ConversionError("cannot write JSON", errors=(str(exc),)) from exc
    return text
