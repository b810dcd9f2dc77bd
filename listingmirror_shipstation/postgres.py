"""PostgreSQL stores, for several workers on several machines (``pip install '…[postgres]'``).

The same interfaces as the SQLite defaults, on `psycopg 3 <https://www.psycopg.org/psycopg3/>`_:

* :class:`PostgresCheckpointStore`, a :class:`~listingmirror_shipstation.sync.CheckpointStore`;
* :class:`PostgresShipmentSink`, a :class:`~listingmirror_shipstation.integration.ShipmentSink`
  that takes each ``(shipment_id, kind)`` once (``kind`` is ``"void"`` for a voided label,
  ``"shipment"`` otherwise), however many workers receive it at the same moment
  (``INSERT … ON CONFLICT DO NOTHING`` in one transaction);
* :class:`PostgresSnapshotStore`, the Custom Store export's snapshot store: two workers asked
  for the same export window at once store one snapshot and both page through it;
* :class:`PostgresLease`, a :class:`~listingmirror_shipstation.stores.MerchantLease` held as a
  session-level advisory lock on a connection of its own: the server releases it the moment
  that connection ends, crash or not.

Usually opened through :func:`~listingmirror_shipstation.stores.open_stores` with a
``postgresql://`` URL. Each store takes a URL (or a libpq connection string) and a *merchant*:
one database holds the state of many merchants, each apart from the others.

The tables (all named ``lmss_*``) are created on first use. Their layout is versioned in
``lmss_schema_version``; a newer library upgrades an older layout in place, and an older
library refuses a newer layout (:class:`~listingmirror_shipstation.errors.ConfigurationError`)
instead of writing to tables it does not understand.

Each store keeps one connection per process (opened again after a ``fork``, as under
gunicorn, or after the server dropped it) and is safe to share between threads.
"""

import contextlib
import hashlib
import os
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow

from . import listingmirror as lm
from ._leases import DatabaseUnavailableError, LeaseHeldError, MerchantLease, redact_url
from .customstore.snapshots import (
    DEFAULT_CHUNK_SIZE,
    Snapshot,
    SnapshotStore,
    _chunked,
    _cut_page,
)
from .errors import ConfigurationError, ConversionError
from .integration import ShipmentSink
from .sync.checkpoints import CheckpointStore
from .sync.shipments import delivery_key

__all__ = [
    "SCHEMA_VERSION",
    "PostgresCheckpointStore",
    "PostgresLease",
    "PostgresShipmentSink",
    "PostgresSnapshotStore",
    "migrate",
]

#: The version of the table layout this library writes (see ``lmss_schema_version``).
SCHEMA_VERSION = 3

#: Advisory-lock class (two-key form) under which the schema is created, one migrator at a time.
_SCHEMA_LOCK = (0x4C4D5353, 0)  # "LMSS"

