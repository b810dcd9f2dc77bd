"""Wiring: a Listing Mirror order source and a shipment sink become a Custom Store endpoint.

:class:`~listingmirror_shipstation.customstore.CustomStoreApp` speaks only Custom Store models.
Most users start one level up, with Listing Mirror orders and
shipment updates (:class:`~listingmirror_shipstation.listingmirror.ShipmentUpdate`):

* implement :class:`ListingMirrorOrderSource` over your data ("Listing Mirror orders modified
  between start and end"),
* implement :class:`ShipmentSink` ("take this update, once"),
* and call :func:`make_custom_store_app`.

In between, the mapping applies the integration's rules (status map, integration and FBA/MCF
filters, the shipping-address rule): orders that fail them are never exported and are reported
through logging and the ``on_rejected`` hook.

Ready-made defaults run with no setup: :class:`JsonFileOrderSource` (a Listing Mirror orders
JSON file) and :class:`SQLiteShipmentSink` (updates stored once each in a local SQLite file).
"""

import abc
import contextlib
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import _jsontext
from . import listingmirror as lm
from ._sqlite import transaction
from .customstore import CustomStoreApp, OrderSource, ShipNotice, ShipNoticeReceiver
from .customstore import models as cs
from .customstore.app import DEFAULT_SNAPSHOT_TTL
from .customstore.snapshots import MemorySnapshotStore, SnapshotStore, SQLiteSnapshotStore
from .errors import ConversionError
from .mapping import MappingOptions, Rejection, convert_customstore_orders, ship_notice_to_update
from .mapping.status import StatusMap

__all__ = [
    "JsonFileOrderSource",
    "ListingMirrorOrderSource",
    "MappedOrderSource",
    "SQLiteShipmentSink",
    "ShipmentSink",
    "UpdatingReceiver",
    "make_custom_store_app",
]

logger = logging.getLogger(__name__)


def _modified(order: lm.Order) -> datetime:
    return order.last_modified or order.order_datetime


class ListingMirrorOrderSource(abc.ABC):
    """Your Listing Mirror orders, by last-modified time.

    Implement :meth:`orders_modified`. To make each export page cost only its own orders,
    also implement :meth:`order_ids_modified` and :meth:`orders_by_id` (e.g. two indexed
    queries); their defaults fall back on :meth:`orders_modified`.
    """

    @abc.abstractmethod
    def orders_modified(self, start: datetime, end: datetime) -> Iterable[lm.Order]:
        """Return every order whose last-modified time is in ``[start, end]`` (aware, UTC).

        Must not change anything (never bump a last-modified time because of an export).
        """

    def order_ids_modified(self, start: datetime, end: datetime) -> Sequence[int]:
        """Return the ``order_id`` of every order modified in ``[start, end]``, in a stable order.

        Called once per export paging pass (its snapshot). The default reads
        :meth:`orders_modified` and sorts by last-modified time, then id.
        """
        orders = sorted(self.orders_modified(start, end), key=lambda o: (_modified(o), o.order_id))
        return list(dict.fromkeys(o.order_id for o in orders))

    def orders_by_id(
        self, ids: Sequence[int], *, start: datetime, end: datetime
    ) -> Iterable[lm.Order]:
        """Return the current content of the orders with these ``order_id`` values.

        Return an order even if it was modified since the snapshot (its new content is
        exported); leave out ids with no order. *start* and *end* are the snapshot's window.
        The default reads :meth:`orders_modified` over that window again and keeps these ids,
        so an order modified since the snapshot waits for its later window.
        """
        wanted = set(ids)
        return [o for o in self.orders_modified(start, end) if o.order_id in wanted]


class ShipmentSink(abc.ABC):
    """Where shipment updates for Listing Mirror go (your database, a queue, Listing Mirror).

    An update is one *event*, identified by the pair ``(shipment_id, kind)``: kind
    ``"shipment"`` for a label created (``voided`` false) and ``"void"`` for that label voided
    (``voided`` true). A void shares its shipment's ``shipment_id`` and is an event of its
    own: it must reach Listing Mirror even after the shipment did.
    """

    @abc.abstractmethod
    def deliver(self, update: lm.ShipmentUpdate) -> bool:
        """Take *update*; return ``False`` if the same event was already taken.

        Must be idempotent on ``(update.shipment_id, kind)``, kind being ``"void"`` when
        ``update.voided`` and ``"shipment"`` otherwise: ShipStation sometimes sends the same
        notification twice, and a process may restart between the sink taking an update and
        the sync recording it, so the same event can arrive again. A void and its shipment are
        two events; the sync hands a shipment over before its void.
        """


