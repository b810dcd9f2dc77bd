"""Export snapshots: the order ids of one export window, frozen at its first page request.

ShipStation pages through an export by asking for page 1, reading ``pages``, then asking for
pages 2..N with the same ``start_date`` and ``end_date``. If every page re-ran the window's
query, an order modified between two page requests would move, the orders after it would shift
one place, and one of them would never be exported. So the endpoint takes a **snapshot** of the
window's order ids at the first request for it and serves every page from that list.

A :class:`~listingmirror_shipstation.customstore.SnapshotStore` keeps snapshots for a bounded
time. Two are bundled: :class:`~listingmirror_shipstation.customstore.SQLiteSnapshotStore`
(the default of :func:`~listingmirror_shipstation.integration.make_custom_store_app`, shared
by every thread and process that uses the same file) and
:class:`~listingmirror_shipstation.customstore.MemorySnapshotStore` (one process; for tests
and embedding). A store for another database implements the four methods of
:class:`~listingmirror_shipstation.customstore.SnapshotStore`.
"""

import abc
import itertools
import json
import logging
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from attrs import field, frozen

from .._sqlite import transaction
from .._time import aware
from ..errors import ConfigurationError

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MemorySnapshotStore",
    "SQLiteSnapshotStore",
    "Snapshot",
    "SnapshotStore",
]

logger = logging.getLogger(__name__)


@frozen(kw_only=True)
class Snapshot:
    """One stored snapshot: which window, how many ids, and until when it is served.

    Attributes:
        key: What the snapshot is of (the app uses the user name and the window).
        token: Unique to this snapshot: a later snapshot under the same key has another token,
            so a page is never read from a snapshot other than the one its count came from.
        count: How many order ids it holds.
        created_at: When it was taken (UTC).
        expires_at: After this instant it is no longer served (UTC).
    """

    key: str
    token: str
    count: int
    created_at: datetime = field(validator=aware)
    expires_at: datetime = field(validator=aware)


class SnapshotStore(abc.ABC):
    """Where export snapshots live between the page requests of one pass.

    Every method may be called from several threads and processes at once. The contract that
    makes paging consistent is :meth:`create`: for one key, at any instant, at most one live
    (unexpired) snapshot exists, and every caller gets that one.
    """

    @abc.abstractmethod
    def get(self, key: str, *, now: datetime) -> Snapshot | None:
        """Return the live snapshot under *key*: one whose ``expires_at`` is after *now*.

        Returns:
            The snapshot, or ``None`` when there is none or it has expired.
        """

    @abc.abstractmethod
    def create(
        self, key: str, ids: Sequence[str], *, now: datetime, expires_at: datetime
    ) -> Snapshot:
        """Store *ids* under *key* unless a live snapshot is there; return the live one.

        Create-if-absent, atomically (one transaction): when another caller stored a live
        snapshot under *key* first, that one is returned and *ids* are dropped, so two requests
        for the same window always see the same snapshot. An expired snapshot under *key* is
        replaced (with a new token).

        Args:
            key: What the snapshot is of.
            ids: The order ids in the order pages are served.
            now: The current time (aware); a snapshot expiring at or before it is dead.
            expires_at: When the new snapshot stops being served (aware, after *now*).
        """

    @abc.abstractmethod
    def page(self, snapshot: Snapshot, offset: int, limit: int) -> list[str] | None:
        """Return the ids at positions ``offset`` to ``offset + limit - 1`` of *snapshot*.

        Fewer (or none) past the end. Reads the snapshot by its token, never another snapshot
        that replaced it.

        Returns:
            The ids, or ``None`` when the snapshot is gone (purged or replaced).
        """

    @abc.abstractmethod
    def purge(self, *, now: datetime) -> int:
        """Delete every snapshot whose ``expires_at`` is at or before *now*; return how many."""