#: Statements that bring the layout from version ``n - 1`` to ``n``.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE lmss_watermarks ("
        " merchant TEXT NOT NULL, name TEXT NOT NULL, value TIMESTAMPTZ NOT NULL,"
        " PRIMARY KEY (merchant, name))",
        "CREATE TABLE lmss_fingerprints ("
        " merchant TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY (merchant, key))",
        "CREATE TABLE lmss_delivered ("
        " merchant TEXT NOT NULL, key TEXT NOT NULL,"
        " delivered_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
        " PRIMARY KEY (merchant, key))",
        "CREATE TABLE lmss_rejections ("
        " merchant TEXT NOT NULL, order_id BIGINT NOT NULL,"
        " reason TEXT NOT NULL, message TEXT NOT NULL,"
        " PRIMARY KEY (merchant, order_id))",
        "CREATE TABLE lmss_shipment_updates ("
        " merchant TEXT NOT NULL, shipment_id TEXT NOT NULL,"
        " kind TEXT NOT NULL CHECK (kind IN ('shipment', 'void')),"
        " order_id BIGINT, market_order_id TEXT,"
        " received_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),"
        " body TEXT NOT NULL,"
        " PRIMARY KEY (merchant, shipment_id, kind))",
    ),
    2: (
        "CREATE TABLE lmss_export_snapshots ("
        " merchant TEXT NOT NULL, key TEXT NOT NULL, token TEXT NOT NULL UNIQUE,"
        " count INTEGER NOT NULL,"
        " created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL,"
        " PRIMARY KEY (merchant, key))",
        "CREATE TABLE lmss_export_snapshot_ids ("
        " token TEXT NOT NULL REFERENCES lmss_export_snapshots (token) ON DELETE CASCADE,"
        " position INTEGER NOT NULL, order_id TEXT NOT NULL,"
        " PRIMARY KEY (token, position))",
        "CREATE INDEX lmss_export_snapshots_expiry ON lmss_export_snapshots (expires_at)",
    ),
    # A snapshot's ids in chunks (a JSON array of up to chunk_size ids a row, keyed by the
    # position of its first id) instead of a row per id. Live snapshots keep their ids, so a
    # poll in progress during the upgrade goes on from the same list. The lock waits for a
    # worker of the previous version still writing ids, so they are copied too; after the drop
    # such a worker fails loudly. Should ids ever be missing, `page` drops that snapshot and
    # returns None, and the endpoint takes a new one, as when a snapshot expires.
    3: (
        "LOCK TABLE lmss_export_snapshots, lmss_export_snapshot_ids IN SHARE ROW EXCLUSIVE MODE",
        "CREATE TABLE lmss_export_snapshot_chunks ("
        " token TEXT NOT NULL REFERENCES lmss_export_snapshots (token) ON DELETE CASCADE,"
        " start INTEGER NOT NULL, ids TEXT NOT NULL,"
        " PRIMARY KEY (token, start))",
        "INSERT INTO lmss_export_snapshot_chunks (token, start, ids)"
        " SELECT token, position / 1000 * 1000, json_agg(order_id ORDER BY position)::text"
        " FROM lmss_export_snapshot_ids GROUP BY token, position / 1000",
        "DROP TABLE lmss_export_snapshot_ids",
    ),
}


