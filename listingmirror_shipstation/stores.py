"""Pick where state lives from one URL: a SQLite file (the default) or a PostgreSQL database.

Everything that keeps state (the sync's checkpoints, the shipment updates) and the lease that
lets one sync per merchant run at a time are opened together by :func:`open_stores`:

* ``sqlite:///path/to/state.sqlite3``, or a plain path: one SQLite file on this machine
  (standard library). One file per merchant; the lease is a lock on ``<file>.lease``.
* ``postgresql://user@host/dbname`` (or ``postgres://``): a PostgreSQL database shared by
  several machines, with ``pip install 'listingmirror-shipstation[postgres]'``
  (:mod:`listingmirror_shipstation.postgres`). One database holds many merchants; the lease is
  a PostgreSQL advisory lock.

>>> import os, tempfile
>>> from listingmirror_shipstation.stores import open_stores
>>> stores = open_stores(os.path.join(tempfile.mkdtemp(), "acme.sqlite3"), merchant="acme")
>>> with stores.lease():
...     stores.checkpoints.watermark("orders") is None
True
"""

import logging
import os
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import IO

from attrs import field, frozen

from . import _exports
from ._leases import DatabaseUnavailableError, LeaseHeldError, MerchantLease, redact_url
from ._sqlite import FILE_MODE
from .customstore.snapshots import SnapshotStore, SQLiteSnapshotStore
from .errors import ConfigurationError
from .integration import ShipmentSink, SQLiteShipmentSink
from .sync.checkpoints import CheckpointStore, SQLiteCheckpointStore

__all__ = [
    "DatabaseUnavailableError",
    "FileLease",
    "LeaseHeldError",
    "MerchantLease",
    "Stores",
    "is_postgres_url",
    "open_shipment_sink",
    "open_snapshot_store",
    "open_stores",
    "redact_url",
]

# Defined in the private leaf _leases (which postgres.py imports too, so neither of the two
# imports the other at module level); documented and imported from here.
_exports.adopt(
    globals(),
    ["DatabaseUnavailableError", "LeaseHeldError", "MerchantLease", "redact_url"],
    __name__,
)

logger = logging.getLogger(__name__)

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_SQLITE_SCHEME = "sqlite:///"


class FileLease(MerchantLease):
    """A lease as an exclusive lock on a file (one machine; POSIX ``flock``).

    The operating system drops the lock when its holder exits or crashes. Where ``fcntl`` does
    not exist (Windows) the lease is not enforced, and a warning says so.

    Args:
        path: The lock file (created when missing, mode 0600, never deleted).
        merchant: Whose lease this is (for messages).
        wait: Seconds to wait for a busy lease (0: do not wait).
    """

    def __init__(self, path: str | Path, merchant: str, *, wait: float = 0.0) -> None:
        super().__init__(merchant, wait=wait)
        self.path = Path(path)
        self._file: IO[bytes] | None = None
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """See :meth:`MerchantLease.acquire`."""
        if self._file is not None:
            return  # held already
        try:
            import fcntl  # POSIX only
        except ImportError:  # pragma: no cover - Windows
            logger.warning("file leases need fcntl; the lease of %r is not enforced", self.merchant)
            return
        # Created owner-only (0600) like the databases beside it, whatever the umask says.
        handle = os.fdopen(
            os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE), "ab"
        )
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise LeaseHeldError(self.merchant, self.wait) from None
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
                continue
            break
        with self._lock:
            self._file = handle

    def release(self) -> None:
        """See :meth:`MerchantLease.release`."""
        with self._lock:
            handle, self._file = self._file, None
        if handle is not None:
            handle.close()  # closing drops the flock


def is_postgres_url(url: str) -> bool:
    """Whether *url* names a PostgreSQL database (``postgresql://`` or ``postgres://``)."""
    return url.startswith(_POSTGRES_SCHEMES)


