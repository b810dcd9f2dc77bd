"""Timing and comparison helpers for benchmarks/run.py: interleaved rounds, fair peers.

**Interleaved.** Every candidate of a benchmark (the floor, ours, the peers) runs once per
round, in turn, the order rotating from round to round; a candidate's figure is its best round
(and its median, shown beside it to see the spread). A shared machine slows whole stretches of
time, not single calls; running the candidates side by side puts every one of them in the
same stretch, so their ratios do not drift with which ran first.

**Comparable peers.** A peer is timed only if its output is byte-identical to ours on the same
input; otherwise the benchmark reports where the first difference is instead of a time, since
a peer that does less work proves nothing about speed.
"""

import gc
import json
import statistics
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs


@attrs.frozen
class Result:
    """The timings of one candidate.

    Attributes:
        name: What was run.
        times: Seconds of each round.
    """

    name: str
    times: tuple[float, ...]

    @property
    def best(self) -> float:
        """The fastest round (the least disturbed by the machine)."""
        return min(self.times)

    @property
    def median(self) -> float:
        """The median round."""
        return statistics.median(self.times)


def interleaved(
    candidates: Sequence[tuple[str, Callable[[], object]]], rounds: int
) -> list[Result]:
    """Run each candidate once per round, in turn (rotating the order), *rounds* times.

    Garbage is collected before every call, and the collector stays on during it (as in use).
    """
    times: dict[str, list[float]] = {name: [] for name, _ in candidates}
    for round_number in range(rounds):
        shift = round_number % len(candidates)
        for name, function in [*candidates[shift:], *candidates[:shift]]:
            gc.collect()
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
    return [Result(name, tuple(times[name])) for name, _ in candidates]


def _json_difference(ours: Any, theirs: Any, path: str = "$") -> str | None:
    """The path of the first value that differs between two parsed JSON documents."""
    if type(ours) is not type(theirs):
        return f"{path}: ours {ours!r:.60}, peer {theirs!r:.60}"
    if isinstance(ours, dict):
        for key in ours.keys() | theirs.keys():
            if key not in theirs:
                return f"{path}.{key}: only in ours ({ours[key]!r:.60})"
            if key not in ours:
                return f"{path}.{key}: only in the peer's ({theirs[key]!r:.60})"
        for key in ours:
            found = _json_difference(ours[key], theirs[key], f"{path}.{key}")
            if found:
                return found
        if list(ours) != list(theirs):
            return f"{path}: same keys in another order"
        return None
    if isinstance(ours, list):
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=False)):
            found = _json_difference(mine, other, f"{path}[{index}]")
            if found:
                return found
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items in ours, {len(theirs)} in the peer's"
        return None
    if ours != theirs or str(ours) != str(theirs):  # Decimal("1.10") == Decimal("1.1")
        return f"{path}: ours {ours!r:.60}, peer {theirs!r:.60}"
    return None


def first_difference(ours: bytes, theirs: bytes) -> str | None:
    """``None`` if the two outputs are byte-identical, else where they first differ.

    The byte offset with a little context on both sides; for JSON, also the path of the first
    differing value (read with exact decimals), which is what one needs to fix the peer.
    """
    if ours == theirs:
        return None
    offset = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
        min(len(ours), len(theirs)),
    )
    where = (
        f"byte {offset:,}: ours {ours[max(0, offset - 20) : offset + 30]!r}, "
        f"peer {theirs[max(0, offset - 20) : offset + 30]!r}"
    )
    try:
        path = _json_difference(
            json.loads(ours, parse_float=Decimal), json.loads(theirs, parse_float=Decimal)
        )
    except ValueError:
        return where
    return f"{where}; first differing value at {path or 'the same values (spacing)'}"


@attrs.frozen
class Peer:
    """Another implementation of the same job.

    Attributes:
        name: What it is.
        run: Does the job and returns its output bytes (what is compared, then timed).
    """

    name: str
    run: Callable[[], bytes]


def comparable(ours: bytes, peers: Sequence[Peer]) -> tuple[list[Peer], dict[str, str]]:
    """Split *peers* into those whose output is byte-identical to *ours* and the others.

    Returns the comparable peers and, for each other one, the first difference.
    """
    kept: list[Peer] = []
    differences: dict[str, str] = {}
    for peer in peers:
        difference = first_difference(ours, peer.run())
        if difference is None:
            kept.append(peer)
        else:
            differences[peer.name] = difference
    return kept, differences


def table(title: str, results: Sequence[Result], baseline: str) -> str:
    """A Markdown table: best and median of each candidate, and ratios to *baseline*."""
    base = next(r for r in results if r.name == baseline)
    results = [base, *(r for r in results if r is not base)]
    lines = [
        f"\n## {title}\n",
        f"Ratios are to the first row, {baseline!r}, measured in the same rounds.\n",
        "| candidate | best | median | ratio (best) | ratio (median) |",
        "|---|---:|---:|---:|---:|",
    ]
    for result in results:
        lines.append(
            f"| {result.name} | {result.best * 1000:,.1f} ms | {result.median * 1000:,.1f} ms "
            f"| {result.best / base.best:.2f}x | {result.median / base.median:.2f}x |"
        )
    return "\n".join(lines)


def values_table(title: str, rows: Sequence[tuple[str, float]]) -> str:
    """A Markdown table of plain values."""
    lines = [f"\n## {title}\n", "| measure | value |", "|---|---:|"]
    lines.extend(f"| {name} | {value:,.2f} |" for name, value in rows)
    return "\n".join(lines)


def goal(text: str, met: bool) -> str:
    """One line saying whether a goal was met."""
    return f"\nGoal: {text} -- {'met' if met else 'MISSED'}"
