"""The SnapshotStore contract, run against every bundled store (a database store can reuse it)."""

import itertools
import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation.customstore.snapshots import DEFAULT_CHUNK_SIZE
from listingmirror_shipstation.errors import ConfigurationError

NOW = datetime(2027, 1, 1, tzinfo=UTC)
TTL = timedelta(minutes=30)

#: Any character a Python string may hold, with the ones an encoding could trip on made likely:
#: NUL, lone surrogates, quotes, commas, brackets, backslashes, newlines.
ID_CHARACTERS = st.one_of(
    st.characters(codec=None, exclude_categories=()),
    st.characters(categories=["Cs"]),
    st.sampled_from('\x00",[]\\\n\t \u2028'),
)
#: Distinct order ids of any characters.
ID_LISTS = st.lists(st.text(ID_CHARACTERS, max_size=6), unique=True, max_size=40)

#: Keys for the property test's snapshots (one per example: the store outlives the examples).
_KEYS = itertools.count()
#: The property test's two stores, by the factory that made them (one pair per test run).
_PAIRS: dict[Callable[[], cs.SnapshotStore], tuple[cs.SnapshotStore, cs.SnapshotStore]] = {}


@pytest.fixture(params=["memory", "sqlite", "sqlite, chunks of 3"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], cs.SnapshotStore]:
    """A factory of stores that share their data (two workers on one database)."""
    if request.param == "memory":
        store = cs.MemorySnapshotStore()
        return lambda: store
    size = 3 if request.param.endswith("3") else DEFAULT_CHUNK_SIZE
    return lambda: cs.SQLiteSnapshotStore(tmp_path / "endpoint.sqlite3", chunk_size=size)


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

    def test_pages_across_chunk_boundaries(
        self, make_store: Callable[[], cs.SnapshotStore]
    ) -> None:
        """Pages starting, ending and straddling a stored chunk's edge hold exactly their ids.

        2,500 ids cross the default chunk size (1,000) twice and the small one (3) many times.
        """
        ids = [f"id-{n}" for n in range(2_500)]
        store = make_store()
        made = store.create("w", ids, now=NOW, expires_at=NOW + TTL)
        reader = make_store()  # another worker on the same database
        for offset in (0, 1, 2, 3, 4, 998, 999, 1_000, 1_001, 1_999, 2_000, 2_401, 2_499):
            for limit in (1, 2, 3, 4, 100, 1_000, 1_001, 2_500):
                assert reader.page(made, offset, limit) == ids[offset : offset + limit], (
                    offset,
                    limit,
                )
        walked = [i for start in range(0, 2_500, 100) for i in reader.page(made, start, 100) or []]
        assert walked == ids

    def test_the_exact_last_page_and_past_the_end(
        self, make_store: Callable[[], cs.SnapshotStore]
    ) -> None:
        """A count that is a multiple of the page: the last page is full, the next one empty."""
        ids = [str(n) for n in range(2_000)]
        store = make_store()
        made = store.create("w", ids, now=NOW, expires_at=NOW + TTL)
        assert store.page(made, 1_900, 100) == ids[1_900:]
        assert store.page(made, 1_000, 1_000) == ids[1_000:]
        for offset in (2_000, 2_001, 2_999, 3_000, 10**9):
            assert store.page(made, offset, 100) == []
        assert store.page(made, 5, 0) == []
        assert store.page(made, 1_000, 0) == []

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        ids=ID_LISTS,
        offset=st.integers(min_value=0, max_value=45),
        limit=st.integers(min_value=0, max_value=45),
    )
    def test_any_page_is_the_slice_of_any_ids(
        self,
        make_store: Callable[[], cs.SnapshotStore],
        ids: list[str],
        offset: int,
        limit: int,
    ) -> None:
        """Any distinct ids, any characters, any offset and limit: the page is the slice."""
        # Two workers for the whole test, not per example (a database store holds a connection).
        if make_store not in _PAIRS:
            _PAIRS[make_store] = (make_store(), make_store())
        store, other = _PAIRS[make_store]
        made = store.create(f"w{next(_KEYS)}", ids, now=NOW, expires_at=NOW + TTL)
        assert made.count == len(ids)
        assert store.page(made, offset, limit) == ids[offset : offset + limit]
        assert other.page(made, 0, len(ids)) == ids

    def test_naive_times_are_refused(self, make_store: Callable[[], cs.SnapshotStore]) -> None:
        """Times must be aware (the library's rule everywhere)."""
        with pytest.raises(ValueError, match="naive"):
            make_store().create("w", [], now=datetime(2027, 1, 1), expires_at=NOW)  # noqa: DTZ001


