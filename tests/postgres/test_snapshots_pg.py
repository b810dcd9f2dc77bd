"""PostgresSnapshotStore: the Custom Store SnapshotStore contract, on a real server."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from listingmirror_shipstation.customstore import SnapshotStore
from listingmirror_shipstation.customstore.snapshots import DEFAULT_CHUNK_SIZE
from listingmirror_shipstation.errors import ConfigurationError
from listingmirror_shipstation.postgres import (
    _MIGRATIONS,
    SCHEMA_VERSION,
    PostgresShipmentSink,
    PostgresSnapshotStore,
)

from ..customstore.test_snapshots import TestSnapshotStoreContract as SnapshotStoreContract
from ..customstore.test_snapshots import assert_migrated

NOW = datetime(2027, 1, 1, tzinfo=UTC)
TTL = timedelta(minutes=30)


@pytest.fixture(params=[DEFAULT_CHUNK_SIZE, 3], ids=["chunks of 1000", "chunks of 3"])
def make_store(
    pg_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[[], PostgresSnapshotStore]]:
    """A factory of stores on one database (each its own connection: two workers)."""
    opened: list[PostgresSnapshotStore] = []

    def make() -> PostgresSnapshotStore:
        store = PostgresSnapshotStore(pg_url, merchant="acme", chunk_size=request.param)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


class TestPostgresSnapshotStoreContract(SnapshotStoreContract):
    """The contract every bundled snapshot store runs, on PostgreSQL (a store per worker)."""

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


def _fresh_database(pg_server: str, name: str) -> str:
    admin = pg_server.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")  # type: ignore[arg-type]
        connection.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    return pg_server.rsplit("/", 1)[0] + "/" + name


def test_a_version_2_database_keeps_its_live_snapshots_in_chunks(pg_server: str) -> None:
    """Version 2 (a row per id) to 3 (chunks): each snapshot keeps its token and every id.

    A poll in progress during the upgrade goes on from the same snapshot; the old table goes.
    """
    url = _fresh_database(pg_server, "lmss_v2")
    live = [f"o-{n}" for n in range(2_345)] + ['a,"b"', "[]", "\\", "é", "\n", "\t", "ü\u2028"]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE lmss_schema_version ("
            " version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        for version in (1, 2):
            for statement in _MIGRATIONS[version]:
                connection.execute(statement)  # type: ignore[arg-type]
            connection.execute("INSERT INTO lmss_schema_version (version) VALUES (%s)", (version,))
        for key, token, ids in (("w", "t-live", live), ("e", "t-empty", [])):
            connection.execute(
                "INSERT INTO lmss_export_snapshots VALUES ('default', %s, %s, %s, %s, %s)",
                (key, token, len(ids), NOW, NOW + TTL),
            )
            with connection.cursor().copy(
                "COPY lmss_export_snapshot_ids (token, position, order_id) FROM STDIN"
            ) as copy:
                for position, order_id in enumerate(ids):
                    copy.write_row((token, position, order_id))
    store = PostgresSnapshotStore(url)
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            versions = connection.execute("SELECT version FROM lmss_schema_version ORDER BY 1")
            assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))
            tables = connection.execute(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE 'lmss_export%%'"
            )
            assert {t for (t,) in tables} == {
                "lmss_export_snapshots",
                "lmss_export_snapshot_chunks",
            }
        assert_migrated(store, live, now=NOW)
        assert store.create("n", ["1"], now=NOW, expires_at=NOW + TTL).count == 1
        assert store.purge(now=NOW + TTL) == 3  # the chunks go with them (ON DELETE CASCADE)
        with psycopg.connect(url, autocommit=True) as connection:
            left = connection.execute("SELECT count(*) FROM lmss_export_snapshot_chunks")
            assert left.fetchone() == (0,)
    finally:
        store.close()


def test_a_snapshot_missing_ids_is_gone_not_short(
    make_store: Callable[[], PostgresSnapshotStore], pg_url: str
) -> None:
    """Ids lost from the table: the page is None (the app takes a new snapshot), never short."""
    store = make_store()
    made = store.create("w", [str(n) for n in range(3_000)], now=NOW, expires_at=NOW + TTL)
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute(
            "DELETE FROM lmss_export_snapshot_chunks WHERE token = %s AND start > 0"
            " AND start <= 1000",
            (made.token,),
        )
    assert store.page(made, 0, 3) == ["0", "1", "2"]
    assert store.page(made, 999, 10) is None
    assert store.get("w", now=NOW) is None  # dropped: the next request takes a new one


def test_chunk_size_must_be_positive(pg_url: str) -> None:
    """A chunk of no ids cannot hold a snapshot: refused when the store is made."""
    with pytest.raises(ConfigurationError, match="chunk_size"):
        PostgresSnapshotStore(pg_url, chunk_size=0)


def test_the_store_is_a_snapshot_store(pg_url: str) -> None:
    """It is a real ``SnapshotStore``: the endpoint takes it like the SQLite one."""
    store = PostgresSnapshotStore(pg_url)
    try:
        assert isinstance(store, SnapshotStore)
    finally:
        store.close()
