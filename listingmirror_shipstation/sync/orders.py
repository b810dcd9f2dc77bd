"""``OrderSync``: Listing Mirror orders → ShipStation, incremental, resumable, losing nothing.

One :meth:`OrderSync.run`:

1. reads the watermark and asks the source for orders modified since (less an overlap
   window, against clock skew), up to now;
2. applies the filters and the mapping; permanent rejections (no shipping address, FBA/MCF,
   integration not chosen, invalid) are recorded with their reasons and never sent;
3. skips orders whose mapped content was already sent unchanged (a fingerprint per
   ``orderKey``), and upserts the rest 100 per call, paced by the rate limit;
4. moves the watermark to *now* — or, if any order failed for a transient reason (network,
   5xx, a 429 past the deadline, a per-order error), only up to the earliest such order, so
   the next run fetches it again. The watermark never passes an unsent order.

Crash-safe: orders are upserted by their stable ``orderKey``, so a crash between "sent" and
"checkpoint saved" only means they are sent again next time — updated, never duplicated.
"""

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from attrs import frozen

from .. import listingmirror as lm
from .. import shipstation as ss
from ..integration import ListingMirrorOrderSource
from ..mapping import MappingOptions, Rejection, convert_orders
from .checkpoints import CheckpointStore

__all__ = ["ClientOrderSource", "OrderFailure", "OrderSync", "OrderSyncReport", "fingerprint"]

logger = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def fingerprint(order: ss.Order) -> str:
    """A digest of exactly what would be sent for *order* (its ShipStation JSON)."""
    return hashlib.sha256(ss.dumps(order).encode("utf-8")).hexdigest()


def _modified(order: lm.Order) -> datetime:
    return order.last_modified or order.order_datetime


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
        rejected: Orders left out for good, with their reasons.
        failed: Orders that failed for a transient reason (retried next run).
        rate_limit_wait: Seconds spent waiting on ShipStation's rate limit.
        checkpoint: The watermark after the run.
        would_send: With ``dry_run``, the orders that would have been sent.
    """

    sent: tuple[ss.Order, ...] = ()
    unchanged: int = 0
    rejected: tuple[Rejection, ...] = ()
    failed: tuple[OrderFailure, ...] = ()
    rate_limit_wait: float = 0.0
    checkpoint: datetime | None = None
    would_send: tuple[ss.Order, ...] = ()


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
        now = self.now()
        mark = self.store.watermark(self.name)
        start = (mark - self.overlap) if mark else (self.initial_start or now - timedelta(days=30))
        orders = list(self.source.orders_modified(start, now))
        result = convert_orders(orders, self.options)
        for rejection in result.rejected:
            self.store.record_rejection(
                rejection.order.order_id, rejection.reason, str(rejection.error)
            )
        by_key = {f"{self.options.order_key_prefix}{o.order_id}": o for o in orders}
        prints = {o.order_key or "": fingerprint(o) for o in result.orders}
        to_send = [
            o
            for o in result.orders
            if self.store.fingerprint(o.order_key or "") != prints[o.order_key or ""]
        ]
        unchanged = len(result.orders) - len(to_send)
        if self.dry_run:
            return OrderSyncReport(
                unchanged=unchanged,
                rejected=result.rejected,
                checkpoint=mark,
                would_send=tuple(to_send),
            )
        waited = self.client.rate_limit.waited
        sent: list[ss.Order] = []
        failed: list[OrderFailure] = []
        for done, upsert in enumerate(self._upsert(to_send), start=1):
            key = upsert.order.order_key or ""
            if upsert.success:
                self.store.set_fingerprint(key, prints[key])
                sent.append(upsert.order)
            else:
                error: Exception | str = upsert.error or upsert.error_message or "failed"
                failed.append(OrderFailure(order=by_key[key], error=error))
                logger.warning("order %s not sent (retried next run): %s", key, error)
            if self.on_progress is not None:
                self.on_progress(done, len(to_send))
        checkpoint = min((_modified(f.order) for f in failed), default=now)
        self.store.set_watermark(self.name, checkpoint)
        return OrderSyncReport(
            sent=tuple(sent),
            unchanged=unchanged,
            rejected=result.rejected,
            failed=tuple(failed),
            rate_limit_wait=self.client.rate_limit.waited - waited,
            checkpoint=checkpoint,
        )

    def _upsert(self, orders: Sequence[ss.Order]) -> Iterator[ss.OrderUpsert]:
        # One batch at a time, so progress is reported as it happens.
        for start in range(0, len(orders), ss.MAX_BATCH):
            yield from self.client.orders.create_or_update_many(
                orders[start : start + ss.MAX_BATCH]
            )


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
        """Yield the orders of the window, each once."""
        seen: set[int] = set()
        statuses: Sequence[str | None] = self.order_statuses or [None]
        for status in statuses:
            for order in self.client.iter_orders(
                start_date=start,
                end_date=end,
                order_status=status,
                fulfillment_inventory_source_id=self.fulfillment_inventory_source_id,
            ):
                if order.order_id in seen:
                    continue
                if order.last_modified and not start <= order.last_modified <= end:
                    continue
                seen.add(order.order_id)
                yield order
