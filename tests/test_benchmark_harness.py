"""The benchmark harness compares fairly: peers must match byte for byte, rounds interleave.

No timing is asserted here (the machine is shared); only what the harness decides.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "harness.py"
_SPEC = importlib.util.spec_from_file_location("benchmark_harness", _PATH)
assert _SPEC is not None
assert _SPEC.loader is not None
harness = importlib.util.module_from_spec(_SPEC)
sys.modules["benchmark_harness"] = harness  # attrs resolves the module of its classes
_SPEC.loader.exec_module(harness)


class TestComparablePeers:
    def test_identical_output_is_comparable(self) -> None:
        """A peer whose bytes equal ours is kept for timing."""
        peer = harness.Peer("same", lambda: b'[{"a":1}]')
        kept, differences = harness.comparable(b'[{"a":1}]', [peer])
        assert kept == [peer]
        assert differences == {}

    def test_different_output_is_reported_not_timed(self) -> None:
        """A peer that differs anywhere is left out, with the byte and the JSON path."""
        peer = harness.Peer("less work", lambda: b'[{"a":1,"b":"2.50"}]')
        kept, differences = harness.comparable(b'[{"a":1,"b":2.50}]', [peer])
        assert kept == []
        assert differences["less work"].startswith("byte 12:")
        assert "$[0].b" in differences["less work"]

    @pytest.mark.parametrize(
        ("ours", "theirs", "where"),
        [
            (b'{"a":1,"b":2}', b'{"a":1}', "$.b: only in ours"),
            (b'{"a":1}', b'{"a":1,"c":3}', "$.c: only in the peer's"),
            (b'{"a":1,"b":2}', b'{"b":2,"a":1}', "$: same keys in another order"),
            (b"[1,2]", b"[1]", "$: 2 items in ours, 1 in the peer's"),
            (b'{"x":1.10}', b'{"x":1.1}', "$.x"),  # exact decimals: 1.10 is not 1.1 on the wire
            (b'{"a": 1}', b'{"a":1}', "the same values (spacing)"),
        ],
    )
    def test_the_first_difference_names_its_path(
        self, ours: bytes, theirs: bytes, where: str
    ) -> None:
        """The report says which value differs, so the peer can be fixed."""
        assert where in harness.first_difference(ours, theirs)

    def test_text_that_is_not_json_gets_the_byte_offset(self) -> None:
        """XML or any other output: the offset and the context around it."""
        assert harness.first_difference(b"<a>1</a>", b"<a>2</a>") == (
            "byte 3: ours b'<a>1</a>', peer b'<a>2</a>'"
        )


class TestInterleaved:
    def test_every_candidate_runs_once_a_round_in_rotating_order(self) -> None:
        """Rounds interleave the candidates and rotate who goes first."""
        calls: list[str] = []
        results = harness.interleaved(
            [(name, lambda name=name: calls.append(name)) for name in ("floor", "ours", "peer")],
            rounds=3,
        )
        assert calls == ["floor", "ours", "peer", "ours", "peer", "floor", "peer", "floor", "ours"]
        assert [r.name for r in results] == ["floor", "ours", "peer"]
        assert all(len(r.times) == 3 for r in results)

    def test_ratios_are_to_the_named_baseline(self) -> None:
        """The table puts the baseline first and divides by its best and median rounds."""
        results = [
            harness.Result("ours", (3.0, 4.0, 9.0)),
            harness.Result("floor", (1.0, 2.0, 2.0)),
        ]
        text = harness.table("t", results, baseline="floor")
        assert text.index("| floor |") < text.index("| ours |")
        assert "| ours | 3,000.0 ms | 4,000.0 ms | 3.00x | 2.00x |" in text


class TestMsgspecPeer:
    def test_the_msgspec_peer_writes_our_bytes(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The msgspec peer applies the same rules: byte-identical output on the example.

        The bundled example exercises the filters (FBA/MCF, no address), coupons, gift
        messages, HTML entities, kilograms and phone fallbacks; the benchmark checks its own
        generated data again before timing.
        """
        import json

        from listingmirror_shipstation import _jsontext, mapping
        from listingmirror_shipstation import listingmirror as lm
        from listingmirror_shipstation import shipstation as ss
        from listingmirror_shipstation.cli import EXAMPLE_ORDERS

        monkeypatch.syspath_prepend(str(_PATH.parent))
        peer = importlib.import_module("msgspec_pipeline")
        text = json.dumps(json.loads(EXAMPLE_ORDERS.read_text(encoding="utf-8"))["results"])
        parsed = lm.read_orders(_jsontext.loads(text))
        ours = ss.dumps(list(mapping.convert_orders(parsed.orders).orders)).encode()
        assert harness.first_difference(ours, peer.convert(text)) is None
