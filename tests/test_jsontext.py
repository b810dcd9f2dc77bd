"""``_jsontext`` is strict where it was lenient, and says where, in bytes of the whole text.

Three leftovers of the earlier reviews:

* ``ArrayStream`` read ``{1: 2, "results": [...]}`` (a key that is not a string: not JSON) and
  a page giving ``results`` twice (it yielded both lists, one after the other); ``loads`` kept
  the last ``results`` without a word. Both now refuse a key given twice in the top-level
  object, naming it and its byte; deeper down both keep the last value, as before.
* ``dumps``/``dumpb`` wrote a float ``NaN`` or infinity as ``null`` although their docstrings
  said non-finite values were refused; now both refuse them, floats and ``Decimal`` alike.
* ``ArrayStream`` counted its positions in characters, and lost count when a value met the end
  of the text; every position is now a byte of the whole UTF-8 text, whatever the blocks.
"""

import io
import json
import math
from decimal import Decimal
from typing import Any, ClassVar

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import _jsontext
from listingmirror_shipstation.errors import ConversionError


def stream_error(data: bytes, *, block: int, text: bool = False) -> ConversionError:
    """The error ``ArrayStream`` raises on *data*, read as bytes (or as text) in *block* pieces."""
    source: Any = io.StringIO(data.decode("utf-8")) if text else io.BytesIO(data)
    with pytest.raises(ConversionError) as caught:
        list(_jsontext.ArrayStream(source, block=block))
    return caught.value


def byte_of(error: ConversionError) -> int:
    """The byte offset an error reports (``(byte N)`` or ``at byte N``)."""
    (line,) = error.errors
    return int(line.rpartition("byte ")[2].split(")")[0])


#: Text before the fault: multi-byte UTF-8 (2, 3 and 4 bytes a character) over several blocks.
PREFIX = "[" + ",".join(
    json.dumps({"name": f"Jos\u00e9 \u20ac{n} \U0001f600"}, ensure_ascii=False) for n in range(300)
)


class TestPageKeys:
    @pytest.mark.parametrize("block", [1, 7, 1 << 20])
    def test_a_key_that_is_not_a_string_is_refused(self, block: int) -> None:
        """``{1: 2, ...}`` is not JSON: the stream refuses it as ``loads`` does."""
        data = b'{1: 2, "results": [{"order_id": 1}]}'
        error = stream_error(data, block=block)
        assert "key in double quotes" in str(error)
        assert byte_of(error) == data.index(b"1")
        with pytest.raises(ConversionError, match="not valid JSON"):
            _jsontext.loads(data)

    @pytest.mark.parametrize("block", [1, 7, 1 << 20])
    @pytest.mark.parametrize("text", [False, True])
    def test_results_given_twice_is_refused_by_both_readers(self, block: int, text: bool) -> None:
        """Two order lists are ambiguous: refused, naming the key and its second byte."""
        data = '{"count": 2, "results": [{"n": "\u00e9"}], "results": [{"n": 2}]}'.encode()
        second = data.rindex(b'"results"')
        error = stream_error(data, block=block, text=text)
        assert "'results' is given twice" in str(error)
        assert byte_of(error) == second
        with pytest.raises(ConversionError, match="'results' is given twice") as caught:
            _jsontext.loads(data)
        assert byte_of(caught.value) == second
        with pytest.raises(ConversionError, match="'results' is given twice") as caught:
            _jsontext.loads(data.decode())
        assert byte_of(caught.value) == second

    def test_another_page_key_given_twice_is_refused_too(self) -> None:
        """``count`` twice, before or after ``results``: ambiguous, refused by both readers."""
        for data in (
            b'{"count": 1, "count": 2, "results": []}',
            b'{"results": [], "next": null, "next": "x"}',
        ):
            error = stream_error(data, block=3)
            assert "is given twice" in str(error)
            assert byte_of(error) == data.rindex(b'"next"' if b"next" in data else b'"count"')
            with pytest.raises(ConversionError, match="is given twice"):
                _jsontext.loads(data)

    def test_a_key_twice_inside_an_order_keeps_the_last_in_both_readers(self) -> None:
        """Inside an item, both readers keep the last value (msgspec's and the stdlib's way)."""
        data = '{"count": 1, "results": [{"a": 1, "b": {"c": 1, "c": 2}, "a": 3}]}'
        expected = [{"a": 3, "b": {"c": 2}}]
        assert _jsontext.loads(data)["results"] == expected
        assert list(_jsontext.ArrayStream(io.StringIO(data), block=5)) == expected
        assert _jsontext.loads('[{"a": 1, "a": 2}]') == [{"a": 2}]