class MappedOrderSource(OrderSource):
    """A Listing Mirror source seen through the mapping, as the Custom Store app needs it.

    Args:
        source: Your Listing Mirror orders.
        options: The mapping options (status map, filters).
        on_rejected: Called with each rejection (filtered or not); rejected orders are never
            exported. Each is also logged.
    """

    def __init__(
        self,
        source: ListingMirrorOrderSource,
        options: MappingOptions | None = None,
        *,
        on_rejected: Callable[[Rejection], None] | None = None,
    ) -> None:
        self.source = source
        self.options = options or MappingOptions()
        self.on_rejected = on_rejected

    def orders_modified(self, start: datetime, end: datetime) -> list[cs.Order]:
        """Return the eligible orders of the window, converted for the export."""
        return self._convert(self.source.orders_modified(start, end))

    def order_ids_modified(self, start: datetime, end: datetime) -> list[str]:
        """Return the ids of the window's Listing Mirror orders (eligible or not, unmapped).

        Eligibility is decided when an order's page is built: an ineligible one is then left
        out of its page, logged and given to ``on_rejected``.
        """
        return [str(i) for i in self.source.order_ids_modified(start, end)]

    def orders_by_id(self, ids: Sequence[str], *, start: datetime, end: datetime) -> list[cs.Order]:
        """Return the eligible orders among *ids*, converted (only these orders are read)."""
        numbers = [int(i) for i in ids if i.isascii() and i.isdigit()]
        for other in ids:
            if not (other.isascii() and other.isdigit()):
                logger.warning("export snapshot id %r is not a Listing Mirror order id", other)
        return self._convert(self.source.orders_by_id(numbers, start=start, end=end))

    def _convert(self, orders: Iterable[lm.Order]) -> list[cs.Order]:
        # The mapping logs each rejection and warning once, where it happens: not again here.
        result = convert_customstore_orders(orders, self.options)
        if self.on_rejected is not None:
            for rejection in result.rejected:
                self.on_rejected(rejection)
        return list(result.orders)


class UpdatingReceiver(ShipNoticeReceiver):
    """Turns each ShipNotice into a ShipmentUpdate and delivers it to a sink, once.

    Duplicates are recognised by :func:`~listingmirror_shipstation.mapping.ship_notice_key`:
    first by a small in-memory memory of recent keys, then by the sink itself (which must be
    idempotent, so that restarts are covered too).

    Args:
        sink: Where updates go.
        statuses: The status map (for the status the update carries).
        remember: How many recent shipment keys to remember in memory.
    """

    def __init__(
        self, sink: ShipmentSink, *, statuses: StatusMap | None = None, remember: int = 10_000
    ) -> None:
        self.sink = sink
        self.statuses = statuses or StatusMap()
        self._remember = remember
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def receive(self, notice: ShipNotice) -> bool:
        """Deliver the update for *notice*; ``False`` for a duplicate."""
        update = ship_notice_to_update(notice, statuses=self.statuses)
        key = update.shipment_id or ""
        with self._lock:
            if key in self._recent:
                return False
        fresh = self.sink.deliver(update)
        with self._lock:
            self._recent[key] = None
            while len(self._recent) > self._remember:
                self._recent.popitem(last=False)
        return fresh


def make_custom_store_app(
    username: str,
    password: str,
    source: ListingMirrorOrderSource,
    sink: ShipmentSink,
    options: MappingOptions | None = None,
    *,
    page_size: int = 100,
    on_rejected: Callable[[Rejection], None] | None = None,
    snapshots: SnapshotStore | None = None,
    snapshot_ttl: timedelta = DEFAULT_SNAPSHOT_TTL,
) -> CustomStoreApp:
    """Build the whole Custom Store endpoint from credentials, a source, a sink and options.

    Export snapshots (see :class:`~listingmirror_shipstation.customstore.CustomStoreApp`) are
    kept in *snapshots*; by default in the sink's SQLite file when *sink* is a
    :class:`SQLiteShipmentSink` (shared by every process using that file), else in memory.

    >>> from listingmirror_shipstation.integration import (
    ...     JsonFileOrderSource, SQLiteShipmentSink, make_custom_store_app)
    >>> from listingmirror_shipstation.cli import EXAMPLE_ORDERS
    >>> import tempfile, os
    >>> db = os.path.join(tempfile.mkdtemp(), "shipments.sqlite3")
    >>> app = make_custom_store_app(
    ...     "shipstation", "s3cret", JsonFileOrderSource(EXAMPLE_ORDERS), SQLiteShipmentSink(db))
    >>> app.snapshots
    SQLiteSnapshotStore('...shipments.sqlite3')
    """
    opts = options or MappingOptions()
    if snapshots is None:
        if isinstance(sink, SQLiteShipmentSink):
            snapshots = SQLiteSnapshotStore(sink.path)
        else:
            snapshots = MemorySnapshotStore()
    return CustomStoreApp(
        username,
        password,
        MappedOrderSource(source, opts, on_rejected=on_rejected),
        UpdatingReceiver(sink, statuses=opts.statuses),
        page_size=page_size,
        snapshots=snapshots,
        snapshot_ttl=snapshot_ttl,
    )