def migrate(connection: psycopg.Connection[TupleRow]) -> int:
    """Create or upgrade the ``lmss_*`` tables on *connection*; return the version found before.

    Safe to call from many processes at once (they take turns under an advisory lock), and
    cheap once the layout is current. Stores call it when they open.

    Raises:
        ConfigurationError: The database holds a newer layout than this library knows.
    """
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s, %s)", _SCHEMA_LOCK)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS lmss_schema_version ("
            " version INTEGER PRIMARY KEY,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        row = connection.execute("SELECT max(version) FROM lmss_schema_version").fetchone()
        found = int(row[0]) if row is not None and row[0] is not None else 0
        if found > SCHEMA_VERSION:
            raise ConfigurationError(
                f"the database's lmss tables are at schema version {found}, newer than this "
                f"library's {SCHEMA_VERSION}: upgrade listingmirror-shipstation"
            )
        for version in range(found + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[version]:
                connection.execute(statement)
            connection.execute("INSERT INTO lmss_schema_version (version) VALUES (%s)", (version,))
    return found


def _connect(conninfo: str, **options: str | int) -> psycopg.Connection[TupleRow]:
    try:
        full = make_conninfo(conninfo, **options) if options else conninfo
        return psycopg.connect(full, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        # libpq's message names the host and the user, never the password.
        raise DatabaseUnavailableError(
            f"cannot connect to {redact_url(conninfo)}: {str(exc).strip()}"
        ) from None


class _Database:
    """One connection per process, reopened when broken; one transaction at a time."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._pid = 0
        self._inherited: list[psycopg.Connection[TupleRow]] = []
        with self._lock:
            connection = self._usable()
            try:
                migrate(connection)
            except BaseException:
                connection.close()
                raise

    def _usable(self) -> psycopg.Connection[TupleRow]:
        connection = self._connection
        if connection is not None and self._pid != os.getpid():
            # Inherited through fork: the parent owns that socket. Keep a reference so it is
            # never closed (nor warned about) from here, and open our own.
            self._inherited.append(connection)
            connection = None
        if connection is not None and (connection.closed or connection.broken):
            connection = None
        if connection is None:
            connection = _connect(self._conninfo)
            self._connection, self._pid = connection, os.getpid()
        return connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """Yield the connection inside one transaction (committed, or rolled back)."""
        with self._lock:
            connection = self._usable()
            with connection.transaction():
                yield connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None


class _Store:
    def __init__(self, url: str, *, merchant: str) -> None:
        if not merchant:
            raise ConfigurationError("merchant must not be empty")
        self.merchant = merchant
        self._db = _Database(url)
        self._shown = redact_url(url)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._shown!r}, merchant={self.merchant!r})"

    def close(self) -> None:
        """Close this process's connection (the next call opens a new one)."""
        self._db.close()


class PostgresCheckpointStore(_Store, CheckpointStore):
    """A :class:`~listingmirror_shipstation.sync.CheckpointStore` in PostgreSQL.

    Every write is one committed transaction. :class:`PostgresShipmentSink` on the same
    database and merchant records "delivered" in the very transaction that stores the update,
    so the checkpoint and what it records can never disagree.

    Args:
        url: ``postgresql://…`` or a libpq connection string.
        merchant: Whose checkpoints these are.
    """

    def __init__(self, url: str, *, merchant: str = "default") -> None:
        super().__init__(url, merchant=merchant)

    def _one(self, sql: str, *args: object) -> object:
        with self._db.transaction() as db:
            row = db.execute(sql, (self.merchant, *args)).fetchone()
        return None if row is None else row[0]

    def watermark(self, name: str) -> datetime | None:
        """See :meth:`~listingmirror_shipstation.sync.CheckpointStore.watermark`."""
        value = self._one(
            "SELECT value FROM lmss_watermarks WHERE merchant = %s AND name = %s", name
        )
        return value.astimezone(UTC) if isinstance(value, datetime) else None

    def set_watermark(self, name: str, value: datetime) -> None:
        """See :meth:`~listingmirror_shipstation.sync.CheckpointStore.set_watermark`."""
        if value.utcoffset() is None:
            raise ConfigurationError(f"watermark {name!r} must be timezone-aware, got {value!r}")
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO lmss_watermarks (merchant, name, value) VALUES (%s, %s, %s)"
                " ON CONFLICT (merchant, name) DO UPDATE SET value = EXCLUDED.value",
                (self.merchant, name, value),
            )

    def fingerprint(self, key: str) -> str | None:
        """See :meth:`~listingmirror_shipstation.sync.CheckpointStore.fingerprint`."""
        value = self._one(
            "SELECT value FROM lmss_fingerprints WHERE merchant = %s AND key = %s", key
        )
        return None if value is None else str(value)

    def set_fingerprint(self, key: str, value: str) -> None:
        """See :meth:`~listingmirror_shipstation.sync.CheckpointStore.set_fingerprint`."""
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO lmss_fingerprints (merchant, key, value) VALUES (%s, %s, %s)"
                " ON CONFLICT (merchant, key) DO UPDATE SET value = EXCLUDED.value",
                (self.merchant, key, value),
            )

    def is_delivered(self, key: str) -> bool:
        """See :meth:`~listingmirror_shipstation.sync.CheckpointStore.is_delivered`."""
        return (
            self._one("SELECT 1 FROM lmss_delivered WHERE merchant = %s AND key = %s", key)
            is not None
        )

    def mark_delivered(self, key: str) -> None:
        """See :meth:`~listingmirror_shipstation.sync.CheckpointStore.mark_delivered`."""
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO lmss_delivered (merchant, key) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (self.merchant, key),
            )

    def record_rejection(self, order_id: int, reason: str, message: str) -> None:
        """See :meth:`~listingmirror_shipstation.sync.CheckpointStore.record_rejection`."""
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO lmss_rejections (merchant, order_id, reason, message)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (merchant, order_id)"
                " DO UPDATE SET reason = EXCLUDED.reason, message = EXCLUDED.message",
                (self.merchant, order_id, reason, message),
            )

    def rejections(self) -> dict[int, tuple[str, str]]:
        """See :meth:`~listingmirror_shipstation.sync.CheckpointStore.rejections`."""
        with self._db.transaction() as db:
            rows = db.execute(
                "SELECT order_id, reason, message FROM lmss_rejections WHERE merchant = %s",
                (self.merchant,),
            ).fetchall()
        return {int(o): (str(r), str(m)) for o, r, m in rows}