KEYS = st.sampled_from(["results", "count", "next", "a:b", "\u00e9", "\\u003a", ":"])
LEAVES = st.none() | st.integers(-5, 5) | st.text(alphabet=':"\\ab\u00e9', max_size=4)


@st.composite
def objects(draw: st.DrawFn, depth: int = 2) -> str:
    """JSON text of an object whose keys may repeat (at any depth), spelt in several ways."""
    pairs = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(KEYS)
        spelt = (
            f'"{key}"'
            if key.startswith("\\")
            else json.dumps(key, ensure_ascii=draw(st.booleans()))
        )
        if depth and draw(st.booleans()):
            value = draw(objects(depth - 1))
        else:
            value = json.dumps(draw(LEAVES), ensure_ascii=draw(st.booleans()))
        pairs.append(f"{spelt}{draw(st.sampled_from([':', ' : ']))}{value}")
    return "{" + ", ".join(pairs) + "}"


@given(objects())
def test_loads_refuses_exactly_a_key_repeated_at_the_top_level(text: str) -> None:
    """Refused if and only if the top-level object gives a key twice; else the stdlib's value.

    Holds ``loads``' quick test (the ``:`` count) to an exact one on keys with ``:`` in them,
    escaped ``:`` and values holding ``:``, repeated at the top and further down.
    """
    top: list[str] = []
    json.loads(
        text, object_pairs_hook=lambda pairs: top.__setitem__(slice(None), [k for k, _ in pairs])
    )
    repeated = len(top) != len(set(top))
    if repeated:
        with pytest.raises(ConversionError, match="is given twice"):
            _jsontext.loads(text)
    else:
        assert _jsontext.loads(text) == json.loads(text)
        assert _jsontext.loads(text.encode()) == json.loads(text)


