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

A lone UTF-16 surrogate escape (the high or low half of a pair, without the other half) is
valid JSON grammar but no character: no UTF-8 text can hold it, so it could be read but never
written. Both readers replace it with U+FFFD (the replacement character) and log a warning, so
one such name never stops a batch.

Positions: every position in an error message is a byte offset into the whole UTF-8 text,
``(byte N)``, counted from 0 (msgspec's own unit; :class:`ArrayStream` counts the same way
across its blocks). No line or column is reported.

Non-finite numbers: ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON, so neither reader
accepts them and neither writer writes them: :func:`dumpb`, :func:`dumps` (and the ``convert``
command's writer, which goes through :func:`dumps`) refuse a non-finite ``float`` or
``Decimal`` with a :class:`~listingmirror_shipstation.errors.ConversionError` naming where
it is (``@ $[0].weight``), where msgspec alone would write a float's as ``null``.

Duplicate keys: JSON leaves an object with a key given twice to the reader. A key given twice
in the top-level object (a page's ``results``, ``count`` or ``next``) is refused by both
readers, naming the key and the byte of its second occurrence: two order lists (or two counts)
are ambiguous, and :class:`ArrayStream` could not take the last ``results`` without holding
the first. Deeper down (inside an order) both readers keep the last value, as msgspec and the
standard library both do, so one order's duplicate never stops a batch. A key that is not a
string (``{1: 2}``) is not JSON and is refused by both.
"""

import codecs
import json
import logging
import math
import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import msgspec

from . import _gc
from .errors import ConversionError

__all__ = ["MAX_ITEM_CHARS", "ArrayEncoder", "ArrayStream", "dumpb", "dumps", "loads"]


logger = logging.getLogger(__name__)

#: A surrogate code point left alone: what the standard library reads from a lone ``\\ud800``.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: A ``\\uD800``-``\\uDFFF`` escape in JSON text (the cheap test before the walk below).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _mend(value: Any) -> Any:
    """*value* with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_mend(item) for item in value]
    if isinstance(value, dict):
        return {_mend(key): _mend(item) for key, item in value.items()}
    return value


def _mended(value: Any) -> Any:
    mended = _mend(value)
    if mended != value:
        logger.warning(
            "JSON text held a lone UTF-16 surrogate escape (no character): read as U+FFFD"
        )
    return mended


_HUGE_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?[eE][+-]?\d{7,}")

_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_ENCODER = msgspec.json.Encoder(decimal_format="number")


def _utf8_len(text: str) -> int:
    """The length of *text* in UTF-8 bytes (without encoding it when it is ASCII)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _out_of_range(text: str | bytes, *, base: int = 0) -> str:
    """Name the number no ``Decimal`` holds, at its byte in the whole text.

    *text* is a piece of the whole text, starting at byte *base*.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    match = _HUGE_NUMBER.search(data)
    if match is None:
        return "a number is out of range"
    shown = match.group().decode("ascii")
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return f"number {shown} is out of range (byte {base + match.start()})"


def loads(text: str | bytes) -> Any:
    """Parse JSON text; numbers with a fraction or exponent become ``Decimal``.

    A key given twice in the top-level object is refused; deeper down the last value is kept
    (see the module's notes on duplicate keys).

    Raises:
        ConversionError: Not JSON, a number out of range, nesting too deep, or a key given
            twice in the top-level object.
    """
    try:
        with _gc.paused():  # a large document is many dicts and lists, none in a cycle
            value = _DECODER.decode(text)
    except msgspec.ValidationError as exc:  # an integer of thousands of digits
        line = f"a number is out of range: {exc}"
        raise ConversionError("not valid JSON", errors=(line,)) from exc
    except msgspec.DecodeError as exc:
        if _SURROGATE_ESCAPE.search(text if isinstance(text, str) else text.decode("latin-1")):
            value = _loads_with_surrogates(text, exc)
        else:
            raise ConversionError("not valid JSON", errors=(str(exc),)) from exc
    except (InvalidOperation, OverflowError) as exc:  # 1e99999999999999999999: no Decimal holds it
        raise ConversionError("not valid JSON", errors=(_out_of_range(text),)) from exc
    except RecursionError as exc:  # [[[[... thousands deep: refuse, do not crash
        raise ConversionError("JSON nested too deeply", errors=(str(exc),)) from exc
    except (ValueError, UnicodeError) as exc:
        raise ConversionError("not valid JSON", errors=(str(exc),)) from exc
    if type(value) is dict and _may_repeat_a_key(text, value):
        try:
            repeated = _repeated_top_level_key(text)
        except RecursionError as exc:  # too deep for the standard library to walk: refused
            # rather than let a repeated key through unseen.
            raise ConversionError("JSON nested too deeply", errors=(str(exc),)) from exc
        if repeated is not None:
            raise _repeated_key_error(*repeated)
    return value


def _repeated_key_error(key: str, at: int) -> ConversionError:
    return ConversionError(
        "ambiguous JSON",
        errors=(f"key {key!r} is given twice (the second at byte {at}) @ $",),
    )


def _may_repeat_a_key(text: str | bytes, value: dict[str, Any]) -> bool:
    r"""``False`` when *text* (which read as *value*) surely gives no key twice in one object.

    A cheap test, exact in one direction: each key in the text is followed by one ``:``,
    and any other ``:`` is inside a string, where it reads as one ``:`` of the value (only the
    escape ``\u003a`` reads as a ``:`` the text does not show, hence the second test). So
    text with no repeated key has no more ``:`` than *value* written back; a key read twice
    (and its value) was dropped from *value*, so the text has more.
    """
    if isinstance(text, str):
        colons, escaped = text.count(":"), _COLON_ESCAPE_TEXT.search(text) is not None
    else:
        colons, escaped = text.count(b":"), _COLON_ESCAPE.search(text) is not None
    return escaped or colons > _ENCODER.encode(value).count(b":")


#: The one escape that reads as a colon (``\u003a``, either case); ``\u003c`` and the like,
#: which HTML-safe encoders write, are not colons and need no second look.
_COLON_ESCAPE: Final = re.compile(rb"\\u003[aA]")
_COLON_ESCAPE_TEXT: Final = re.compile(r"\\u003[aA]")


def _repeated_top_level_key(text: str | bytes) -> tuple[str, int] | None:
    """The first key the top-level object of valid JSON *text* gives twice, and its byte."""
    try:
        decoded = text if isinstance(text, str) else text.decode("utf-8", "surrogatepass")
        position = _WHITESPACE.match(decoded, 0).end()  # type: ignore[union-attr]
        if decoded[position : position + 1] != "{":
            return None
        seen: set[str] = set()
        position = _WHITESPACE.match(decoded, position + 1).end()  # type: ignore[union-attr]
        while decoded[position : position + 1] == '"':
            key, end = _ITEM_DECODER.raw_decode(decoded, position)
            if key in seen:
                return key, _utf8_len(decoded[:position])
            seen.add(key)
            colon = _WHITESPACE.match(decoded, end).end()  # type: ignore[union-attr]
            start = _WHITESPACE.match(decoded, colon + 1).end()  # type: ignore[union-attr]
            _, end = _ITEM_DECODER.raw_decode(decoded, start)
            comma = _WHITESPACE.match(decoded, end).end()  # type: ignore[union-attr]
            if decoded[comma : comma + 1] != ",":
                return None
            position = _WHITESPACE.match(decoded, comma + 1).end()  # type: ignore[union-attr]
    except (ValueError, UnicodeError, InvalidOperation, OverflowError):
        return None  # msgspec read it; whatever the standard library balks at is not a repeat
    return None


def _loads_with_surrogates(text: str | bytes, refused: Exception) -> Any:
    """Read text msgspec refused for a lone surrogate escape, with the standard library.

    The standard library reads such an escape as a lone surrogate code point, which
    :func:`_mend` then replaces; any other fault is reported as msgspec reported it.
    """
    try:
        decoded = text if isinstance(text, str) else text.decode("utf-8")
        with _gc.paused():
            value = _ITEM_DECODER.decode(decoded)
    except (ValueError, UnicodeError, InvalidOperation, OverflowError, RecursionError):
        raise ConversionError("not valid JSON", errors=(str(refused),)) from refused
    return _mended(value)


#: A non-finite IEEE double in MessagePack (``0xcb``, then an exponent of all ones).
_NON_FINITE_DOUBLE = re.compile(rb"\xcb[\x7f\xff][\xf0-\xff]", re.DOTALL)


def _non_finite(data: Any, path: str = "$") -> tuple[str, Any] | None:
    """The path and value of the first non-finite ``float`` or ``Decimal`` in *data*."""
    stack: list[tuple[str, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        kind = type(value)
        if kind is float or isinstance(value, float):
            if not math.isfinite(value):
                return where, value
        elif isinstance(value, Decimal):
            if not value.is_finite():
                return where, value
        elif isinstance(value, dict):
            stack.extend((f"{where}.{key}", item) for key, item in reversed(value.items()))
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{where}[{n}]", item) for n, item in reversed(list(enumerate(value))))
        elif isinstance(value, (set, frozenset)):
            stack.extend((f"{where}[]", item) for item in value)
        elif not isinstance(value, (str, int, bytes, bytearray, type(None))):
            try:  # an object msgspec writes as a JSON object (a dataclass, an attrs class)
                converted = msgspec.to_builtins(value, builtin_types=(Decimal,))
            except (TypeError, ValueError):
                continue
            if type(converted) is not kind:
                stack.append((where, converted))
    return None


def _refuse_non_finite(where: str, value: Any) -> ConversionError:
    return ConversionError(
        "cannot write JSON",
        errors=(f"{value!r} is not a JSON number (JSON has no NaN or infinity) @ {where}",),
    )


def _may_hold_non_finite(data: Any) -> bool:
    """``False`` when *data* surely holds no non-finite float (a quick look at its bits)."""
    try:
        packed = msgspec.msgpack.encode(data)
    except (OverflowError, TypeError, ValueError):  # an integer past 64 bits: look closer
        return True
    return _NON_FINITE_DOUBLE.search(packed) is not None


def dumpb(data: Any, *, indent: int | None = None) -> bytes:
    """Write unstructured data as UTF-8 JSON bytes; ``Decimal`` becomes an exact JSON number.

    Compact (``,`` and ``:``) unless *indent* is given (then ``", "``-free lines and ``": "``).

    Raises:
        ConversionError: A value JSON cannot hold: a non-finite ``float`` or ``Decimal``
            (``NaN``, ``inf``; the error names its path), an unknown type, a lone surrogate.
    """
    raw = _encode(data, lambda: _non_finite(data))
    return raw if indent is None else msgspec.json.format(raw, indent=indent)


def _encode(data: Any, find: Callable[[], tuple[str, Any] | None]) -> bytes:
    """*data* as compact JSON bytes; *find* names the non-finite value to refuse, if any."""
    try:
        raw = _ENCODER.encode(data)
    except (ValueError, TypeError, OverflowError) as exc:
        found = find() if isinstance(exc, ValueError) else None
        if found is not None:
            raise _refuse_non_finite(*found) from exc
        raise ConversionError("cannot write JSON", errors=(str(exc),)) from exc
    # msgspec writes a non-finite float as null. No null, no such float; else a second,
    # cheaper encoding (MessagePack keeps the float's bits) says whether to look for it.
    if b"null" in raw and _may_hold_non_finite(data):
        found = find()
        if found is not None:
            raise _refuse_non_finite(*found)
    return raw


class ArrayEncoder:
    """Writes a JSON array an item at a time: the bytes and errors :func:`dumpb` gives the list.

    Each item is encoded when it is added, so the caller can drop it at once (and its memory is
    reused, warm, for the next one) instead of holding the whole list until the end. The items
    before the first one that needs a closer look (one msgspec refuses, or that may hold a
    non-finite float) hold nothing :func:`dumpb` refuses; from that one on, items are kept and
    written at the end as :func:`dumpb` writes a list, so any error is the one :func:`dumpb` of
    the whole list raises, naming the same path (``$[3].unitPrice``).

    One difference is left, at the edge of the interpreter: an item is encoded one level less
    deep than inside the list, so an item nested within a level of the recursion limit may be
    written where :func:`dumpb` of the list raises ``RecursionError`` (the orders this is for
    are a few levels deep).
    """

    __slots__ = ("_parts", "_start", "_tail", "count")

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._tail: list[Any] | None = None
        self._start = 0
        #: How many items were added.
        self.count = 0

    def add(self, item: Any) -> None:
        """Encode *item* as the array's next item (or keep it, from the first doubtful one)."""
        index = self.count
        self.count += 1
        if self._tail is not None:
            self._tail.append(item)
            return
        try:
            raw = _ENCODER.encode(item)
            doubtful = b"null" in raw and _may_hold_non_finite(item)
        except Exception:  # looked at again, as part of the list, at the end
            raw, doubtful = b"", True
        if doubtful:
            self._tail, self._start = [item], index
            return
        self._parts.append(raw)

    def getvalue(self, *, indent: int | None = None) -> bytes:
        """The array as :func:`dumpb` writes the list of the items added.

        Raises:
            ConversionError: As :func:`dumpb` of that list raises it.
        """
        parts = self._parts
        tail = self._tail
        if tail is not None:
            start = self._start
            raw_tail = _encode(tail, lambda: _first_non_finite(tail, start))
            parts = [*parts, raw_tail[1:-1]]  # the tail's items, without its brackets
        raw = b"[" + b",".join(parts) + b"]"
        return raw if indent is None else msgspec.json.format(raw, indent=indent)


def _first_non_finite(items: list[Any], start: int) -> tuple[str, Any] | None:
    """:func:`_non_finite` of a list whose *items* are its items from index *start* on."""
    for offset, item in enumerate(items):
        found = _non_finite(item, f"$[{start + offset}]")
        if found is not None:
            return found
    return None


def dumps(data: Any, *, indent: int | None = None) -> str:
    """Write unstructured data as JSON text; ``Decimal`` becomes an exact JSON number.

    Raises:
        ConversionError: A value JSON cannot hold (see :func:`dumpb`), a non-finite ``float``
            or ``Decimal`` among them.
    """
    return dumpb(data, indent=indent).decode("utf-8")


# --- Reading a large document a piece at a time -------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_CHARS = frozenset("0123456789.eE+-")
#: One array item (an order) larger than this is refused rather than read into memory.
MAX_ITEM_CHARS = 64 * 1024 * 1024


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: The standard library's decoder reads one value at a given offset (``raw_decode``), which
#: msgspec cannot; it is set up to give the same values as :func:`loads` (numbers with a
#: fraction or exponent as ``Decimal``, ``NaN``/``Infinity`` refused).
_ITEM_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)


class ArrayStream:
    """Reads the items of a JSON array, or of a page's ``results`` array, one at a time.

    The text is read from *source* in blocks, so memory holds one block and one item, however
    long the array. A page's other keys (``count``, ``next``) are read as they come and kept
    in :attr:`page` (keys after ``results`` once the items are all read). A page whose keys
    are not all strings, or which gives a key twice (two ``results``), is refused.

    Every position in an error is a byte offset into the whole UTF-8 text (``byte N``), as
    :func:`loads` reports it, however the text was cut into blocks.

    Args:
        source: A binary file of UTF-8 text (``read(size) -> bytes``; decoded here, strictly),
            or a text file (``read(size) -> str``; its positions are those of its UTF-8
            encoding).
        block: Bytes (or characters, for a text file) read at a time.

    Raises:
        ConversionError: (while iterating) the text is not UTF-8 or not JSON, not an array nor
            a page with ``results``, gives a page key twice, or an item is out of range, nested
            too deeply or too large.
    """

    def __init__(self, source: Any, *, block: int = 1 << 20) -> None:
        self._source = source
        self._block = block
        self._buffer = ""
        self._position = 0
        #: The byte offset of ``_buffer[0]`` in the whole text.
        self._base = 0
        #: Bytes read from a binary source so far, and their decoder (``None`` until one came).
        self._read = 0
        self._decoder: codecs.IncrementalDecoder | None = None
        self._eof = False
        #: The page's keys other than ``results`` (empty for a bare array).
        self.page: dict[str, Any] = {}

    @property
    def consumed(self) -> int:
        """Bytes of the text read so far, up to the current position (for a progress display)."""
        return self._byte_at(self._position)

    def _byte_at(self, index: int) -> int:
        """The byte offset in the whole text of ``_buffer[index]``."""
        return self._base + _utf8_len(self._buffer[:index])

    def _decode(self, data: bytes) -> str:
        """*data*, the next bytes of the text (``b""`` at its end), decoded as strict UTF-8."""
        if self._decoder is None:
            self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        pending = len(self._decoder.getstate()[0])  # an unfinished character from the last block
        try:
            return self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            at = self._read - pending + exc.start
            raise ConversionError("not UTF-8 text", errors=(f"{exc.reason} (byte {at})",)) from None
        finally:
            self._read += len(data)

    def _fill(self) -> bool:
        if self._eof:
            return False
        data = self._source.read(self._block)
        text = self._decode(data) if isinstance(data, bytes) else data
        self._base += _utf8_len(self._buffer[: self._position])
        self._buffer = self._buffer[self._position :] + text
        self._position = 0
        if not data:
            self._eof = True
        return bool(data)

    def _skip_whitespace(self) -> str:
        """The next character after whitespace ('' at the end of the text)."""
        while True:
            match = _WHITESPACE.match(self._buffer, self._position)
            self._position = match.end() if match else self._position
            if self._position < len(self._buffer):
                return self._buffer[self._position]
            if not self._fill():
                return ""

    def _refuse(self, expected: str, found: str) -> ConversionError:
        shown = repr(found) if found else "the end of the text"
        return ConversionError(
            "not valid JSON",
            errors=(f"expected {expected}, got {shown} (byte {self._byte_at(self._position)})",),
        )

    def _expect(self, wanted: str, what: str) -> str:
        found = self._skip_whitespace()
        if found not in wanted:
            raise self._refuse(what, found)
        self._position += 1
        return found

    def _value(self) -> Any:
        """Read one complete JSON value at the current position (reading more as needed)."""
        self._skip_whitespace()
        while True:
            start = self._position
            try:
                value, end = _ITEM_DECODER.raw_decode(self._buffer, start)
            except json.JSONDecodeError as exc:
                # Cut by the end of the block (a literal, a string, a value still to come)?
                # Then read on; an error far from the end is a real one, reported at once.
                incomplete = exc.pos >= len(self._buffer) - 1024 or exc.msg.startswith(
                    "Unterminated string"
                )
                into = exc.pos - start  # reading on moves the value to the buffer's start
                if incomplete and self._grow():
                    continue
                at = self._byte_at(self._position + into)
                raise ConversionError("not valid JSON", errors=(f"{exc.msg} (byte {at})",)) from exc
            except (InvalidOperation, OverflowError) as exc:
                line = _out_of_range(self._buffer[start:], base=self._byte_at(start))
                raise ConversionError("not valid JSON", errors=(line,)) from exc
            except RecursionError as exc:
                line = f"{exc} (in the value at byte {self._byte_at(start)})"
                raise ConversionError("JSON nested too deeply", errors=(line,)) from exc
            except ValueError as exc:  # an integer of thousands of digits, NaN
                line = f"{exc} (in the value at byte {self._byte_at(start)})"
                raise ConversionError("not valid JSON", errors=(line,)) from exc
            if (
                not self._eof
                and (end == len(self._buffer) or self._buffer[end] in _NUMBER_CHARS)
                and self._grow()
            ):
                continue  # a number cut by the end of the block goes on in the next one
            if _SURROGATE_ESCAPE.search(self._buffer, start, end):
                value = _mended(value)
            self._position = end
            return value

    def _grow(self) -> bool:
        """Read the next block onto the buffer; ``False`` at the end of the text."""
        if len(self._buffer) - self._position > MAX_ITEM_CHARS:
            raise ConversionError(
                "not valid JSON",
                errors=(f"an item is larger than {MAX_ITEM_CHARS:,} characters",),
            )
        return self._fill()

    def _items(self) -> Iterator[Any]:
        """The items of the array that starts at the current position."""
        if self._skip_whitespace() == "]":
            self._position += 1
            return
        while True:
            yield self._value()
            if self._expect(",]", "',' or ']' after an item") == "]":
                return

    def _page(self) -> Iterator[Any]:
        """The items of the ``results`` of the page whose ``{`` was just read; keeps the rest."""
        found = False
        seen: set[str] = set()
        if self._skip_whitespace() == "}":
            self._position += 1
        else:
            while True:
                first = self._skip_whitespace()
                if first != '"':  # {1: 2} is not JSON: a key is a string
                    raise self._refuse("a key in double quotes", first)
                at = self._byte_at(self._position)
                key = self._value()
                if key in seen:
                    raise _repeated_key_error(key, at)
                seen.add(key)
                self._expect(":", "':' after a key")
                if key == "results" and self._skip_whitespace() == "[":
                    self._position += 1
                    found = True
                    yield from self._items()
                else:
                    self.page[key] = self._value()
                if self._expect(",}", "',' or '}' in the page") == "}":
                    break
        if not found:
            raise ConversionError(
                "cannot read orders",
                errors=("expected a JSON array of orders or a page with 'results' @ $",),
            )

    def __iter__(self) -> Iterator[Any]:
        """Every item, in order (for a page, the items of ``results``)."""
        opening = self._expect("[{", "a JSON array of orders or a page with 'results'")
        yield from (self._items() if opening == "[" else self._page())
        if self._skip_whitespace():
            raise ConversionError(
                "not valid JSON",
                errors=(f"extra data after the document (byte {self.consumed})",),
            )
