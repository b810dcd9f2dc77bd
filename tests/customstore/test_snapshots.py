"""The SnapshotStore contract, run against every bundled store (a database store can reuse it)."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listingmirror_shipstation import customstore as cs

NOW = datetime(2027, 1, 1, tzinfo=UTC)
TTL = timedelta(minutes=30)


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], cs.SnapshotStore]:
    """A factory of stores that share their data (two workers on one database)."""
    if request.param == "memory":
        store = cs.MemorySnapshotStore()
        return lambda: store
    return lambda: cs.SQLiteSnapshotStore(tmp_path / "endpoint.sqlite3")


class TestSnapshotStoreContract:
    def test_create_get_and_page(self, make_store: Callable[[], cs.SnapshotStore]) -> None:
        """Ids come back by position, in the order given; past the end is empty."""
        store = make_store()
        assert store.get("w", now=NOW) is None
        made = store.create("w", ["b", "a", "c"], now=NOW, expires_at=NOW + TTL)
        assert (made.key, made.count, made.created_at, made.expires_at) == ("w", 3, NOW, NOW + TTL)
        assert store.get("w", now=NOW + timedelta(minutes=1)) == made
        assert store.page(made, 0, 2) == ["b", "a"]
        assert store.page(made, 2, 2) == ["c"]
        assert store.page(made, 3, 2) == []

    def test_create_if_absent_keeps_the_first(
        self, make_store: Callable[[], cs.SnapshotStore]
    ) -> None:
        """A second create for a live key returns the first snapshot; its ids are dropped."""
        first = make_store().create("w", ["1", "2"], now=NOW, expires_at=NOW + TTL)
        second = make_store().create("w", ["9"], now=NOW, expires_at=NOW + TTL)
        assert second == first
        assert make_store().page(second, 0, 10) == ["1", "2"]

    def test_an_expired_snapshot_is_never_served_and_is_replaced(
        self, make_store: Callable[[], cs.SnapshotStore]
    ) -> None:
        """At expires_at a snapshot is dead: get says None, create replaces it, page says gone."""
        store = make_store()
        old = store.create("w", ["1"], now=NOW, expires_at=NOW + TTL)
        assert store.get("w", now=NOW + TTL) is None
        new = store.create("w", ["2", "3"], now=NOW + TTL, expires_at=NOW + 2 * TTL)
        assert new.token != old.token
        assert store.page(old, 0, 10) is None
        assert store.page(new, 0, 10) == ["2", "3"]

    def test_purge_deletes_only_expired(self, make_store: Callable[[], cs.SnapshotStore]) -> None:
        """Purge removes dead snapshots and counts them; live ones stay."""
        store = make_store()
        dead = store.create("a", ["1"], now=NOW, expires_at=NOW + timedelta(minutes=1))
        live = store.create("b", ["2"], now=NOW, expires_at=NOW + TTL)
        assert store.purge(now=NOW + timedelta(minutes=1)) == 1
        assert store.page(dead, 0, 1) is None
        assert store.page(live, 0, 1) == ["2"]
        assert store.purge(now=NOW + timedelta(minutes=1)) == 0

    def test_an_empty_window_is_a_snapshot_too(
        self, make_store: Callable[[], cs.SnapshotStore]
    ) -> None:
        """No ids: a live snapshot of zero orders (pages="0"), not a missing one."""
        store = make_store()
        made = store.create("w", [], now=NOW, expires_at=NOW + TTL)
        assert (made.count, store.get("w", now=NOW), store.page(made, 0, 5)) == (0, made, [])

    def test_racing_creates_agree(self, make_store: Callable[[], cs.SnapshotStore]) -> None:
        """Eight threads (each with its own store object) create at once: one snapshot wins."""
        results: list[cs.Snapshot] = []
        lock = threading.Lock()
        barrier = threading.Barrier(8, timeout=30)

        def create(n: int) -> None:
            store = make_store()
            barrier.wait()
            made = store.create("w", [str(n)] * (n + 1), now=NOW, expires_at=NOW + TTL)
            with lock:
                results.append(made)

        threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(results) == 8
        assert len({r.token for r in results}) == 1
        winner = results[0]
        assert make_store().page(winner, 0, 100) == [str(winner.count - 1)] * winner.count

    def test_naive_times_are_refused(self, make_store: Callable[[], cs.SnapshotStore]) -> None:
        """Times must be aware (the library's rule everywhere)."""
        with pytest.raises(ValueError, match="naive"):
            make_store().create("w", [], now=datetime(2027, 1, 1), expires_at=NOW)  # noqa: DTZ001


def test_sqlite_schema_is_documented_and_reprs(tmp_path: Path) -> None:
    """The SQLite store creates exactly the documented tables; its repr names only the file."""
    import sqlite3

    path = tmp_path / "x.sqlite3"
    store = cs.SQLiteSnapshotStore(path)
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert tables == {"export_snapshots", "export_snapshot_ids"}
    assert repr(store) == f"SQLiteSnapshotStore({str(path)!r})"
    assert repr(cs.MemorySnapshotStore()) == "MemorySnapshotStore(snapshots=0)"