@frozen(kw_only=True)
class Stores:
    """The state of one merchant's integration, opened from one URL by :func:`open_stores`.

    Attributes:
        url: The URL it was opened from, password redacted.
        merchant: Whose state this is.
        checkpoints: The sync's checkpoint store.
        shipments: The shipment sink (updates stored once each).
    """

    url: str
    merchant: str
    checkpoints: CheckpointStore
    shipments: ShipmentSink
    _lease_at: str = field(repr=False)  # may hold a password

    def close(self) -> None:
        """Close the stores' database connections, where they keep any open."""
        for store in (self.checkpoints, self.shipments):
            close = getattr(store, "close", None)
            if callable(close):
                close()

    def lease(self, *, wait: float = 0.0) -> MerchantLease:
        """The lease of :attr:`merchant`: hold it while a sync runs (a context manager).

        Args:
            wait: Seconds to wait for a busy lease before :class:`LeaseHeldError`.
        """
        if is_postgres_url(self._lease_at):
            lease: MerchantLease = _postgres().PostgresLease(
                self._lease_at, self.merchant, wait=wait
            )
            return lease
        return FileLease(self._lease_at, self.merchant, wait=wait)


def _sqlite_path(url: str) -> Path:
    if url.startswith(_SQLITE_SCHEME):
        return Path(url.removeprefix(_SQLITE_SCHEME))
    if "://" in url:
        scheme = url.split("://", 1)[0]
        raise ConfigurationError(
            f"unsupported database URL scheme {scheme!r}: use a path, sqlite:///PATH "
            "or postgresql://..."
        )
    return Path(url)


def open_shipment_sink(url: str | os.PathLike[str], *, merchant: str = "default") -> ShipmentSink:
    """Open only the shipment sink that *url* names (what the Custom Store endpoint needs).

    Args:
        url: As for :func:`open_stores`.
        merchant: As for :func:`open_stores`.

    Raises:
        ConfigurationError: As for :func:`open_stores`.
        DatabaseUnavailableError: The PostgreSQL database cannot be reached.
    """
    text = os.fspath(url)
    if is_postgres_url(text):
        sink: ShipmentSink = _postgres().PostgresShipmentSink(text, merchant=merchant)
        return sink
    return SQLiteShipmentSink(_sqlite_path(text))


def open_snapshot_store(url: str | os.PathLike[str], *, merchant: str = "default") -> SnapshotStore:
    """Open the Custom Store export's snapshot store that *url* names.

    Several endpoint workers (processes or machines) must share one snapshot store, so that
    every page of an export pass comes from the same list whichever worker serves it.

    Args:
        url: As for :func:`open_stores`.
        merchant: As for :func:`open_stores`.

    Raises:
        ConfigurationError: As for :func:`open_stores`.
        DatabaseUnavailableError: The PostgreSQL database cannot be reached.
    """
    text = os.fspath(url)
    if is_postgres_url(text):
        store: SnapshotStore = _postgres().PostgresSnapshotStore(text, merchant=merchant)
        return store
    return SQLiteSnapshotStore(_sqlite_path(text))


def _postgres() -> ModuleType:
    try:
        from . import postgres  # optional dependency: psycopg
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise ConfigurationError(
            "PostgreSQL needs psycopg: pip install 'listingmirror-shipstation[postgres]'"
        ) from exc
    return postgres


def open_stores(url: str | os.PathLike[str], *, merchant: str = "default") -> Stores:
    """Open the checkpoint store, the shipment sink and the lease that *url* names.

    Args:
        url: ``postgresql://…`` (or ``postgres://…``), ``sqlite:///PATH`` or a plain path.
        merchant: Whose state to open. PostgreSQL keeps each merchant's state apart in one
            database; a SQLite file is one merchant's (the name is used in messages only).

    Raises:
        ConfigurationError: The URL's scheme is unknown, or PostgreSQL is asked for without
            the ``[postgres]`` extra installed.
        DatabaseUnavailableError: The PostgreSQL database cannot be reached.
    """
    text = os.fspath(url)
    if is_postgres_url(text):
        postgres = _postgres()
        checkpoints = postgres.PostgresCheckpointStore(text, merchant=merchant)
        try:
            shipments = postgres.PostgresShipmentSink(text, merchant=merchant)
        except BaseException:
            checkpoints.close()
            raise
        return Stores(
            url=redact_url(text),
            merchant=merchant,
            checkpoints=checkpoints,
            shipments=shipments,
            lease_at=text,
        )
    path = _sqlite_path(text)
    return Stores(
        url=str(path),
        merchant=merchant,
        checkpoints=SQLiteCheckpointStore(path),
        shipments=SQLiteShipmentSink(path),
        lease_at=f"{path}.lease",
    )
