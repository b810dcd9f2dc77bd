"""``ShipmentSync``: ShipStation shipments → Listing Mirror updates, each delivered once.

One :meth:`ShipmentSync.run` lists the labels created (and the labels voided) and the orders
marked shipped since the watermark (less an overlap), maps each to a
:class:`~listingmirror_shipstation.listingmirror.ShipmentUpdate` and hands it to the sink —
unless the checkpoint store says it was delivered already. A label and its void are two events,
``(shipment_id, "shipment")`` and ``(shipment_id, "void")`` (:func:`delivery_key`): a label
found voided is handed over as its shipment first, then as its void, never one for the other.
A sink failure holds the watermark at that shipment, so it is tried again on the next run; the
others still go.

Exactly once: an update is marked delivered right after the sink took it. A crash between the
two makes the next run hand it over again, so the sink must be idempotent on
``(shipment_id, kind)`` (as :class:`~listingmirror_shipstation.integration.ShipmentSink`
requires); together that is exactly once in effect, across crashes and re-runs.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import attrs
from attrs import frozen

from .. import listingmirror as lm
from .. import shipstation as ss
from ..integration import ShipmentSink
from ..mapping import StatusMap, fulfillment_to_update, shipment_to_update
from .checkpoints import CheckpointStore

__all__ = ["ShipmentFailure", "ShipmentSync", "ShipmentSyncReport", "delivery_key"]

logger = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@frozen(kw_only=True)
class ShipmentFailure:
    """An update the sink could not take; the next run tries again.

    Attributes:
        update: The update.
        error: What the sink raised.
    """

    update: lm.ShipmentUpdate
    error: Exception


@frozen(kw_only=True)
class ShipmentSyncReport:
    """What one run (or one webhook) did.

    Attributes:
        delivered: Updates handed to the sink.
        duplicates: Updates skipped because they were delivered before.
        failed: Updates the sink refused (retried next run).
        checkpoint: The watermark after the run (``None`` for a webhook).
    """

    delivered: tuple[lm.ShipmentUpdate, ...] = ()
    duplicates: int = 0
    failed: tuple[ShipmentFailure, ...] = ()
    checkpoint: datetime | None = None


def delivery_key(update: lm.ShipmentUpdate) -> str:
    """The key an update is delivered under: ``(shipment_id, kind)`` as one string.

    ``"<shipment_id>"`` for a shipment, ``"<shipment_id>:void"`` for its void: two events.
    """
    return f"{update.shipment_id}{':void' if update.voided else ''}"


def _as_created(item: ss.Shipment | ss.Fulfillment) -> ss.Shipment | ss.Fulfillment:
    """*item* as it was when its label was created (not voided)."""
    if not item.voided and item.void_date is None:
        return item
    return attrs.evolve(item, voided=False, void_date=None)


class ShipmentSync:
    """Brings ShipStation's shipments back to Listing Mirror (through a sink).

    Args:
        client: The ShipStation client.
        sink: Where updates go (idempotent on ``(shipment_id, kind)``).
        store: Where the watermark and the delivered keys live.
        statuses: The status map (the status an update carries).
        order_key_prefix: The prefix of the ``orderKey`` the order sync uses.
        name: The watermark's name.
        overlap: Fetched again before the watermark on every run.
        initial_start: Where the first run starts (default: 30 days ago).
        now: The current time (injectable for tests).
    """

    def __init__(
        self,
        client: ss.ShipStationClient,
        sink: ShipmentSink,
        store: CheckpointStore,
        *,
        statuses: StatusMap | None = None,
        order_key_prefix: str = "lm-",
        name: str = "shipments",
        overlap: timedelta = timedelta(minutes=5),
        initial_start: datetime | None = None,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.client, self.sink, self.store = client, sink, store
        self.statuses = statuses or StatusMap()
        self.order_key_prefix = order_key_prefix
        self.name, self.overlap, self.now = name, overlap, now
        self.initial_start = initial_start

    def run(self) -> ShipmentSyncReport:
        """Run once (see the module docstring); return what happened."""
        now = self.now()
        mark = self.store.watermark(self.name)
        start = (mark - self.overlap) if mark else (self.initial_start or now - timedelta(days=30))
        # ShipStation's filters have whole seconds: round the end up, never miss the last one.
        until = now + timedelta(seconds=1)
        found: list[tuple[datetime, ss.Shipment | ss.Fulfillment]] = []
        for shipment in self.client.shipments.iter_all(
            create_date_start=start, create_date_end=until, include_shipment_items=True
        ):
            # Listed for its creation: the shipment event, even if it has been voided since
            # (the void is its own event, from the list of voids below).
            found.append((shipment.create_date or now, _as_created(shipment)))
        for shipment in self.client.shipments.iter_all(
            void_date_start=start, void_date_end=until, include_shipment_items=True
        ):
            if shipment.voided or shipment.void_date is not None:
                found.append((shipment.void_date or now, attrs.evolve(shipment, voided=True)))
        for fulfillment in self.client.fulfillments.iter_all(
            create_date_start=start, create_date_end=until
        ):
            # No list of voided fulfillments: a voided one is both events, in order.
            found.append((fulfillment.create_date or now, _as_created(fulfillment)))
            if fulfillment.voided or fulfillment.void_date is not None:
                found.append(
                    (
                        fulfillment.void_date or fulfillment.create_date or now,
                        attrs.evolve(fulfillment, voided=True),
                    )
                )
        # Oldest first; at the same instant a shipment goes before a void.
        found.sort(key=lambda pair: (pair[0], bool(pair[1].voided)))
        report, failed_at = self._deliver(found)
        checkpoint = min(failed_at, default=now)
        self.store.set_watermark(self.name, checkpoint)
        return ShipmentSyncReport(
            delivered=report.delivered,
            duplicates=report.duplicates,
            failed=report.failed,
            checkpoint=checkpoint,
        )

    def handle_webhook(self, body: bytes | str) -> ShipmentSyncReport:
        """Handle a ``SHIP_NOTIFY``/``ITEM_SHIP_NOTIFY``/``FULFILLMENT_*`` webhook POST body.

        Its resource is fetched through the client (only on ShipStation's host) and delivered
        through the same pipeline, with the same exactly-once guarantee. The watermark is not
        moved: the next :meth:`run` still covers anything the webhook missed.
        """
        notification = self.client.webhooks.parse(body)
        items: list[tuple[datetime, ss.Shipment | ss.Fulfillment]] = []
        for item in self.client.webhooks.follow(notification):
            if isinstance(item, ss.Shipment | ss.Fulfillment):
                # A label already voided is still its shipment first, then its void.
                items.append((datetime.now(UTC), _as_created(item)))
                if item.voided or item.void_date is not None:
                    items.append((datetime.now(UTC), attrs.evolve(item, voided=True)))
        report, _ = self._deliver(items)
        return report

    def _update(self, item: ss.Shipment | ss.Fulfillment) -> lm.ShipmentUpdate:
        if isinstance(item, ss.Shipment):
            return shipment_to_update(
                item, statuses=self.statuses, order_key_prefix=self.order_key_prefix
            )
        return fulfillment_to_update(item, statuses=self.statuses)

    def _deliver(
        self, items: Iterable[tuple[datetime, ss.Shipment | ss.Fulfillment]]
    ) -> tuple[ShipmentSyncReport, list[datetime]]:
        delivered: list[lm.ShipmentUpdate] = []
        failed: list[ShipmentFailure] = []
        failed_at: list[datetime] = []
        duplicates = 0
        seen: set[str] = set()
        for when, item in items:
            update = self._update(item)
            key = delivery_key(update)
            if key in seen or self.store.is_delivered(key):
                duplicates += 1
                continue
            seen.add(key)
            try:
                self.sink.deliver(update)
            except Exception as exc:
                logger.warning("shipment update %s not delivered (retried next run): %s", key, exc)
                failed.append(ShipmentFailure(update=update, error=exc))
                failed_at.append(when)
                continue
            self.store.mark_delivered(key)
            delivered.append(update)
        return (
            ShipmentSyncReport(
                delivered=tuple(delivered), duplicates=duplicates, failed=tuple(failed)
            ),
            failed_at,
        )
