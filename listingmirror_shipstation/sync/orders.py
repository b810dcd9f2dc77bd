"""``OrderSync``: Listing Mirror orders → ShipStation, incremental, resumable, losing nothing.

One :meth:`OrderSync.run`:

1. reads the watermark and asks the source for orders modified since (less an overlap
   window, against clock skew), up to now;
2. applies the filters and the mapping; permanent rejections (no shipping address, FBA/MCF,
   integration not chosen, invalid) are recorded with their reasons and never sent;
3. skips orders whose mapped content was already sent unchanged (a fingerprint per
   ``orderKey``), and upserts the rest 100 per call, paced by the rate limit;
4. moves the watermark to the end of the window it read consistently (whole seconds: the
   end Listing Mirror was actually asked for) — or, if any order failed for a transient
   reason (network, 5xx, a 429 past the deadline, a per-order error) or could not be read,
   only up to the earliest such order, so the next run fetches it again. The watermark never
   passes an unsent order.

One order never stops a run: whatever one order raises while it is read, mapped or written
(a value out of range, a type an untyped caller passed) makes it a rejection or a failure of
its own, in the report and the log, with its id and the reason.

Crash-safe: orders are upserted by their stable ``orderKey``, so a crash between "sent" and
"checkpoint saved" only means they are sent again next time — updated, never duplicated.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import cattrs
from attrs import frozen

from .. import listingmirror as lm
from .. import shipstation as ss
from ..errors import InvalidOrderError
from ..integration import ListingMirrorOrderSource
from ..mapping import (
    ConversionResult,
    MappingOptions,
    MappingWarning,
    Rejection,
    convert_orders,
)
from .checkpoints import CheckpointStore

__all__ = [
    "ClientOrderSource",
    "OrderFailure",
    "OrderSync",
    "OrderSyncReport",
    "OrderWindow",
    "WindowedOrderSource",
    "fingerprint",
]

logger = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def fingerprint(order: ss.Order, *, converter: cattrs.Converter | None = None) -> str:
    """A digest of exactly what would be sent for *order* (its ShipStation JSON).

    Args:
        order: The order to send.
        converter: The converter that writes it: the ShipStation client's (``OrderSync`` passes
            its client's), so a hook you registered there changes the digest as it changes what
            is sent. Without one, :func:`~listingmirror_shipstation.shipstation.dumps`'s default.

    .. versionchanged:: 0.3
       Takes *converter*.
    """
    return hashlib.sha256(ss.dumps(order, converter=converter).encode("utf-8")).hexdigest()


def _modified(order: lm.Order) -> datetime:
    return order.last_modified or order.order_datetime


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _minus(value: datetime, delta: timedelta) -> datetime:
    """``value - delta``, stopping at the earliest datetime instead of overflowing."""
    try:
        return value - delta
    except OverflowError:
        return _EARLIEST


@frozen(kw_only=True)
class OrderWindow:
    """What a source read of one window: the orders, the unreadable ones, how far it is sure.

    Attributes:
        orders: The orders read (each once).
        unreadable: Orders the source could not read (each with its id and the reason).
        covered_until: Every order modified in ``[start, covered_until]`` is in ``orders`` or
            ``unreadable``. The end asked for when the read was consistent; earlier when the
            source could not read the whole window consistently (the sync moves its watermark
            no further).

    .. versionadded:: 0.2
    """

    orders: tuple[lm.Order, ...]
    unreadable: tuple[lm.UnreadableOrder, ...] = ()
    covered_until: datetime


@runtime_checkable
class WindowedOrderSource(Protocol):
    """A source that also says what it could not read and how far its read is consistent.

    :class:`OrderSync` uses :meth:`read_window` when its source has one (as
    :class:`ClientOrderSource` does), else ``orders_modified`` (then the window counts as
    read in full).

    .. versionadded:: 0.2
    """

    def read_window(self, start: datetime, end: datetime) -> OrderWindow:
        """Read the orders modified in ``[start, end]`` (aware, whole seconds)."""


@frozen(kw_only=True)
class OrderFailure:
    """An order that could not be sent this time; the next run tries again.

    Attributes:
        order: The Listing Mirror order.
        error: What went wrong (an exception, or ShipStation's per-order message).
    """

    order: lm.Order
    error: Exception | str


@frozen(kw_only=True)
class OrderSyncReport:
    """What one run did.

    Attributes:
        sent: Orders created or updated in ShipStation.
        unchanged: Orders skipped because the same content was already sent.
        rejected: Orders left out for good, with their reasons (an order that raised while
            being mapped or written is one of them, with an ``invalid_order`` reason).
        failed: Orders that failed for a transient reason (retried next run).
        rate_limit_wait: Seconds spent waiting on ShipStation's rate limit.
        checkpoint: The watermark after the run.
        would_send: With ``dry_run``, the orders that would have been sent.
        unreadable: Orders Listing Mirror sent that could not be read; each holds the
            watermark (they are read again, and reported, on every run until they can be).
        complete: Whether the whole window was read consistently (when not, the watermark
            stops where the consistent part ended).
    """

    sent: tuple[ss.Order, ...] = ()
    unchanged: int = 0
    rejected: tuple[Rejection, ...] = ()
    failed: tuple[OrderFailure, ...] = ()
    rate_limit_wait: float = 0.0
    checkpoint: datetime | None = None
    would_send: tuple[ss.Order, ...] = ()
    unreadable: tuple[lm.UnreadableOrder, ...] = ()
    complete: bool = True


class OrderSync:
    """Keeps ShipStation's orders in step with Listing Mirror's.

    Args:
        source: Listing Mirror orders by last-modified time (e.g. :class:`ClientOrderSource`).
        client: The ShipStation client (its rate limiter paces the upserts).
        store: Where the watermark and fingerprints live.
        options: The mapping options (status map, filters, store id).
        name: The watermark's name (one per sync, if you run several).
        overlap: Fetched again before the watermark on every run, against clock skew.
        initial_start: Where the first run starts (default: 30 days ago).
        now: The current time (injectable for tests).
        dry_run: Map and compare, but send nothing and move no checkpoint.
        on_progress: Called with ``(done, total)`` as orders are handled.
    """

    def __init__(
        self,
        source: ListingMirrorOrderSource,
        client: ss.ShipStationClient,
        store: CheckpointStore,
        options: MappingOptions | None = None,
        *,
        name: str = "orders",
        overlap: timedelta = timedelta(minutes=5),
        initial_start: datetime | None = None,
        now: Callable[[], datetime] = _utcnow,
        dry_run: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.source, self.client, self.store = source, client, store
        self.options = options or MappingOptions()
        self.name, self.overlap, self.now = name, overlap, now
        self.initial_start = initial_start
        self.dry_run = dry_run
        self.on_progress = on_progress

    def run(self) -> OrderSyncReport:
        """Run once (see the module docstring); return what happened.

        Raises:
            ListingMirrorShipStationError: The source could not be read; nothing changed.
        """
        # Listing Mirror's filters have whole seconds: the window ends where the query does.
        end = self.now().replace(microsecond=0)
        mark = self.store.watermark(self.name)
        if mark is not None:
            start = _minus(mark, self.overlap)
        else:
            start = self.initial_start or _minus(end, timedelta(days=30))
        window = self._read(start, end)
        orders = list(window.orders)
        result = self._convert(orders)
        by_key = {f"{self.options.order_key_prefix}{o.order_id}": o for o in orders}
        rejected = list(result.rejected)
        prints: dict[str, str] = {}
        converted: list[ss.Order] = []
        converter = getattr(self.client, "converter", None)  # what the client writes with
        for order in result.orders:
            key = order.order_key or ""
            try:
                prints[key] = fingerprint(order, converter=converter)
            except Exception as exc:
                source = by_key.get(key)
                if source is None:
                    raise
                rejected.append(_rejection(source, exc))
                continue
            converted.append(order)
        for rejection in rejected[len(result.rejected) :]:
            logger.warning(
                "order %s rejected (%s): %s",
                rejection.order.order_id,
                rejection.reason,
                rejection.error,
            )
        for rejection in rejected:
            self._record(rejection)
        known = self.store.get_fingerprints(prints)
        to_send = [
            o for o in converted if known.get(o.order_key or "") != prints[o.order_key or ""]
        ]
        unchanged = len(converted) - len(to_send)
        if self.dry_run:
            return OrderSyncReport(
                unchanged=unchanged,
                rejected=tuple(rejected),
                checkpoint=mark,
                would_send=tuple(to_send),
                unreadable=window.unreadable,
                complete=window.covered_until >= end,
            )
        waited = self.client.rate_limit.waited
        sent: list[ss.Order] = []
        failed: list[OrderFailure] = []
        done = 0
        for batch in self._upsert(to_send):
            recorded: dict[str, str] = {}
            for upsert in batch:
                done += 1
                key = upsert.order.order_key or ""
                if upsert.success:
                    recorded[key] = prints[key]
                    sent.append(upsert.order)
                else:
                    error: Exception | str = upsert.error or upsert.error_message or "failed"
                    failed.append(OrderFailure(order=by_key[key], error=error))
                    logger.warning("order %s not sent (retried next run): %s", key, error)
                if self.on_progress is not None:
                    self.on_progress(done, len(to_send))
            # One write per batch of upserts: a crash before it re-sends the batch next run,
            # which updates the same orders (never duplicates them).
            self.store.set_fingerprints(recorded)
        holds = [window.covered_until]
        holds.extend(_modified(f.order) for f in failed)
        # An unreadable order holds the watermark at its own time (or where it stands when
        # that cannot be read either): it is read again, and reported, on every run until it
        # can be read (fixed in Listing Mirror, or read by a newer version of this library).
        holds.extend(u.modified or mark or start for u in window.unreadable)
        checkpoint = min(holds)
        self.store.set_watermark(self.name, checkpoint)
        return OrderSyncReport(
            sent=tuple(sent),
            unchanged=unchanged,
            rejected=tuple(rejected),
            failed=tuple(failed),
            rate_limit_wait=self.client.rate_limit.waited - waited,
            checkpoint=checkpoint,
            unreadable=window.unreadable,
            complete=window.covered_until >= end,
        )

    def _record(self, rejection: Rejection) -> None:
        """Keep *rejection* in the store; one that cannot be kept is logged, never fatal.

        An order whose id no store column holds (past 64 bits, say) is rejected for that very
        reason; failing the run over storing its rejection would stop every later run too.
        """
        order_id = rejection.order.order_id
        try:
            self.store.record_rejection(order_id, rejection.reason, str(rejection.error))
        except Exception as exc:
            logger.error(
                "order %s: rejection (%s) not recorded in the checkpoint store: %s",
                order_id,
                rejection.reason,
                exc,
            )

    def _read(self, start: datetime, end: datetime) -> OrderWindow:
        if isinstance(self.source, WindowedOrderSource):
            return self.source.read_window(start, end)
        return OrderWindow(orders=tuple(self.source.orders_modified(start, end)), covered_until=end)

    def _convert(self, orders: Sequence[lm.Order]) -> ConversionResult:
        """Map the batch; if the mapping raises, map one order at a time, each on its own."""
        try:
            return convert_orders(orders, self.options)
        except Exception:
            logger.debug("the batch raised while mapped; mapping one order at a time")
        converted: list[ss.Order] = []
        rejected: list[Rejection] = []
        warnings: list[MappingWarning] = []
        for order in orders:
            try:
                one = convert_orders([order], self.options)
            except Exception as exc:
                rejected.append(_rejection(order, exc))
                continue
            converted.extend(one.orders)
            rejected.extend(one.rejected)
            warnings.extend(one.warnings)
        return ConversionResult(
            orders=tuple(converted), rejected=tuple(rejected), warnings=tuple(warnings)
        )

    def _upsert(self, orders: Sequence[ss.Order]) -> Iterator[tuple[ss.OrderUpsert, ...]]:
        # One batch at a time, so progress is reported and recorded as it happens.
        for start in range(0, len(orders), ss.MAX_BATCH):
            yield self.client.orders.create_or_update_many(orders[start : start + ss.MAX_BATCH])


def _rejection(order: lm.Order, exc: BaseException) -> Rejection:
    """The rejection of an order that raised *exc* while it was mapped or written."""
    error = InvalidOrderError(
        "cannot be mapped or written for ShipStation",
        order_id=order.order_id,
        field="order",
        value=f"{type(exc).__name__}: {exc}",
    )
    error.__cause__ = exc
    return Rejection(order=order, error=error)


class ClientOrderSource(ListingMirrorOrderSource):
    """Listing Mirror orders through the API client, as a sync source.

    Listing Mirror does not document what its ``start_date``/``end_date`` filters apply to
    (order date or last change): orders are fetched with them, and those carrying a
    ``last_modified`` outside the window are dropped.

    Args:
        client: The Listing Mirror client.
        order_statuses: Fetch these statuses, one request series each (``None``: all).
        fulfillment_inventory_source_id: Only orders of this inventory source.
    """

    def __init__(
        self,
        client: lm.ListingMirrorClient,
        *,
        order_statuses: Sequence[str] | None = None,
        fulfillment_inventory_source_id: int | None = None,
    ) -> None:
        self.client = client
        self.order_statuses = order_statuses
        self.fulfillment_inventory_source_id = fulfillment_inventory_source_id

    def orders_modified(self, start: datetime, end: datetime) -> Iterator[lm.Order]:
        """Yield the orders of the window, each once (see :meth:`read_window`)."""
        yield from self.read_window(start, end).orders

    def read_window(self, start: datetime, end: datetime) -> OrderWindow:
        """Read the window so that no order in it throughout the read is missed.

        Listing Mirror numbers pages over a live result set, and no re-reading of its pages
        can prove that none was skipped (an order leaving behind the cursor while another
        enters ahead of it keeps ``count`` steady and hides one). One page, though, is one
        answer. So each status is first asked for with the whole window; when the answer
        takes more than one page, the window is halved (on whole seconds) and each half asked
        for the same way, until every answer fits on one page. Only a single second holding
        more than a page of orders is read with
        :meth:`~listingmirror_shipstation.listingmirror.OrdersResource.snapshot` (repeated
        passes until steady, a best effort); if even that keeps moving, ``covered_until``
        stops at the start of that second and the sync moves its watermark no further.

        The limit of that fallback: within one second holding more than a page of orders, an
        order that leaves the second while another order's ``last_modified`` moves *back*
        into it (an edit that sets an earlier time than the order had, after the second was
        already read) keeps every page's ``count`` steady, so the snapshot can look steady
        and still hide an order that stayed in the second throughout. ``covered_until`` then
        reaches ``end`` and the hidden order is read again only when it is next modified.
        Seconds holding at most a page of orders are not affected.

        The cost is about three requests per page of orders in the window (measured with
        pages of 50: 2.7 to 3.1 for orders spread over the window; about six when most of
        them fall within one minute, where the halving goes deeper).
        """
        orders: dict[int, lm.Order] = {}
        unreadable: dict[object, lm.UnreadableOrder] = {}
        statuses: Sequence[str | None] = self.order_statuses or [None]
        covered = min(
            self._read(status, start, end, orders, unreadable, depth=0) for status in statuses
        )
        for order_id in orders:
            unreadable.pop(order_id, None)  # read in another answer: the readable one wins
        for item in unreadable.values():
            logger.warning(
                "Listing Mirror order %s cannot be read: %s",
                item.order_id if item.order_id is not None else "(no id)",
                item.error,
            )
        return OrderWindow(
            orders=tuple(orders.values()),
            unreadable=tuple(unreadable.values()),
            covered_until=covered,
        )

    #: How many times a window is halved at most (2**40 s is far longer than any window).
    max_splits: int = 40

    def _read(
        self,
        status: str | None,
        start: datetime,
        end: datetime,
        orders: dict[int, lm.Order],
        unreadable: dict[object, lm.UnreadableOrder],
        *,
        depth: int,
    ) -> datetime:
        """Read one status over ``[start, end]``; return how far the read is complete."""
        filters: dict[str, Any] = {
            "start_date": start,
            "end_date": end,
            "order_status": status,
            "fulfillment_inventory_source_id": self.fulfillment_inventory_source_id,
        }
        page = self.client.orders.list(**filters)
        if page.next is None:  # one page: one answer, complete by itself
            self._keep(page.items, page.unreadable, start, end, orders, unreadable)
            return end
        middle = (start + (end - start) / 2).replace(microsecond=0)
        if depth < self.max_splits and start < middle < end:
            reached = self._read(status, start, middle, orders, unreadable, depth=depth + 1)
            if reached < middle:
                return reached
            return self._read(status, middle, end, orders, unreadable, depth=depth + 1)
        # More than a page of orders within one second: re-read until the pages are steady.
        snapshot = self.client.orders.snapshot(**filters)
        self._keep(snapshot.orders, snapshot.unreadable, start, end, orders, unreadable)
        if snapshot.consistent:
            return end
        logger.warning(
            "orders modified %s..%s kept moving while read: the checkpoint stays at %s",
            start.isoformat(),
            end.isoformat(),
            start.isoformat(),
        )
        return start

    @staticmethod
    def _keep(
        read: Iterable[lm.Order],
        bad: Iterable[lm.UnreadableOrder],
        start: datetime,
        end: datetime,
        orders: dict[int, lm.Order],
        unreadable: dict[object, lm.UnreadableOrder],
    ) -> None:
        for order in read:
            if order.last_modified and not start <= order.last_modified <= end:
                continue  # the filter is not documented to be on last_modified
            orders[order.order_id] = order
        for item in _in_window(bad, start, end):
            unreadable[item.order_id if item.order_id is not None else str(item.error)] = item


def _in_window(
    items: Iterable[lm.UnreadableOrder], start: datetime, end: datetime
) -> Iterator[lm.UnreadableOrder]:
    for item in items:
        if item.modified is None or start <= item.modified <= end:
            yield item
