"""``convert`` streams: the same payload and report as converting the whole document at once."""

import copy
import io
import json
import sys
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import _jsontext, cli
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.cli import EXAMPLE_ORDERS, main
from listingmirror_shipstation.errors import ConversionError
from listingmirror_shipstation.mapping import MappingOptions, convert_orders

EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_ORDERS.read_text(encoding="utf-8"))


def many_orders(count: int) -> list[dict[str, Any]]:
    """*count* orders cycled from the bundled example, each with its own id."""
    orders = []
    for n in range(count):
        order = copy.deepcopy(EXAMPLE["results"][n % len(EXAMPLE["results"])])
        order["order_id"] = 1_000 + n
        orders.append(order)
    return orders


def run(*args: str, err: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), err or io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = main(list(args))
    finally:
        sys.stdout, sys.stderr = old
    return status, out.getvalue(), err.getvalue()


def whole(document: object, *, indent: int | None) -> str:
    """What convert printed before it streamed: the whole document converted at once."""
    parsed = lm.read_orders(document)
    result = convert_orders(parsed.orders)
    return ss.dumps(list(result.orders), indent=indent) + "\n"


class TestSamePayload:
    @pytest.mark.parametrize("compact", [False, True])
    @pytest.mark.parametrize("page", [False, True])
    def test_several_chunks_give_the_payload_of_the_whole(
        self, tmp_path: Path, compact: bool, page: bool
    ) -> None:
        """250 orders (three chunks), as an array or a page: byte for byte the whole payload."""
        orders = many_orders(250)
        document: object = {"count": 250, "next": None, "results": orders} if page else orders
        path = tmp_path / "orders.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        args = ["convert", str(path), "--allow-rejected", *(["--compact"] if compact else [])]
        status, out, _ = run(*args)
        assert status == 0
        assert out == whole(document, indent=None if compact else 2)

    def test_no_order_converted_is_an_empty_array(self, tmp_path: Path) -> None:
        """Nothing to send: ``[]``, as before."""
        path = tmp_path / "orders.json"
        path.write_text("[]", encoding="utf-8")
        assert run("convert", str(path))[1] == "[]\n"

    def test_unreadable_orders_keep_their_index_in_the_document(self, tmp_path: Path) -> None:
        """An unreadable order in the second chunk is reported at its index in the file."""
        orders = many_orders(150)
        orders[130]["order_items"][0]["quantity"] = "many"
        path = tmp_path / "orders.json"
        path.write_text(json.dumps(orders), encoding="utf-8")
        status, _, err = run("convert", str(path))
        assert status == 1
        assert "unreadable: cannot read order at index 130" in err
        assert "@ $[130].order_items[0].quantity" in err
        assert err.rstrip().endswith("unreadable 1")

    def test_a_bad_page_count_is_refused_as_before(self, tmp_path: Path) -> None:
        """A page whose ``count`` is not a number is a user error (exit 2)."""
        path = tmp_path / "orders.json"
        path.write_text(json.dumps({"count": "many", "results": []}), encoding="utf-8")
        status, _, err = run("convert", str(path))
        assert status == 2
        assert "count" in err


class TestBadTextPartWay:
    def test_text_broken_after_some_orders_leaves_no_valid_shorter_array(
        self, tmp_path: Path
    ) -> None:
        """Not JSON after 150 orders: exit 2, and what was printed does not parse as a payload.

        A consumer must not take a shortened array for the whole; an unterminated one fails.
        """
        text = json.dumps(many_orders(150))[:-1] + ", {oops"
        path = tmp_path / "orders.json"
        path.write_text(text, encoding="utf-8")
        status, out, err = run("convert", str(path), "--allow-rejected")
        assert status == 2
        assert "not valid JSON" in err
        assert out.startswith("[")
        with pytest.raises(json.JSONDecodeError):
            json.loads(out)


