"""Where the sync remembers how far it got: watermarks, what was sent, what was delivered.

Implement :class:`CheckpointStore` over your own database, or use :class:`SQLiteCheckpointStore`
(standard library; every write is one transaction, so a process killed at any point leaves
either the old state or the new one) or :class:`MemoryCheckpointStore` (tests).
"""

import abc
import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from .._sqlite import transaction

__all__ = ["CheckpointStore", "MemoryCheckpointStore", "SQLiteCheckpointStore"]


class CheckpointStore(abc.ABC):
    """The sync's memory. Every method must be atomic; none may lose a write it returned from."""

    @abc.abstractmethod
    def watermark(self, name: str) -> datetime | None:
        """How far the sync called *name* has safely got (``None`` before its first run)."""

    @abc.abstractmethod
    def set_watermark(self, name: str, value: datetime) -> None:
        """Record that everything of *name* up to *value* is done."""

    @abc.abstractmethod
    def fingerprint(self, key: str) -> str | None:
        """The fingerprint of what was last sent under *key*, if anything."""

    @abc.abstractmethod
    def set_fingerprint(self, key: str, value: str) -> None:
        """Record that what has fingerprint *value* was sent under *key*."""

    def get_fingerprints(self, keys: Iterable[str]) -> dict[str, str]:
        """The fingerprints of *keys* that have one (a batch of :meth:`fingerprint`).

        Override it to read them in one query; the default asks one key at a time.

        .. versionadded:: 0.2
        """
        found: dict[str, str] = {}
        for key in keys:
            value = self.fingerprint(key)
            if value is not None:
                found[key] = value
        return found

    def set_fingerprints(self, values: Mapping[str, str]) -> None:
        """Record several fingerprints (a batch of :meth:`set_fingerprint`).

        Override it to write them in one transaction (all or none); the default writes one
        at a time, which is also correct: a crash part way only means the orders not yet
        recorded are sent again, which updates them.

        .. versionadded:: 0.2
        """
        for key, value in values.items():
            self.set_fingerprint(key, value)

    @abc.abstractmethod
    def is_delivered(self, key: str) -> bool:
        """Whether the shipment update *key* was delivered already."""

    @abc.abstractmethod
    def mark_delivered(self, key: str) -> None:
        """Record that the shipment update *key* was delivered."""

    @abc.abstractmethod
    def record_rejection(self, order_id: int, reason: str, message: str) -> None:
        """Remember that an order was rejected for good, and why (latest reason wins)."""

    @abc.abstractmethod
    def rejections(self) -> dict[int, tuple[str, str]]:
        """Every recorded rejection: order id → (reason, message)."""