def _rows(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def test_sqlite_schema_is_documented_and_reprs(tmp_path: Path) -> None:
    """The SQLite store creates exactly the documented tables; its repr names only the file."""
    path = tmp_path / "x.sqlite3"
    store = cs.SQLiteSnapshotStore(path)
    tables = {r[0] for r in _rows(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"export_snapshots", "export_snapshot_chunks"}
    assert repr(store) == f"SQLiteSnapshotStore({str(path)!r})"
    assert repr(cs.MemorySnapshotStore()) == "MemorySnapshotStore(snapshots=0)"


def test_sqlite_writes_a_row_per_chunk_not_per_id(tmp_path: Path) -> None:
    """A snapshot of 20,000 ids is 20 rows of 1,000 (what keeps the first page flat)."""
    path = tmp_path / "x.sqlite3"
    store = cs.SQLiteSnapshotStore(path)
    ids = [str(10_000_000 + n) for n in range(20_000)]
    made = store.create("w", ids, now=NOW, expires_at=NOW + TTL)
    rows = _rows(path, "SELECT start, ids FROM export_snapshot_chunks ORDER BY start")
    assert [start for start, _ in rows] == list(range(0, 20_000, 1_000))
    assert [i for _, text in rows for i in json.loads(str(text))] == ids
    assert store.page(made, 19_950, 100) == ids[19_950:]


def test_sqlite_chunk_size_must_be_positive(tmp_path: Path) -> None:
    """A chunk of no ids cannot hold a snapshot: refused when the store is made."""
    with pytest.raises(ConfigurationError, match="chunk_size"):
        cs.SQLiteSnapshotStore(tmp_path / "x.sqlite3", chunk_size=0)


def test_sqlite_a_snapshot_missing_ids_is_gone_not_short(tmp_path: Path) -> None:
    """Ids lost from the file: the page is None (the app takes a new snapshot), never short."""
    path = tmp_path / "x.sqlite3"
    store = cs.SQLiteSnapshotStore(path, chunk_size=10)
    made = store.create("w", [str(n) for n in range(30)], now=NOW, expires_at=NOW + TTL)
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM export_snapshot_chunks WHERE start = 10")
    db.close()
    assert store.page(made, 0, 10) == [str(n) for n in range(10)]
    assert store.page(made, 5, 10) is None
    assert store.get("w", now=NOW) is None  # dropped: the next request takes a new one
    again = store.create("w", ["x"], now=NOW, expires_at=NOW + TTL)
    assert (again.count, store.page(again, 0, 10)) == (1, ["x"])


#: The SQLite layout of 0.1 (a row per id), as that release created it.
SQLITE_SCHEMA_0_1 = (
    "CREATE TABLE export_snapshots ("
    " key TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, count INTEGER NOT NULL,"
    " created_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
    "CREATE TABLE export_snapshot_ids ("
    " token TEXT NOT NULL, position INTEGER NOT NULL, order_id TEXT NOT NULL,"
    " PRIMARY KEY (token, position)) WITHOUT ROWID",
)


def assert_migrated(store: cs.SnapshotStore, live: list[str], *, now: datetime) -> cs.Snapshot:
    """The snapshots a migration kept: "w" (token "t-live", *live*) and "e" (empty), read back."""
    made = store.get("w", now=now)
    assert made is not None
    assert (made.token, made.count) == ("t-live", len(live))
    assert store.page(made, 0, len(live)) == live
    assert store.page(made, 990, 100) == live[990:1_090]
    assert store.page(made, 2_300, 100) == live[2_300:]
    empty = store.get("e", now=now)
    assert empty is not None
    assert (empty.count, store.page(empty, 0, 100)) == (0, [])
    return made


def test_a_sqlite_file_of_the_row_per_id_layout_is_migrated(tmp_path: Path) -> None:
    """A file of the earlier layout opens; its snapshots keep every id; the old table goes.

    A poll in progress during the upgrade goes on from the same snapshot (same token, same
    ids); other tables in the file (the shipment sink's) are left alone.
    """
    path = tmp_path / "old.sqlite3"
    live = [f"o-{n}" for n in range(2_345)] + ['a,"b"', "[]", "\\", "é", "\n"]
    db = sqlite3.connect(path)
    with db:
        for statement in SQLITE_SCHEMA_0_1:
            db.execute(statement)
        db.execute("CREATE TABLE shipment_updates (shipment_id TEXT PRIMARY KEY)")
        db.execute("INSERT INTO shipment_updates VALUES ('s-1')")
        for key, token, ids in (("w", "t-live", live), ("e", "t-empty", [])):
            db.execute(
                "INSERT INTO export_snapshots VALUES (?, ?, ?, ?, ?)",
                (
                    key,
                    token,
                    len(ids),
                    NOW.isoformat(timespec="microseconds"),
                    (NOW + TTL).isoformat(timespec="microseconds"),
                ),
            )
            db.executemany(
                "INSERT INTO export_snapshot_ids VALUES (?, ?, ?)",
                ((token, position, i) for position, i in enumerate(ids)),
            )
    db.close()

    store = cs.SQLiteSnapshotStore(path)
    tables = {r[0] for r in _rows(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"export_snapshots", "export_snapshot_chunks", "shipment_updates"}
    made = assert_migrated(store, live, now=NOW)
    assert _rows(path, "SELECT shipment_id FROM shipment_updates") == [("s-1",)]

    reopened = cs.SQLiteSnapshotStore(path)  # opening again changes nothing
    assert reopened.page(made, 0, len(live)) == live
    assert reopened.create("n", ["1", "2"], now=NOW, expires_at=NOW + TTL).count == 2


def test_sqlite_a_gap_between_chunks_is_never_served_as_ids(tmp_path: Path) -> None:
    """Rows that do not follow each other (one lost between them) never make up a page.

    Without the check the page below would be ``a, b, d, e, f``: the right length, wrong ids.
    """
    path = tmp_path / "x.sqlite3"
    store = cs.SQLiteSnapshotStore(path)
    made = store.create("w", ["a", "b", "c", "d", "e", "f"], now=NOW, expires_at=NOW + TTL)
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM export_snapshot_chunks")
        db.executemany(
            "INSERT INTO export_snapshot_chunks VALUES (?, ?, ?)",
            [(made.token, 0, '["a", "b"]'), (made.token, 3, '["d", "e", "f"]')],
        )
    db.close()
    assert store.page(made, 0, 2) == ["a", "b"]
    assert store.page(made, 0, 5) is None


#: How a 0.1 worker read a page and stored a snapshot (its SQL, word for word).
_PAGE_0_1 = (
    "SELECT order_id FROM export_snapshot_ids"
    " WHERE token = ? AND position >= ? AND position < ? ORDER BY position"
)


def test_a_worker_of_the_row_per_id_layout_reads_right_and_cannot_write(tmp_path: Path) -> None:
    """During a rolling upgrade an earlier worker sees the snapshots, and fails loudly to write.

    It creates its table if missing; had it got a fresh empty table it would have served empty
    pages without a word. The earlier name is a view over the chunks instead.
    """
    path = tmp_path / "shared.sqlite3"
    store = cs.SQLiteSnapshotStore(path, chunk_size=3)
    ids = [f"o-{n}" for n in range(10)] + ['a,"b"', "é"]
    made = store.create("w", ids, now=NOW, expires_at=NOW + TTL)
    old = sqlite3.connect(path)
    try:
        with old:
            for statement in SQLITE_SCHEMA_0_1:  # 0.1 said IF NOT EXISTS: a no-op now
                old.execute(statement.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
        rows = old.execute(_PAGE_0_1, (made.token, 2, 7)).fetchall()
        assert [order_id for (order_id,) in rows] == ids[2:7]  # positions 2 to 6
        everything = old.execute(_PAGE_0_1, (made.token, 0, 100)).fetchall()
        assert [order_id for (order_id,) in everything] == ids
        with pytest.raises(sqlite3.OperationalError, match="view"), old:
            old.execute("INSERT INTO export_snapshot_ids VALUES ('t', 0, 'x')")
    finally:
        old.close()
    assert store.page(made, 0, 100) == ids  # and this version still reads its own


def test_without_json_functions_there_is_no_view_and_the_file_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An SQLite built without JSON functions gets no view.

    A view it could not read would break every later ``ALTER TABLE`` on the file, the shipment
    sink's migrations included.
    """
    import contextlib

    from listingmirror_shipstation.customstore import snapshots

    real = snapshots.transaction

    class NoJson:
        def __init__(self, connection: sqlite3.Connection) -> None:
            self.connection = connection

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            # As a real SQLite without JSON: a view naming json_each is created unchecked, and
            # only reading json_each fails.
            if "json_each" in sql and sql.lstrip().upper().startswith("SELECT"):
                raise sqlite3.OperationalError("no such table: json_each")
            return self.connection.execute(sql, *args)

        def __getattr__(self, name: str) -> object:
            return getattr(self.connection, name)

    @contextlib.contextmanager
    def without_json(path: Path):  # type: ignore[no-untyped-def]
        with real(path) as connection:
            yield NoJson(connection)

    monkeypatch.setattr(snapshots, "transaction", without_json)
    path = tmp_path / "old-sqlite.sqlite3"
    store = cs.SQLiteSnapshotStore(path)
    views = _rows(path, "SELECT name FROM sqlite_master WHERE type = 'view'")
    assert views == []
    made = store.create("w", ["a", "b"], now=NOW, expires_at=NOW + TTL)
    assert store.page(made, 0, 10) == ["a", "b"]
    with sqlite3.connect(path) as db:  # a later migration of another table on the same file
        db.execute("CREATE TABLE t (x)")
        db.execute("ALTER TABLE t RENAME TO u")
