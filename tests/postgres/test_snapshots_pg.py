"""PostgresSnapshotStore: the Custom Store SnapshotStore contract, on a real server."""

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from listingmirror_shipstation.customstore import Snapshot, SnapshotStore
from listingmirror_shipstation.postgres import (
    _MIGRATIONS,
    SCHEMA_VERSION,
    PostgresShipmentSink,
    PostgresSnapshotStore,
)

NOW = datetime(2027, 1, 1, tzinfo=UTC)
TTL = timedelta(minutes=30)


@pytest.fixture
def make_store(pg_url: str) -> Iterator[Callable[[], PostgresSnapshotStore]]:
    """A factory of stores on one database (each its own connection: two workers)."""
    opened: list[PostgresSnapshotStore] = []

    def make() -> PostgresSnapshotStore:
        store = PostgresSnapshotStore(pg_url, merchant="acme")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


class TestSnapshotStoreContract:
    def test_create_get_and_page(self, make_store: Callable[[], PostgresSnapshotStore]) -> None:
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
        self, make_store: Callable[[], PostgresSnapshotStore]
    ) -> None:
        """A second create for a live key returns the first snapshot; its ids are dropped."""
        first = make_store().create("w", ["1", "2"], now=NOW, expires_at=NOW + TTL)
        second = make_store().create("w", ["9"], now=NOW, expires_at=NOW + TTL)
        assert second == first
        assert make_store().page(second, 0, 10) == ["1", "2"]

    def test_an_expired_snapshot_is_never_served_and_is_replaced(
        self, make_store: Callable[[], PostgresSnapshotStore]
    ) -> None:
        """At expires_at a snapshot is dead: get says None, create replaces it, page says gone."""
        store = make_store()
        old = store.create("w", ["1"], now=NOW, expires_at=NOW + TTL)
        assert store.get("w", now=NOW + TTL) is None
        new = store.create("w", ["2", "3"], now=NOW + TTL, expires_at=NOW + 2 * TTL)
        assert new.token != old.token
        assert store.page(old, 0, 10) is None
        assert store.page(new, 0, 10) == ["2", "3"]

    def test_purge_deletes_only_expired(
        self, make_store: Callable[[], PostgresSnapshotStore]
    ) -> None:
        """Purge removes dead snapshots (and their ids) and counts them; live ones stay."""
        store = make_store()
        dead = store.create("a", ["1"], now=NOW, expires_at=NOW + timedelta(minutes=1))
        live = store.create("b", ["2"], now=NOW, expires_at=NOW + TTL)
        assert store.purge(now=NOW + timedelta(minutes=1)) == 1
        assert store.page(dead, 0, 1) is None
        assert store.page(live, 0, 1) == ["2"]
        assert store.purge(now=NOW + timedelta(minutes=1)) == 0

    def test_an_empty_window_is_a_snapshot_too(
        self, make_store: Callable[[], PostgresSnapshotStore]
    ) -> None:
        """No ids: a live snapshot of zero orders, not a missing one."""
        store = make_store()
        made = store.create("w", [], now=NOW, expires_at=NOW + TTL)
        assert (made.count, store.get("w", now=NOW), store.page(made, 0, 5)) == (0, made, [])

    def test_racing_creates_agree(self, make_store: Callable[[], PostgresSnapshotStore]) -> None:
        """Eight workers (eight connections) create at once: one snapshot wins, all get it."""
        stores = [make_store() for _ in range(8)]
        results: list[Snapshot] = []
        lock = threading.Lock()
        barrier = threading.Barrier(8, timeout=30)

        def create(n: int) -> None:
            barrier.wait()
            made = stores[n].create("w", [str(n)] * (n + 1), now=NOW, expires_at=NOW + TTL)
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

    def test_naive_times_are_refused(self, make_store: Callable[[], PostgresSnapshotStore]) -> None:
        """Times must be aware (the library's rule everywhere)."""
        with pytest.raises(ValueError, match="naive"):
            make_store().create("w", [], now=datetime(2027, 1, 1), expires_at=NOW)  # noqa: DTZ001

    def test_merchants_do_not_share_snapshots(
        self, make_store: Callable[[], PostgresSnapshotStore], pg_url: str
    ) -> None:
        """The same window key for another merchant is another snapshot."""
        mine = make_store().create("w", ["1"], now=NOW, expires_at=NOW + TTL)
        other = PostgresSnapshotStore(pg_url, merchant="other")
        try:
            assert other.get("w", now=NOW) is None
            assert other.page(mine, 0, 10) is None
        finally:
            other.close()


def test_a_version_1_database_is_upgraded_in_place(pg_server: str) -> None:
    """A database laid out by the first release gains the snapshot tables; its rows stay."""
    admin = pg_server.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS lmss_v1")
        connection.execute("CREATE DATABASE lmss_v1")
    url = pg_server.rsplit("/", 1)[0] + "/lmss_v1"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE lmss_schema_version ("
            " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        for statement in _MIGRATIONS[1]:
            connection.execute(statement)  # type: ignore[arg-type]
        connection.execute("INSERT INTO lmss_schema_version (version) VALUES (1)")
        connection.execute(
            "INSERT INTO lmss_shipment_updates (merchant, shipment_id, kind, body)"
            " VALUES ('default', 's-1', 'shipment', '{}')"
        )
    sink = PostgresShipmentSink(url)
    snapshots = PostgresSnapshotStore(url)
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            versions = connection.execute("SELECT version FROM lmss_schema_version ORDER BY 1")
            assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))
            kept = connection.execute("SELECT shipment_id FROM lmss_shipment_updates")
            assert kept.fetchall() == [("s-1",)]
        assert snapshots.purge(now=NOW) == 0  # the new tables are there
    finally:
        sink.close()
        snapshots.close()


def test_the_store_is_a_snapshot_store(pg_url: str) -> None:
    """It is a real ``SnapshotStore``: the endpoint takes it like the SQLite one."""
    store = PostgresSnapshotStore(pg_url)
    try:
        assert isinstance(store, SnapshotStore)
    finally:
        store.close()