class MemoryCheckpointStore(CheckpointStore):
    """A checkpoint store in memory (tests; one process)."""

    def __init__(self) -> None:
        self.watermarks: dict[str, datetime] = {}
        self.fingerprints: dict[str, str] = {}
        self.delivered: set[str] = set()
        self.rejected: dict[int, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def watermark(self, name: str) -> datetime | None:
        """See :meth:`CheckpointStore.watermark`."""
        return self.watermarks.get(name)

    def set_watermark(self, name: str, value: datetime) -> None:
        """See :meth:`CheckpointStore.set_watermark`."""
        with self._lock:
            self.watermarks[name] = value

    def fingerprint(self, key: str) -> str | None:
        """See :meth:`CheckpointStore.fingerprint`."""
        return self.fingerprints.get(key)

    def set_fingerprint(self, key: str, value: str) -> None:
        """See :meth:`CheckpointStore.set_fingerprint`."""
        with self._lock:
            self.fingerprints[key] = value

    def is_delivered(self, key: str) -> bool:
        """See :meth:`CheckpointStore.is_delivered`."""
        return key in self.delivered

    def mark_delivered(self, key: str) -> None:
        """See :meth:`CheckpointStore.mark_delivered`."""
        with self._lock:
            self.delivered.add(key)

    def record_rejection(self, order_id: int, reason: str, message: str) -> None:
        """See :meth:`CheckpointStore.record_rejection`."""
        with self._lock:
            self.rejected[order_id] = (reason, message)

    def rejections(self) -> dict[int, tuple[str, str]]:
        """See :meth:`CheckpointStore.rejections`."""
        return dict(self.rejected)


class SQLiteCheckpointStore(CheckpointStore):
    """A checkpoint store in a SQLite file; each write is one committed transaction.

    Safe across processes and restarts; safe between threads (one connection per call).

    Args:
        path: The database file; created with its tables when missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._connect() as db:
            db.executescript(
                "CREATE TABLE IF NOT EXISTS watermarks ("
                " name TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS fingerprints ("
                " key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS delivered (key TEXT PRIMARY KEY);"
                "CREATE TABLE IF NOT EXISTS rejections ("
                " order_id INTEGER PRIMARY KEY, reason TEXT NOT NULL, message TEXT NOT NULL);"
            )

    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def _one(self, sql: str, *args: object) -> str | None:
        with self._connect() as db:
            row = db.execute(sql, args).fetchone()
        return None if row is None else str(row[0])

    def watermark(self, name: str) -> datetime | None:
        """See :meth:`CheckpointStore.watermark`."""
        value = self._one("SELECT value FROM watermarks WHERE name = ?", name)
        return None if value is None else datetime.fromisoformat(value)

    def set_watermark(self, name: str, value: datetime) -> None:
        """See :meth:`CheckpointStore.set_watermark`."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO watermarks VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = ?",
                (name, value.isoformat(), value.isoformat()),
            )

    def fingerprint(self, key: str) -> str | None:
        """See :meth:`CheckpointStore.fingerprint`."""
        return self._one("SELECT value FROM fingerprints WHERE key = ?", key)

    def set_fingerprint(self, key: str, value: str) -> None:
        """See :meth:`CheckpointStore.set_fingerprint`."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO fingerprints VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                (key, value, value),
            )

    def get_fingerprints(self, keys: Iterable[str]) -> dict[str, str]:
        """See :meth:`CheckpointStore.get_fingerprints` (one connection for the batch)."""
        wanted = list(keys)
        found: dict[str, str] = {}
        with self._connect() as db:
            for start in range(0, len(wanted), 500):  # under SQLite's variable limit
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, value FROM fingerprints WHERE key IN ({marks})",  # noqa: S608
                    chunk,
                ).fetchall()
                found.update((str(k), str(v)) for k, v in rows)
        return found

    def set_fingerprints(self, values: Mapping[str, str]) -> None:
        """See :meth:`CheckpointStore.set_fingerprints` (one transaction for the batch)."""
        if not values:
            return
        with self._connect() as db:
            db.executemany(
                "INSERT INTO fingerprints VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                [(k, v, v) for k, v in values.items()],
            )

    def is_delivered(self, key: str) -> bool:
        """See :meth:`CheckpointStore.is_delivered`."""
        return self._one("SELECT key FROM delivered WHERE key = ?", key) is not None

    def mark_delivered(self, key: str) -> None:
        """See :meth:`CheckpointStore.mark_delivered`."""
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO delivered VALUES (?)", (key,))

    def record_rejection(self, order_id: int, reason: str, message: str) -> None:
        """See :meth:`CheckpointStore.record_rejection`."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO rejections VALUES (?, ?, ?)"
                " ON CONFLICT(order_id) DO UPDATE SET reason = ?, message = ?",
                (order_id, reason, message, reason, message),
            )

    def rejections(self) -> dict[int, tuple[str, str]]:
        """See :meth:`CheckpointStore.rejections`."""
        with self._connect() as db:
            rows = db.execute("SELECT order_id, reason, message FROM rejections").fetchall()
        return {int(o): (str(r), str(m)) for o, r, m in rows}