class TestPositionsAreBytesOfTheFile:
    """Faults past the first 256 KB block, after multi-byte text: reported at their file byte.

    Before, a byte that was not UTF-8 was reported within the decoder's current block, and
    bad JSON at a character count (and, at the end of the text, with the block's start
    counted twice).
    """

    @staticmethod
    def data(tail: bytes) -> bytes:
        orders = many_orders(700)
        for order in orders:
            order["buyer_name"] = "Jos\u00e9 \u00c7\u00f6\u20ac \U0001f600"
        text = json.dumps(orders, ensure_ascii=False)[:-1]
        data = text.encode() + tail
        assert len(data) > 2 * cli.CONVERT_BLOCK and len(data) > len(text) + len(tail)
        return data

    def error_line(self, tmp_path: Path, data: bytes) -> str:
        path = tmp_path / "orders.json"
        path.write_bytes(data)
        status, _, err = run("convert", str(path), "--allow-rejected")
        assert status == 2
        return err.strip().splitlines()[-1]

    @pytest.mark.parametrize(
        ("tail", "at"),
        [(b", {oops}]", b"oops"), (b", 1] [", b" ["), (b', {"a": tru}]', b"tru}")],
    )
    def test_bad_json(self, tmp_path: Path, tail: bytes, at: bytes) -> None:
        data = self.data(tail)
        line = self.error_line(tmp_path, data)
        assert "not valid JSON" in line
        index = data.rindex(at) + (1 if at == b" [" else 0)
        assert line.endswith(f"(byte {index})"), (line, index)

    def test_bytes_that_are_not_utf8(self, tmp_path: Path) -> None:
        data = self.data(b"]")
        data = data[: 3 * len(data) // 4] + data[3 * len(data) // 4 :].replace(
            "\u20ac".encode(), b"\xe2\x82(", 1
        )
        line = self.error_line(tmp_path, data)
        at = data.index(b"\xe2\x82(")
        assert line == (
            f"error: cannot read {tmp_path / 'orders.json'}: not UTF-8 text:"
            f" invalid continuation byte (byte {at})"
        )

    def test_standard_input_that_is_not_utf8(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``-`` is read as bytes too (a BufferedReader under its text wrapper)."""
        data = self.data(b', {"a": "\xff"}]')
        stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", stdin)
        status, _, err = run("convert", "-", "--allow-rejected")
        assert status == 2
        at = data.index(b"\xff")
        line = err.strip().splitlines()[-1]
        assert line.endswith(f"cannot read -: not UTF-8 text: invalid start byte (byte {at})")


class TestNonFiniteNumbersAreNotWritten:
    def test_the_chunk_writer_refuses_a_nan_float(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``convert``'s chunks are encoded by ``_jsontext``: no ``null`` for NaN."""
        values = iter([Decimal("1.5"), float("nan")])  # the second order's is refused
        monkeypatch.setattr(
            ss.JsonConverter, "unstructure", lambda *_, **__: {"weight": {"value": next(values)}}
        )
        out = io.StringIO()
        writer = cli._ArrayWriter(out, indent=None)
        with pytest.raises(ConversionError, match=r"not a JSON number .* @ \$\[1\]\.weight\.value"):
            cli._convert_chunk(
                many_orders(2),
                lm.make_converter(detailed=False),
                MappingOptions(),
                writer,
                ss.make_converter(detailed=False),
            )
        assert out.getvalue() == ""


class TestMemory:
    @pytest.mark.timeout(120)
    def test_memory_does_not_grow_with_the_number_of_orders(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Five times the orders, about the same peak: the orders are not all held at once."""
        monkeypatch.setattr(cli, "CONVERT_BLOCK", 32 * 1024)  # both files span many blocks

        def peak(count: int) -> float:
            path = tmp_path / f"orders-{count}.json"
            path.write_text(json.dumps(many_orders(count)), encoding="utf-8")
            old = sys.stdout, sys.stderr
            with (
                (tmp_path / "out.json").open("w", encoding="utf-8") as out,
                (tmp_path / "err.txt").open("w", encoding="utf-8") as err,
            ):
                sys.stdout, sys.stderr = out, err
                tracemalloc.start()
                try:
                    status = main(["convert", str(path), "--allow-rejected", "--compact"])
                    top = tracemalloc.get_traced_memory()[1] / 1e6
                finally:
                    tracemalloc.stop()
                    sys.stdout, sys.stderr = old
            assert status == 0
            return top

        small, large = peak(400), peak(2_000)
        # Read whole, 2,000 orders took about 25 MB more than 400.
        assert large - small < 2, (small, large)


class TestProgress:
    class Terminal(io.StringIO):
        """A standard error that says it is a terminal."""

        def isatty(self) -> bool:
            return True

    def test_a_progress_line_on_a_terminal(self, tmp_path: Path) -> None:
        """On a terminal, stderr shows the orders converted, then clears the line."""
        path = tmp_path / "orders.json"
        path.write_text(json.dumps(many_orders(120)), encoding="utf-8")
        _, _, err = run("convert", str(path), "--allow-rejected", err=self.Terminal())
        assert "\rconverting [" in err
        assert "120 orders" in err

    def test_no_progress_line_in_a_pipe(self, tmp_path: Path) -> None:
        """Not a terminal (a pipe, a file, the tests): no progress line."""
        path = tmp_path / "orders.json"
        path.write_text(json.dumps(many_orders(120)), encoding="utf-8")
        _, _, err = run("convert", str(path), "--allow-rejected")
        assert "converting" not in err
        assert "\r" not in err


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


class TestArrayStream:
    @given(st.lists(JSON_VALUES, max_size=6), st.integers(1, 40), st.booleans())
    def test_items_are_those_of_the_whole_document(
        self, items: list[object], block: int, page: bool
    ) -> None:
        """Read a block at a time, an array (or a page's results) gives the items loads gives."""
        data = {"count": len(items), "results": items, "next": None} if page else items
        text = _jsontext.dumps(data, indent=1 if block % 2 else None)
        stream = _jsontext.ArrayStream(io.StringIO(text), block=block)
        expected = _jsontext.loads(text)
        got = list(stream)
        assert got == (expected["results"] if page else expected)
        assert [str(x) for x in got if isinstance(x, Decimal)] == [
            str(x) for x in (expected["results"] if page else expected) if isinstance(x, Decimal)
        ]
        if page:
            assert stream.page == {"count": len(items), "next": None}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("[1e99999999999999999999]", "out of range"),
            ("[NaN]", "not JSON"),
            ("[1, 2", "not valid JSON"),
            ('{"count": 1}', "page with 'results'"),
            ("[1] [2]", "extra data"),
            ("[" * 100_000 + "]" * 100_000, "not valid JSON|nested too deeply"),
            ("[" + "9" * 5000 + "]", "not valid JSON"),
        ],
    )
    def test_refusals_are_conversion_errors(self, text: str, message: str) -> None:
        """What loads refuses, the stream refuses too, as a ConversionError."""
        with pytest.raises(ConversionError, match=message):
            list(_jsontext.ArrayStream(io.StringIO(text), block=7))


def test_chunk_size_is_one_createorders_call() -> None:
    """The command converts as many orders at a time as one createorders call takes."""
    assert cli.CONVERT_CHUNK == ss.MAX_BATCH