class TestNonFiniteNumbersAreNotWritten:
    NON_FINITE: ClassVar[list[object]] = [
        math.nan,
        math.inf,
        -math.inf,
        Decimal("NaN"),
        Decimal("-sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
    ]

    @pytest.mark.parametrize("value", NON_FINITE, ids=repr)
    @pytest.mark.parametrize("indent", [None, 2])
    @pytest.mark.parametrize("write", [_jsontext.dumps, _jsontext.dumpb])
    def test_refused_naming_where(self, value: Any, indent: int | None, write: Any) -> None:
        """Before, a float NaN or infinity was written as ``null``: a weight silently gone."""
        data = {"orders": [{"id": 1, "gift": None}, {"id": 2, "weight": {"value": value}}]}
        with pytest.raises(ConversionError, match="not a JSON number") as caught:
            write(data, indent=indent)
        assert caught.value.errors[0].endswith("@ $.orders[1].weight.value")
        assert repr(value) in str(caught.value)

    def test_a_non_finite_float_in_a_tuple_or_at_the_top(self) -> None:
        """Wherever msgspec would write it: a tuple, the document itself."""
        for data, where in (((1, [None, math.nan]), "$[1][1]"), (math.inf, "$")):
            with pytest.raises(ConversionError, match="not a JSON number") as caught:
                _jsontext.dumps(data)
            assert caught.value.errors[0].endswith(f"@ {where}")

    def test_integers_past_64_bits_beside_a_null(self) -> None:
        """Integers MessagePack cannot hold (JSON can) do not hide a NaN, nor stop a write."""
        assert _jsontext.dumps([None, 2**70, -(2**70)]) == f"[null,{2**70},{-(2**70)}]"
        with pytest.raises(ConversionError, match=r"@ \$\[2\]"):
            _jsontext.dumps([None, 2**70, math.nan])

    def test_finite_values_and_nulls_are_written_as_before(self) -> None:
        """``None``, finite floats and numbers whose MessagePack bytes look like NaN's pass."""
        looks_like_nan = int.from_bytes(b"\xcb\x7f\xf8\x00\x00\x00\x00\x00", "big")
        data = [None, 1.5, -0.0, 1e308, Decimal("1.10"), looks_like_nan, {"x": None}]
        assert _jsontext._NON_FINITE_DOUBLE.search(msgspec.msgpack.encode(data))  # the look
        assert _jsontext.dumps(data) == (
            f'[null,1.5,-0.0,1e308,1.10,{looks_like_nan},{{"x":null}}]'
        )


class TestPositionsAreBytesOfTheWholeText:
    """Every fault after several blocks of multi-byte text, at ``data.index`` of its bytes."""

    FAULTS: ClassVar[list[tuple[str, bytes]]] = [
        # (the text after the prefix, the bytes the reported offset points at)
        (', {"a": 1} {"b": 2}]', b'{"b"'),  # no ',' between items
        (", {oops: 1}]", b"oops"),  # a key without quotes, inside an item
        (', {"a": tru}]', b"tru}"),  # a bad literal near the end of the text
        (', {"a": 1e99999999999999999999}]', b"1e99999999999999999999"),
        (', {"a": NaN}]', b'{"a": NaN'),  # the item that holds it
        (", 1]  x", b"x"),  # extra data after the document
        (', {"a": "cut', b'"cut'),  # the text ends inside a string
    ]

    @pytest.mark.parametrize(("tail", "at"), FAULTS)
    @pytest.mark.parametrize("block", [1000, 4096])
    @pytest.mark.parametrize("text", [False, True])
    def test_a_json_fault_after_the_first_block(
        self, tail: str, at: bytes, block: int, text: bool
    ) -> None:
        """Before: characters (and, at the end of the text, the block's start counted twice)."""
        data = (PREFIX + tail).encode()
        assert data.index(at) > 2 * block and len(data) > len(PREFIX + tail)
        assert byte_of(stream_error(data, block=block, text=text)) == data.index(at)

    def test_a_page_fault_after_the_first_block(self) -> None:
        """The page's own keys are counted the same way (a second ``results`` here)."""
        data = ('{"next": "' + "\u00e9" * 3000 + '", "results": [1], "results": [2]}').encode()
        assert byte_of(stream_error(data, block=1000)) == data.rindex(b'"results"')

    @pytest.mark.parametrize("block", [1, 3, 1000, 4096])
    @pytest.mark.parametrize(
        "bad",
        [
            b"\xff",  # never in UTF-8
            b"\xe2\x82",  # a character cut short (its third byte missing)
            b"\xc3(",  # a lead byte followed by no continuation
            b"\xed\xa0\x80",  # an encoded surrogate
        ],
    )
    def test_bytes_that_are_not_utf8_after_the_first_block(self, block: int, bad: bytes) -> None:
        """Before, ``convert`` reported the byte within the decoder's current block."""
        data = PREFIX.encode() + b', {"name": "Jos' + bad + b'"}]'
        error = stream_error(data, block=block)
        assert str(error).startswith("not UTF-8 text")
        assert byte_of(error) == data.index(b"Jos" + bad) + 3

    def test_a_character_cut_short_at_the_end_of_the_text(self) -> None:
        """The decoder's last, unfinished character is a fault at its first byte."""
        data = PREFIX.encode() + b"]\xe2\x82"
        error = stream_error(data, block=1000)
        assert byte_of(error) == len(data) - 2

    @pytest.mark.parametrize("block", [1, 1000, 1 << 20])
    def test_consumed_counts_bytes(self, block: int) -> None:
        """Progress is bytes, as the file's size is: all of them at the end."""
        data = (PREFIX + "]").encode()
        stream = _jsontext.ArrayStream(io.BytesIO(data), block=block)
        items = iter(stream)
        assert next(items) == {"name": "Jos\u00e9 \u20ac0 \U0001f600"}
        assert stream.consumed == data.index(b"}") + 1
        assert sum(1 for _ in items) == 299
        assert stream.consumed == len(data)
        text = _jsontext.ArrayStream(io.StringIO(data.decode()), block=block)
        assert len(list(text)) == 300
        assert text.consumed == len(data)


def test_a_repeated_key_beside_a_deep_value_is_never_let_through() -> None:
    """Where the standard library cannot walk the value msgspec read, the text is refused.

    Near the recursion limit the walk that finds the repeated key gave up and let the last
    ``results`` win silently (the depths where that happens move with the caller's own stack
    depth: every depth up to msgspec's limit is tried).
    """
    for depth in range(800, 1001):
        deep = "[" * depth + "]" * depth
        text = f'{{"results": [], "x": {deep}, "results": [{{"order_id": 1}}]}}'
        with pytest.raises(ConversionError) as refused:
            _jsontext.loads(text)
        assert "twice" in str(refused.value) or "too deeply" in str(refused.value), depth


def test_html_safe_escapes_are_not_mistaken_for_colons() -> None:
    r"""``\u003c`` (``<``) needs no walk of the page; only ``\u003a`` reads as a colon."""
    assert not _jsontext._may_repeat_a_key('{"a": "\\u003c"}', {"a": "<"})
    assert not _jsontext._may_repeat_a_key(b'{"a": "\\u003E"}', {"a": ">"})
    assert _jsontext._may_repeat_a_key('{"a": "\\u003a"}', {"a": ":"})
    assert _jsontext._may_repeat_a_key(b'{"a": "\\u003A"}', {"a": ":"})
    text = '{"results": [], "t": "\\u003c", "results": [1]}'
    with pytest.raises(ConversionError, match="twice"):
        _jsontext.loads(text)


# --- ArrayEncoder: an array written an item at a time, as dumpb writes the list ---------------


class _Unknown:
    """A type no JSON writer knows."""


_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),  # past 64 bits: msgspec refuses those
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec=None, exclude_categories=())),  # lone surrogates too
    st.sampled_from(["null", "nullable", "Café", "茶"]),
    st.just(_Unknown()),
    st.just(0xCB7FF000),  # looks like a non-finite double to the quick MessagePack test
)
_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
#: Mostly items that can be written, so that the doubtful one comes after some that were.
_items = st.lists(
    st.one_of(st.dictionaries(st.text(max_size=3), st.integers() | st.text()), _values),
    max_size=6,
)


