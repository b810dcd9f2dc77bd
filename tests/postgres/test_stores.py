"""PostgreSQL stores against a real server: the same contracts as the SQLite ones, and more."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import attrs
import psycopg
import pytest

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.errors import ConfigurationError, ConversionError
from listingmirror_shipstation.integration import SQLiteShipmentSink
from listingmirror_shipstation.postgres import (
    SCHEMA_VERSION,
    PostgresCheckpointStore,
    PostgresShipmentSink,
    migrate,
)
from listingmirror_shipstation.stores import open_stores, redact_url
from listingmirror_shipstation.sync import SQLiteCheckpointStore, delivery_key

UPDATE = lm.ShipmentUpdate(
    order_id=1, status=lm.OrderStatus.SHIPPED, tracking_number="1Z", shipment_id="s-1"
)
VOID = attrs.evolve(UPDATE, voided=True, status=lm.OrderStatus.PAID)

Closing = Callable[[object], object]


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(sql).fetchall()  # type: ignore[arg-type]


class TestCheckpointStore:
    def test_every_method_round_trips_and_survives_reopening(
        self, pg_url: str, closing: Closing
    ) -> None:
        """Watermarks (aware UTC), fingerprints, delivered keys and rejections persist."""
        store = closing(PostgresCheckpointStore(pg_url))
        assert isinstance(store, PostgresCheckpointStore)
        assert store.watermark("orders") is None
        eastern = datetime(2026, 3, 8, 1, 30, 0, 123456, tzinfo=timezone(timedelta(hours=-5)))
        store.set_watermark("orders", eastern)
        store.set_watermark("orders", eastern + timedelta(hours=1))
        store.set_fingerprint("lm-1", "abc")
        store.set_fingerprint("lm-1", "def")
        store.mark_delivered("s-1")
        store.mark_delivered("s-1")
        store.record_rejection(7, "no_address", "first")
        store.record_rejection(7, "invalid", "latest wins")

        again = closing(PostgresCheckpointStore(pg_url))
        assert isinstance(again, PostgresCheckpointStore)
        mark = again.watermark("orders")
        assert mark == eastern + timedelta(hours=1)
        assert mark is not None and mark.tzinfo == UTC
        assert again.fingerprint("lm-1") == "def"
        assert again.fingerprint("lm-2") is None
        assert again.is_delivered("s-1") and not again.is_delivered("s-2")
        assert again.rejections() == {7: ("invalid", "latest wins")}

    def test_merchants_are_kept_apart(self, pg_url: str, closing: Closing) -> None:
        """One database, two merchants: neither sees the other's checkpoints."""
        acme = closing(PostgresCheckpointStore(pg_url, merchant="acme"))
        other = closing(PostgresCheckpointStore(pg_url, merchant="other"))
        assert isinstance(acme, PostgresCheckpointStore)
        assert isinstance(other, PostgresCheckpointStore)
        acme.set_watermark("orders", datetime(2026, 1, 1, tzinfo=UTC))
        acme.mark_delivered("s-1")
        assert other.watermark("orders") is None
        assert not other.is_delivered("s-1")

    def test_a_naive_watermark_is_refused(self, pg_url: str, closing: Closing) -> None:
        """A naive datetime has no instant: refused rather than read in the server's zone."""
        store = closing(PostgresCheckpointStore(pg_url))
        assert isinstance(store, PostgresCheckpointStore)
        with pytest.raises(ConfigurationError, match="timezone-aware"):
            store.set_watermark("orders", datetime(2026, 1, 1))  # noqa: DTZ001 - on purpose