def _kind(update: lm.ShipmentUpdate) -> str:
    return "void" if update.voided else "shipment"


class PostgresShipmentSink(_Store, ShipmentSink):
    """A :class:`~listingmirror_shipstation.integration.ShipmentSink` in PostgreSQL.

    Each ``(shipment_id, kind)`` is stored once per merchant, ``kind`` being ``"void"`` when
    the update is a voided label and ``"shipment"`` otherwise: a shipment and its later void
    are two rows. Any number of workers may deliver the same update at the same moment; one
    gets ``True``, the others ``False``. In the same transaction the update is marked
    delivered for :class:`PostgresCheckpointStore` (key
    :func:`~listingmirror_shipstation.sync.delivery_key`).

    Args:
        url: ``postgresql://…`` or a libpq connection string.
        merchant: Whose updates these are.
    """

    def __init__(self, url: str, *, merchant: str = "default") -> None:
        super().__init__(url, merchant=merchant)

    def deliver(self, update: lm.ShipmentUpdate) -> bool:
        """Store *update* unless its ``(shipment_id, kind)`` is stored already."""
        if not update.shipment_id:
            raise ConversionError(
                "cannot store a shipment update", errors=("shipment_id is required @ $",)
            )
        with self._db.transaction() as db:
            cursor = db.execute(
                "INSERT INTO lmss_shipment_updates"
                " (merchant, shipment_id, kind, order_id, market_order_id, body)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (
                    self.merchant,
                    update.shipment_id,
                    _kind(update),
                    update.order_id,
                    update.market_order_id,
                    lm.dumps(update),
                ),
            )
            fresh = cursor.rowcount == 1
            db.execute(
                "INSERT INTO lmss_delivered (merchant, key) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (self.merchant, delivery_key(update)),
            )
        return fresh

    def updates(self) -> list[lm.ShipmentUpdate]:
        """Every stored update of this merchant, oldest first."""
        with self._db.transaction() as db:
            rows = db.execute(
                "SELECT body FROM lmss_shipment_updates WHERE merchant = %s"
                " ORDER BY received_at, shipment_id, kind",
                (self.merchant,),
            ).fetchall()
        return [lm.loads(str(body), lm.ShipmentUpdate) for (body,) in rows]