def _written_or_refused(write: Any) -> tuple[str, object]:
    try:
        return "bytes", write()
    except ConversionError as exc:
        return "error", (str(exc), exc.errors, type(exc.__cause__))


@given(_items, st.sampled_from([None, 2]))
def test_an_array_written_item_by_item_is_dumpb_of_the_list(
    items: list[Any], indent: int | None
) -> None:
    encoder = _jsontext.ArrayEncoder()
    for item in items:
        encoder.add(item)
    assert encoder.count == len(items)
    got = _written_or_refused(lambda: encoder.getvalue(indent=indent))
    expected = _written_or_refused(lambda: _jsontext.dumpb(items, indent=indent))
    assert got == expected


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        (float("nan"), "$[2].x[1]"),
        (Decimal("Infinity"), "$[2].x[1]"),
    ],
)
def test_the_first_refused_item_is_named_at_its_index_in_the_whole_array(
    bad: object, where: str
) -> None:
    items = [{"x": [1]}, {"x": [2]}, {"x": [3, bad]}, {"x": [float("inf")]}, {"y": 1}]
    encoder = _jsontext.ArrayEncoder()
    for item in items:
        encoder.add(item)
    with pytest.raises(ConversionError) as caught:
        encoder.getvalue()
    assert caught.value.errors[0].endswith(f"@ {where}")
    with pytest.raises(ConversionError) as whole:
        _jsontext.dumpb(items)
    assert caught.value.errors == whole.value.errors


def test_an_item_holding_the_word_null_is_written_as_it_is() -> None:
    encoder = _jsontext.ArrayEncoder()
    for item in [{"name": "null"}, None, {"n": Decimal("1.50")}]:
        encoder.add(item)
    assert encoder.getvalue() == b'[{"name":"null"},null,{"n":1.50}]'


def test_a_doubtful_item_that_holds_no_non_finite_value_is_written_with_the_rest() -> None:
    # MessagePack writes 0xCB7FF000 as bytes that look like a non-finite double: the item (it
    # holds a null too) is looked at again, with the ones after it, and written as dumpb does.
    items = [{"a": 1}, {"n": None, "i": 0xCB7FF000}, {"b": [2, None]}, 3]
    assert _jsontext._may_hold_non_finite(items[1])
    encoder = _jsontext.ArrayEncoder()
    for item in items:
        encoder.add(item)
    assert encoder.getvalue() == _jsontext.dumpb(items)
    assert encoder.getvalue(indent=2) == _jsontext.dumpb(items, indent=2)