class JsonFileOrderSource(ListingMirrorOrderSource):
    """Listing Mirror orders from a JSON file (an array or a ``{count, next, results}`` page).

    The file is read again when it changes (its modification time, size or inode). An order is
    in a window by its ``last_modified``, or its ``order_datetime`` when it has none. Orders
    that do not fit the model are logged and left out. An export page looks its orders up by
    id, so it sees their current content even when they changed since the snapshot.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[float, int, int] | None = None
        self._orders: tuple[lm.Order, ...] = ()
        self._by_id: dict[int, lm.Order] = {}
        self._lock = threading.Lock()

    def _load(self) -> tuple[tuple[lm.Order, ...], dict[int, lm.Order]]:
        stat = self.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            if stamp != self._stamp:
                parsed = lm.read_orders(_jsontext.loads(self.path.read_bytes()))
                for error in parsed.errors:
                    logger.warning("%s: %s", self.path, error)
                by_id: dict[int, lm.Order] = {}
                for order in parsed.orders:
                    by_id.setdefault(order.order_id, order)
                self._orders, self._by_id, self._stamp = parsed.orders, by_id, stamp
            return self._orders, self._by_id

    def orders_modified(self, start: datetime, end: datetime) -> Iterator[lm.Order]:
        """Yield the file's orders modified in ``[start, end]``."""
        for order in self._load()[0]:
            if start <= _modified(order) <= end:
                yield order

    def orders_by_id(self, ids: Sequence[int], *, start: datetime, end: datetime) -> list[lm.Order]:
        """Return the file's current orders with these ids (looked up by id, window ignored)."""
        by_id = self._load()[1]
        return [by_id[i] for i in ids if i in by_id]


class SQLiteShipmentSink(ShipmentSink):
    """Stores each update once, by ``(shipment_id, kind)``, in a SQLite file (standard library).

    A shipment and its void are two rows (kind ``"shipment"`` and ``"void"``). Safe to share
    between threads (one connection per call) and across restarts. A file written by an older
    version (one row per ``shipment_id``) is migrated in place when opened: each row keeps its
    data and gets the kind its stored update says.

    Args:
        path: The database file; created with its table when missing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see it
            columns = [row[1] for row in db.execute("PRAGMA table_info(shipment_updates)")]
            if columns and "kind" not in columns:
                db.execute("ALTER TABLE shipment_updates RENAME TO shipment_updates_v1")
            db.execute(
                "CREATE TABLE IF NOT EXISTS shipment_updates ("
                " shipment_id TEXT NOT NULL,"
                " kind TEXT NOT NULL,"
                " order_id INTEGER,"
                " market_order_id TEXT,"
                " received_at TEXT NOT NULL,"
                " body TEXT NOT NULL,"
                " PRIMARY KEY (shipment_id, kind))"
            )
            if columns and "kind" not in columns:
                rows = db.execute(
                    "SELECT shipment_id, order_id, market_order_id, received_at, body"
                    " FROM shipment_updates_v1"
                ).fetchall()
                for shipment_id, order_id, market_order_id, received_at, body in rows:
                    kind = _kind(lm.loads(body, lm.ShipmentUpdate))
                    db.execute(
                        "INSERT OR IGNORE INTO shipment_updates VALUES (?, ?, ?, ?, ?, ?)",
                        (shipment_id, kind, order_id, market_order_id, received_at, body),
                    )
                db.execute("DROP TABLE shipment_updates_v1")

    def _connect(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def deliver(self, update: lm.ShipmentUpdate) -> bool:
        """Store *update* unless the same ``(shipment_id, kind)`` is stored already."""
        if not update.shipment_id:
            raise ConversionError(
                "cannot store a shipment update", errors=("shipment_id is required @ $",)
            )
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO shipment_updates VALUES (?, ?, ?, ?, ?, ?)",
                (
                    update.shipment_id,
                    _kind(update),
                    update.order_id,
                    update.market_order_id,
                    datetime.now(UTC).isoformat(),
                    lm.dumps(update),
                ),
            )
            return cursor.rowcount == 1  # committed as the block exits

    def updates(self) -> list[lm.ShipmentUpdate]:
        """Every stored update, oldest first (a void after its shipment)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT body FROM shipment_updates ORDER BY received_at, shipment_id, kind = 'void'"
            ).fetchall()
        return [lm.loads(body, lm.ShipmentUpdate) for (body,) in rows]


def _kind(update: lm.ShipmentUpdate) -> str:
    """The kind of event *update* is: ``"void"`` or ``"shipment"``."""
    return "void" if update.voided else "shipment"
