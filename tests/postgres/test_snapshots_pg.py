"""PostgresSnapshotStore: the Custom Store SnapshotStore contract, on a real server."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from listingmirror_shipstation.customstore import SnapshotStore
from listingmirror_shipstation.postgres import (
    _MIGRATIONS,
    SCHEMA_VERSION,
    PostgresShipmentSink,
    PostgresSnapshotStore,
)

from ..customstore.test_snapshots import TestSnapshotStoreContract as SnapshotStoreContract

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


def test_the_store_is_a_snapshot_store(pg_url: str) -> None:
    """It is a real ``SnapshotStore``: the endpoint takes it like the SQLite one."""
    store = PostgresSnapshotStore(pg_url)
    try:
        assert isinstance(store, SnapshotStore)
    finally:
        store.close()