def _utc(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime refused: {value!r}")
    return value.astimezone(UTC)


class MemorySnapshotStore(SnapshotStore):
    """Snapshots in this process's memory (tests, embedding, one-process servers).

    Several worker processes each have their own: use
    :class:`~listingmirror_shipstation.customstore.SQLiteSnapshotStore` (or a database store)
    when a server runs more than one process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshots: dict[str, tuple[Snapshot, tuple[str, ...]]] = {}

    def __repr__(self) -> str:
        return f"MemorySnapshotStore(snapshots={len(self._snapshots)})"

    def get(self, key: str, *, now: datetime) -> Snapshot | None:
        """Return the live snapshot under *key* (see :meth:`SnapshotStore.get`)."""
        with self._lock:
            stored = self._snapshots.get(key)
        if stored is None or stored[0].expires_at <= _utc(now):
            return None
        return stored[0]

    def create(
        self, key: str, ids: Sequence[str], *, now: datetime, expires_at: datetime
    ) -> Snapshot:
        """Store *ids* unless a live snapshot exists (see :meth:`SnapshotStore.create`)."""
        now = _utc(now)
        with self._lock:
            stored = self._snapshots.get(key)
            if stored is not None and stored[0].expires_at > now:
                return stored[0]
            snapshot = Snapshot(
                key=key,
                token=secrets.token_hex(16),
                count=len(ids),
                created_at=now,
                expires_at=_utc(expires_at),
            )
            self._snapshots[key] = (snapshot, tuple(ids))
            return snapshot

    def page(self, snapshot: Snapshot, offset: int, limit: int) -> list[str] | None:
        """Return a slice of *snapshot*'s ids (see :meth:`SnapshotStore.page`)."""
        with self._lock:
            stored = self._snapshots.get(snapshot.key)
        if stored is None or stored[0].token != snapshot.token:
            return None
        return list(stored[1][max(offset, 0) : max(offset, 0) + max(limit, 0)])

    def purge(self, *, now: datetime) -> int:
        """Delete expired snapshots (see :meth:`SnapshotStore.purge`)."""
        now = _utc(now)
        with self._lock:
            dead = [k for k, (s, _) in self._snapshots.items() if s.expires_at <= now]
            for key in dead:
                del self._snapshots[key]
        return len(dead)


#: The number of ids one stored row of a database snapshot store holds unless told otherwise.
#: A page of up to this many ids reads one or two rows, and taking a snapshot of 20,000 ids
#: writes 20 rows instead of 20,000.
DEFAULT_CHUNK_SIZE: Final = 1000


def _chunked(ids: Sequence[str], size: int) -> Iterator[tuple[int, str]]:
    """Split *ids* into rows: ``(position of the first id, JSON array text of up to size ids)``.

    JSON text (ASCII only, every character escaped that needs it) keeps any string apart from
    its neighbours, commas, quotes, NUL and lone surrogates included; a row holds its own
    length, so readers never depend on *size*.
    """
    if size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {size!r}")
    remaining = map(str, ids)
    start = 0
    while chunk := list(itertools.islice(remaining, size)):
        yield start, json.dumps(chunk)
        start += len(chunk)


def _cut_page(
    rows: Sequence[tuple[int, str]], snapshot: Snapshot, start: int, stop: int
) -> list[str] | None:
    """The ids at positions ``start`` to ``stop - 1`` from the rows (in order) that hold them.

    *rows* are ``(position of the first id, JSON array text)`` for the row holding *start*
    and every later row beginning before *stop*. Returns ``None`` when an id the snapshot's
    count promises is missing (a damaged snapshot is not served short).
    """
    ids: list[str] = []
    first = rows[0][0] if rows else start
    for position, text in rows:
        if position != first + len(ids):  # a row is missing between two others
            return None
        ids.extend(json.loads(text))
    page = ids[start - first : stop - first] if first <= start else []
    if len(page) != max(0, min(stop, snapshot.count) - start):
        return None
    return page


#: The tables :class:`~listingmirror_shipstation.customstore.SQLiteSnapshotStore` creates
#: (timestamps are ISO 8601 UTC text, all written with microseconds, so they compare as text).
#: ``export_snapshot_chunks`` holds the ids, a JSON array of up to ``chunk_size`` of them a
#: row, keyed by the position of the row's first id.
SQLITE_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS export_snapshots ("
    " key TEXT PRIMARY KEY,"
    " token TEXT NOT NULL UNIQUE,"
    " count INTEGER NOT NULL,"
    " created_at TEXT NOT NULL,"
    " expires_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS export_snapshot_chunks ("
    " token TEXT NOT NULL,"
    " start INTEGER NOT NULL,"
    " ids TEXT NOT NULL,"
    " PRIMARY KEY (token, start))",
)

#: The rows holding positions ``?2`` to ``?3 - 1`` of snapshot ``?1``: the last row starting at
#: or before ``?2``, and every later one starting before ``?3`` (two index lookups).
_SQLITE_PAGE: Final = (
    "SELECT start, ids FROM export_snapshot_chunks WHERE token = ?1 AND start < ?3"
    " AND start >= (SELECT coalesce(max(start), 0) FROM export_snapshot_chunks"
    " WHERE token = ?1 AND start <= ?2) ORDER BY start"
)


#: The earlier layout's table, as a view over the chunks. A worker of an earlier version
#: started during a rolling upgrade creates that table if it is missing (``IF NOT EXISTS``) and
#: would then page through it, empty, serving no orders without a word. With the view in its
#: place, its ``CREATE`` does nothing, its reads see the snapshots this version writes, and its
#: writes fail loudly (a view cannot be written): its export answers 500 and ShipStation asks
#: again, until the upgrade is done.
_SQLITE_OLD_LAYOUT_VIEW: Final = (
    "CREATE VIEW IF NOT EXISTS export_snapshot_ids AS"
    " SELECT c.token AS token, c.start + j.key AS position, j.value AS order_id"
    " FROM export_snapshot_chunks AS c, json_each(c.ids) AS j"
)


def _text(value: datetime) -> str:
    return _utc(value).isoformat(timespec="microseconds")


class SQLiteSnapshotStore(SnapshotStore):
    """Snapshots in a SQLite file (standard library), shared by threads and processes.

    The file may be the one the shipment sink uses. The tables
    (:data:`~listingmirror_shipstation.customstore.snapshots.SQLITE_SCHEMA`) are
    ``export_snapshots`` (one row per snapshot) and ``export_snapshot_chunks`` (the ids, up to
    *chunk_size* of them a row, so taking a snapshot writes a row per *chunk_size* ids and a
    page reads only the one or two rows that hold it).
    :meth:`create` runs in one write transaction, so two processes asking for the same window at
    once store one snapshot and both get it.

    A file written by an earlier version (one row per id in ``export_snapshot_ids``) is
    migrated when opened: each snapshot keeps its ids, so a poll in progress goes on, and the
    old table is replaced by a view of the same name over the chunks, so a worker of the
    earlier version still running (or started) during a rolling upgrade reads the right ids and
    fails loudly when it tries to write, rather than page through an empty table of its own
    (to roll back to that version for good, ``DROP VIEW export_snapshot_ids`` first). A
    snapshot whose ids are missing (not one this library wrote) is dropped by :meth:`page`,
    which returns ``None``: the endpoint takes a new snapshot of the window, as when one
    expires, rather than serve a short page.

    Args:
        path: The database file; created with its tables when missing.
        chunk_size: How many ids one stored row holds. Only writing depends on it: stores with
            different sizes read each other's snapshots.

    .. versionchanged:: 0.2
       Ids are stored in chunks (``export_snapshot_chunks``), not one row each.
    """

    def __init__(self, path: str | Path, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if chunk_size < 1:
            raise ConfigurationError(f"chunk_size must be at least 1, got {chunk_size!r}")
        self.path = Path(path)
        self.chunk_size = chunk_size
        with transaction(self.path) as db:
            db.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see it
            for statement in SQLITE_SCHEMA:
                db.execute(statement)
            old = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'export_snapshot_ids'"
            ).fetchone()
            if old is not None:
                self._migrate_one_row_per_id(db)
            try:  # SQLite checks a view's body only when it is read: ask for json_each first
                db.execute("SELECT * FROM json_each('[]')")
            except sqlite3.OperationalError:  # built without JSON functions (before 3.38)
                logger.debug("no export_snapshot_ids view: this SQLite has no json_each")
            else:
                db.execute(_SQLITE_OLD_LAYOUT_VIEW)

    def _migrate_one_row_per_id(self, db: sqlite3.Connection) -> None:
        """Move every snapshot's ids from the earlier layout (a row per id) into chunks."""
        tokens = [t for (t,) in db.execute("SELECT token FROM export_snapshots").fetchall()]
        for token in tokens:
            ids = [
                order_id
                for (order_id,) in db.execute(
                    "SELECT order_id FROM export_snapshot_ids WHERE token = ? ORDER BY position",
                    (token,),
                )
            ]
            self._insert(db, token, ids)
        db.execute("DROP TABLE export_snapshot_ids")

    def _insert(self, db: sqlite3.Connection, token: str, ids: Sequence[str]) -> None:
        db.executemany(
            "INSERT INTO export_snapshot_chunks (token, start, ids) VALUES (?, ?, ?)",
            ((token, start, text) for start, text in _chunked(ids, self.chunk_size)),
        )

    def __repr__(self) -> str:
        return f"SQLiteSnapshotStore({str(self.path)!r})"

    @staticmethod
    def _row(row: tuple[str, str, int, str, str]) -> Snapshot:
        key, token, count, created_at, expires_at = row
        return Snapshot(
            key=key,
            token=token,
            count=count,
            created_at=datetime.fromisoformat(created_at),
            expires_at=datetime.fromisoformat(expires_at),
        )

    def get(self, key: str, *, now: datetime) -> Snapshot | None:
        """Return the live snapshot under *key* (see :meth:`SnapshotStore.get`)."""
        with transaction(self.path) as db:
            row = db.execute(
                "SELECT key, token, count, created_at, expires_at FROM export_snapshots"
                " WHERE key = ? AND expires_at > ?",
                (key, _text(now)),
            ).fetchone()
        return None if row is None else self._row(row)

    def create(
        self, key: str, ids: Sequence[str], *, now: datetime, expires_at: datetime
    ) -> Snapshot:
        """Store *ids* unless a live snapshot exists (see :meth:`SnapshotStore.create`)."""
        token = secrets.token_hex(16)
        with transaction(self.path) as db:
            # The first statement writes, so this transaction holds SQLite's write lock from
            # here to the commit: a second process asking for the same key waits, then sees ours.
            db.execute(
                "DELETE FROM export_snapshot_chunks WHERE token IN (SELECT token"
                " FROM export_snapshots WHERE key = ? AND expires_at <= ?)",
                (key, _text(now)),
            )
            db.execute(
                "DELETE FROM export_snapshots WHERE key = ? AND expires_at <= ?",
                (key, _text(now)),
            )
            inserted = db.execute(
                "INSERT OR IGNORE INTO export_snapshots VALUES (?, ?, ?, ?, ?)",
                (key, token, len(ids), _text(now), _text(expires_at)),
            ).rowcount
            if inserted == 1:
                self._insert(db, token, ids)
            row = db.execute(
                "SELECT key, token, count, created_at, expires_at FROM export_snapshots"
                " WHERE key = ?",
                (key,),
            ).fetchone()
        return self._row(row)

    def page(self, snapshot: Snapshot, offset: int, limit: int) -> list[str] | None:
        """Return a slice of *snapshot*'s ids (see :meth:`SnapshotStore.page`)."""
        start = max(offset, 0)
        stop = start + max(limit, 0)
        with transaction(self.path) as db:
            alive = db.execute(
                "SELECT 1 FROM export_snapshots WHERE token = ?", (snapshot.token,)
            ).fetchone()
            if alive is None:
                return None
            rows = db.execute(_SQLITE_PAGE, (snapshot.token, start, stop)).fetchall()
            page = _cut_page(rows, snapshot, start, stop)
            if page is None:  # ids missing: drop it, so the next request takes a new one
                self._delete(db, snapshot.token)
        return page

    @staticmethod
    def _delete(db: sqlite3.Connection, token: str) -> None:
        db.execute("DELETE FROM export_snapshot_chunks WHERE token = ?", (token,))
        db.execute("DELETE FROM export_snapshots WHERE token = ?", (token,))

    def purge(self, *, now: datetime) -> int:
        """Delete expired snapshots (see :meth:`SnapshotStore.purge`)."""
        with transaction(self.path) as db:
            db.execute(
                "DELETE FROM export_snapshot_chunks WHERE token IN (SELECT token"
                " FROM export_snapshots WHERE expires_at <= ?)",
                (_text(now),),
            )
            return db.execute(
                "DELETE FROM export_snapshots WHERE expires_at <= ?", (_text(now),)
            ).rowcount