class TestShipmentSink:
    def test_a_shipment_and_its_void_are_two_deliveries(
        self, pg_url: str, closing: Closing
    ) -> None:
        """(shipment_id, kind) is the identity: the void is new, each repeat is refused."""
        sink = closing(PostgresShipmentSink(pg_url))
        assert isinstance(sink, PostgresShipmentSink)
        assert sink.deliver(UPDATE) is True
        assert sink.deliver(VOID) is True
        assert sink.deliver(UPDATE) is False
        reopened = closing(PostgresShipmentSink(pg_url))
        assert isinstance(reopened, PostgresShipmentSink)
        assert reopened.deliver(VOID) is False
        assert reopened.updates() == [UPDATE, VOID]
        assert sorted(rows(pg_url, "SELECT shipment_id, kind FROM lmss_shipment_updates")) == [
            ("s-1", "shipment"),
            ("s-1", "void"),
        ]

    def test_delivery_is_checkpointed_in_the_same_transaction(
        self, pg_url: str, closing: Closing
    ) -> None:
        """After deliver() the checkpoint store already knows, with no mark_delivered call."""
        sink = closing(PostgresShipmentSink(pg_url, merchant="acme"))
        store = closing(PostgresCheckpointStore(pg_url, merchant="acme"))
        assert isinstance(sink, PostgresShipmentSink)
        assert isinstance(store, PostgresCheckpointStore)
        sink.deliver(VOID)
        assert store.is_delivered(delivery_key(VOID))
        assert not store.is_delivered(delivery_key(UPDATE))

    def test_an_update_without_id_is_refused(self, pg_url: str, closing: Closing) -> None:
        """Without a shipment_id there is no way to be idempotent: refused, nothing stored."""
        sink = closing(PostgresShipmentSink(pg_url))
        assert isinstance(sink, PostgresShipmentSink)
        with pytest.raises(ConversionError, match="shipment_id"):
            sink.deliver(lm.ShipmentUpdate(status=lm.OrderStatus.SHIPPED))
        assert sink.updates() == []

    def test_the_same_update_from_many_workers_at_once_is_taken_once(
        self, pg_url: str, closing: Closing
    ) -> None:
        """Eight sinks (eight connections) race on one update: one True, one row."""
        sinks = [closing(PostgresShipmentSink(pg_url)) for _ in range(8)]
        barrier = threading.Barrier(len(sinks), timeout=30)
        results: list[bool] = []
        lock = threading.Lock()

        def race(sink: PostgresShipmentSink) -> None:
            barrier.wait()
            fresh = sink.deliver(UPDATE)
            with lock:
                results.append(fresh)

        threads = [threading.Thread(target=race, args=(s,)) for s in sinks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(results) == [False] * 7 + [True]
        assert rows(pg_url, "SELECT count(*) FROM lmss_shipment_updates") == [(1,)]

    def test_a_dropped_connection_is_reopened(self, pg_url: str, closing: Closing) -> None:
        """The server ending the session (restart, failover) costs one call, not the worker."""
        sink = closing(PostgresShipmentSink(pg_url))
        assert isinstance(sink, PostgresShipmentSink)
        assert sink.deliver(UPDATE) is True
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(psycopg.OperationalError):
            sink.deliver(VOID)
        assert sink.deliver(VOID) is True
        assert sink.updates() == [UPDATE, VOID]


class TestSchema:
    @pytest.fixture
    def fresh(self, pg_server: str) -> str:
        """A database of its own with no tables at all."""
        admin = pg_server.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("DROP DATABASE IF EXISTS lmss_fresh")
            connection.execute("CREATE DATABASE lmss_fresh")
        return pg_server.rsplit("/", 1)[0] + "/lmss_fresh"

    def test_schema_is_created_once_by_racing_workers(self, fresh: str) -> None:
        """Six processes' first use at the same moment: one creates, the others find it."""
        barrier = threading.Barrier(6, timeout=30)
        found: list[int] = []
        errors: list[BaseException] = []

        def first_use() -> None:
            with psycopg.connect(fresh, autocommit=True) as connection:
                barrier.wait()
                try:
                    found.append(migrate(connection))
                except BaseException as exc:  # reported below
                    errors.append(exc)

        threads = [threading.Thread(target=first_use) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sorted(found) == [0] + [SCHEMA_VERSION] * 5
        assert rows(fresh, "SELECT version FROM lmss_schema_version ORDER BY 1") == [
            (v,) for v in range(1, SCHEMA_VERSION + 1)
        ]

    def test_a_newer_schema_is_refused(self, fresh: str) -> None:
        """An older library never writes into tables laid out by a newer one."""
        with psycopg.connect(fresh, autocommit=True) as connection:
            migrate(connection)
            connection.execute(
                "INSERT INTO lmss_schema_version (version) VALUES (%s)", (SCHEMA_VERSION + 1,)
            )
        with pytest.raises(ConfigurationError, match="newer"):
            PostgresShipmentSink(fresh)


class TestOpenStores:
    def test_postgres_url(self, pg_url: str) -> None:
        """postgresql:// opens the PostgreSQL stores; the URL shown has no password."""
        stores = open_stores(pg_url.replace("postgres@", "postgres:pw@"), merchant="acme")
        try:
            assert isinstance(stores.checkpoints, PostgresCheckpointStore)
            assert isinstance(stores.shipments, PostgresShipmentSink)
            assert stores.shipments.merchant == "acme"
            assert "pw" not in repr(stores) and "pw" not in repr(stores.shipments)
        finally:
            stores.close()

    @pytest.mark.parametrize("form", ["plain", "url"])
    def test_sqlite_path_or_url(self, tmp_path: Path, form: str) -> None:
        """A path or sqlite:///PATH opens both SQLite stores in one file."""
        path = tmp_path / "state.sqlite3"
        stores = open_stores(str(path) if form == "plain" else f"sqlite:///{path}")
        assert isinstance(stores.checkpoints, SQLiteCheckpointStore)
        assert isinstance(stores.shipments, SQLiteShipmentSink)
        assert stores.shipments.deliver(UPDATE) is True
        assert SQLiteShipmentSink(path).updates() == [UPDATE]

    def test_unknown_scheme_is_refused(self) -> None:
        """mysql://… is not silently taken for a file name."""
        with pytest.raises(ConfigurationError, match="mysql"):
            open_stores("mysql://db/lmss")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://sync:hunter2@db/lmss", "postgresql://sync:***@db/lmss"),
        (
            "postgresql://db/lmss?user=a&password=hunter2",
            "postgresql://db/lmss?user=a&password=***",
        ),
        ("host=db password=hunter2 dbname=lmss", "host=db password=*** dbname=lmss"),
        ("postgresql://sync@db/lmss", "postgresql://sync@db/lmss"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    """Passwords never reach a message, whichever way the URL carries them."""
    assert redact_url(url) == shown