def _lease_key(merchant: str) -> int:
    """A signed 64-bit advisory-lock key for *merchant* (the one-key space, apart from ours)."""
    digest = hashlib.sha256(f"lmss-lease:{merchant}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresLease(MerchantLease):
    """A merchant's lease as a PostgreSQL session-level advisory lock.

    The lock lives on a connection opened for it alone and kept idle while the sync runs;
    the server releases it when that connection ends: on :meth:`release`, when the holder
    exits or is killed, or when TCP keepalives find its machine gone (about a minute).

    Args:
        url: ``postgresql://…`` or a libpq connection string.
        merchant: Whose lease this is.
        wait: Seconds to wait for a busy lease (0: do not wait).
    """

    def __init__(self, url: str, merchant: str, *, wait: float = 0.0) -> None:
        super().__init__(merchant, wait=wait)
        self._conninfo = url
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PostgresLease({redact_url(self._conninfo)!r}, {self.merchant!r})"

    @property
    def held(self) -> bool:
        """Whether this object holds the lease (its connection is still open)."""
        connection = self._connection
        return connection is not None and not connection.closed and not connection.broken

    def acquire(self) -> None:
        """See :meth:`~listingmirror_shipstation.stores.MerchantLease.acquire`."""
        if self.held:
            return
        connection = _connect(
            self._conninfo,
            application_name=f"lmss lease {self.merchant}"[:63],
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        )
        key = _lease_key(self.merchant)
        started = time.monotonic()
        try:
            # An idle lease connection must not be ended by the server's idle timeouts.
            with contextlib.suppress(psycopg.errors.UndefinedObject):
                connection.execute("SET idle_session_timeout = 0")
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            got = bool(row and row[0])
            if not got and self.wait > 0:
                # The server queues us and wakes us when the holder lets go.
                milliseconds = max(1, int(self.wait * 1000))
                connection.execute(
                    "SELECT set_config('lock_timeout', %s, false)", (f"{milliseconds}ms",)
                )
                try:
                    connection.execute("SELECT pg_advisory_lock(%s)", (key,))
                    got = True
                except psycopg.errors.LockNotAvailable:
                    got = False
                connection.execute("SELECT set_config('lock_timeout', '0', false)")
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            raise LeaseHeldError(self.merchant, round(time.monotonic() - started, 1))
        with self._lock:
            self._connection = connection

    def release(self) -> None:
        """See :meth:`~listingmirror_shipstation.stores.MerchantLease.release`."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()  # ending the session releases the lock


def _aware(value: datetime, name: str) -> datetime:
    if value.utcoffset() is None:
        raise ConfigurationError(f"{name}: naive datetime refused: {value!r}")
    return value.astimezone(UTC)


class PostgresSnapshotStore(_Store, SnapshotStore):
    """The Custom Store export's ``SnapshotStore`` in PostgreSQL, shared by every worker.

    Implements :class:`~listingmirror_shipstation.customstore.SnapshotStore` on the tables
    ``lmss_export_snapshots`` (one row per snapshot, per merchant) and
    ``lmss_export_snapshot_chunks`` (the ids as JSON arrays of up to *chunk_size* ids a row,
    keyed by the position of the row's first id, so a page reads only the one or two rows
    that hold it).
    :meth:`create` is create-if-absent in one transaction (``INSERT … ON CONFLICT DO NOTHING``):
    two workers asked for the same window at the same moment store one snapshot, and both get
    it, so every page of a pass comes from the same list whichever worker serves it.

    Args:
        url: ``postgresql://…`` or a libpq connection string.
        merchant: Whose export this is.
        chunk_size: How many ids one stored row holds. Only writing depends on it: stores with
            different sizes read each other's snapshots.

    A snapshot whose ids are missing (not one this library wrote) is dropped by :meth:`page`,
    which returns ``None``: the endpoint takes a new snapshot of the window, as when one
    expires, rather than serve a short page.

    .. versionchanged:: 0.2
       Ids are stored in chunks (schema version 3); upgrading keeps live snapshots' ids.
    """

    _COLUMNS = "key, token, count, created_at, expires_at"

    def __init__(
        self, url: str, *, merchant: str = "default", chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        if chunk_size < 1:
            raise ConfigurationError(f"chunk_size must be at least 1, got {chunk_size!r}")
        super().__init__(url, merchant=merchant)
        self.chunk_size = chunk_size

    @staticmethod
    def _make(row: Sequence[Any]) -> Snapshot:
        key, token, count, created_at, expires_at = row
        return Snapshot(
            key=str(key),
            token=str(token),
            count=int(count),
            created_at=created_at.astimezone(UTC),
            expires_at=expires_at.astimezone(UTC),
        )

    def get(self, key: str, *, now: datetime) -> Snapshot | None:
        """Return the live snapshot under *key*, or ``None`` (see ``SnapshotStore.get``)."""
        with self._db.transaction() as db:
            row = db.execute(
                f"SELECT {self._COLUMNS} FROM lmss_export_snapshots"  # noqa: S608 - constants
                " WHERE merchant = %s AND key = %s AND expires_at > %s",
                (self.merchant, key, _aware(now, "now")),
            ).fetchone()
        return None if row is None else self._make(row)

    def create(
        self, key: str, ids: Sequence[str], *, now: datetime, expires_at: datetime
    ) -> Snapshot:
        """Store *ids* unless a live snapshot exists; return the live one (``SnapshotStore``)."""
        now, expires_at = _aware(now, "now"), _aware(expires_at, "expires_at")
        token = secrets.token_hex(16)
        with self._db.transaction() as db:
            # Ids of an expired snapshot go with it (ON DELETE CASCADE).
            db.execute(
                "DELETE FROM lmss_export_snapshots"
                " WHERE merchant = %s AND key = %s AND expires_at <= %s",
                (self.merchant, key, now),
            )
            inserted = db.execute(
                "INSERT INTO lmss_export_snapshots"
                " (merchant, key, token, count, created_at, expires_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (merchant, key) DO NOTHING",
                (self.merchant, key, token, len(ids), now, expires_at),
            ).rowcount
            if inserted == 1:
                with db.cursor().copy(
                    "COPY lmss_export_snapshot_chunks (token, start, ids) FROM STDIN"
                ) as copy:
                    for start, text in _chunked(ids, self.chunk_size):
                        copy.write_row((token, start, text))
            # Ours, or the one a concurrent create committed first (a new statement sees it).
            row = db.execute(
                f"SELECT {self._COLUMNS} FROM lmss_export_snapshots"  # noqa: S608 - constants
                " WHERE merchant = %s AND key = %s",
                (self.merchant, key),
            ).fetchone()
        assert row is not None  # noqa: S101 - inserted, or kept by the conflict
        return self._make(row)

    def page(self, snapshot: Snapshot, offset: int, limit: int) -> list[str] | None:
        """Ids at ``offset`` … ``offset + limit - 1``; ``None`` when the snapshot is gone."""
        start = max(offset, 0)
        stop = start + max(limit, 0)
        with self._db.transaction() as db:
            # The row holding `start` (the last starting at or before it) and every later row
            # starting before `stop`; one row of NULLs when the snapshot has no ids at all.
            rows = db.execute(
                "SELECT c.start, c.ids FROM lmss_export_snapshots AS s"
                " LEFT JOIN lmss_export_snapshot_chunks AS c ON c.token = s.token"
                " AND c.start < %(stop)s AND c.start >= (SELECT coalesce(max(start), 0)"
                " FROM lmss_export_snapshot_chunks WHERE token = %(token)s AND start <= %(start)s)"
                " WHERE s.merchant = %(merchant)s AND s.token = %(token)s ORDER BY c.start",
                {"start": start, "stop": stop, "merchant": self.merchant, "token": snapshot.token},
            ).fetchall()
            if not rows:
                return None
            page = _cut_page(
                [(int(first), str(text)) for first, text in rows if first is not None],
                snapshot,
                start,
                stop,
            )
            if page is None:  # ids missing: drop it, so the next request takes a new one
                db.execute(
                    "DELETE FROM lmss_export_snapshots WHERE merchant = %s AND token = %s",
                    (self.merchant, snapshot.token),
                )
        return page

    def purge(self, *, now: datetime) -> int:
        """Delete this merchant's snapshots expired at *now*; return how many."""
        with self._db.transaction() as db:
            return db.execute(
                "DELETE FROM lmss_export_snapshots WHERE merchant = %s AND expires_at <= %s",
                (self.merchant, _aware(now, "now")),
            ).rowcount
