"""Sync workflows on the ShipStation simulator with a fake clock: nothing lost, nothing twice."""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.integration import ListingMirrorOrderSource, ShipmentSink
from listingmirror_shipstation.mapping import to_shipstation_order
from listingmirror_shipstation.sync import (
    CheckpointStore,
    MemoryCheckpointStore,
    OrderSync,
    OrderWindow,
    ShipmentSync,
    SQLiteCheckpointStore,
    delivery_key,
    fingerprint,
)
from listingmirror_shipstation.testing.simulator import FakeClock, ShipStationSimulator
from listingmirror_shipstation.transports import MockTransport, PolicyTransport, Retry

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def lm_order(number: int, **changes: object) -> lm.Order:
    order = lm.Order(
        order_id=number,
        market_order_id=f"M-{number}",
        order_datetime=T0 + timedelta(minutes=number),
        last_modified=T0 + timedelta(minutes=number),
        order_status=lm.OrderStatus.PAID,
        ship_to=lm.Address(name="Ana", street1="1 Main St", city="Austin", country="US"),
        order_items=(lm.OrderItem(sku=f"S{number}", quantity=1, price=Decimal("9.99")),),
    )
    return attrs.evolve(order, **changes)


class Source(ListingMirrorOrderSource):
    def __init__(self, orders: Iterable[lm.Order]) -> None:
        self.orders = list(orders)

    def orders_modified(self, start: datetime, end: datetime) -> list[lm.Order]:
        return [o for o in self.orders if start <= (o.last_modified or o.order_datetime) <= end]


class Sink(ShipmentSink):
    def __init__(self) -> None:
        self.accepted: dict[str, lm.ShipmentUpdate] = {}
        self.calls = 0
        self.fail = 0

    def deliver(self, update: lm.ShipmentUpdate) -> bool:
        self.calls += 1
        if self.fail:
            self.fail -= 1
            raise RuntimeError("sink down")
        key = delivery_key(update)
        if key in self.accepted:
            return False
        self.accepted[key] = update
        return True


class Clock:
    """A wall clock (for watermarks) moving with the fake monotonic clock."""

    def __init__(self, fake: FakeClock, start: datetime) -> None:
        self.fake, self.start = fake, start

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=self.fake.now)


def world(
    orders: Iterable[lm.Order], store: CheckpointStore | None = None
) -> tuple[OrderSync, ShipStationSimulator, ss.ShipStationClient, FakeClock]:
    fake = FakeClock()
    simulator = ShipStationSimulator(clock=fake)
    client = ss.ShipStationClient(
        "key",
        "secret",
        transport=PolicyTransport(
            MockTransport(simulator),
            retry=Retry(max_attempts=3, deadline=30, backoff=0.5),
            clock=fake,
            sleep=fake.sleep,
        ),
    )
    sync = OrderSync(
        Source(orders),
        client,
        store or MemoryCheckpointStore(),
        initial_start=T0,
        now=Clock(fake, T0 + timedelta(days=1)),
    )
    return sync, simulator, client, fake


def eligible(orders: Iterable[lm.Order]) -> list[lm.Order]:
    return [o for o in orders if o.ship_to is not None and o.fulfillment_channel is None]


def assert_in_shipstation_once(simulator: ShipStationSimulator, orders: Iterable[lm.Order]) -> None:
    expected = {f"lm-{o.order_id}": to_shipstation_order(o) for o in orders}
    assert set(simulator.orders) == set(expected)
    for key, order in expected.items():
        stored = ss.json.loads(ss.json.dumps(simulator.orders[key]), ss.Order)
        assert attrs.evolve(stored, order_id=None) == order


class TestOrderSync:
    def test_sends_eligible_orders_once_and_records_rejections(self) -> None:
        """Eligible orders are upserted; FBA and address-less ones recorded, never sent."""
        orders = [
            lm_order(1),
            lm_order(2, ship_to=None),
            lm_order(3, fulfillment_channel=lm.FulfillmentChannel.FBA),
            lm_order(4),
        ]
        sync, simulator, _, _ = world(orders)
        report = sync.run()
        assert [o.order_key for o in report.sent] == ["lm-1", "lm-4"]
        assert sorted(r.reason for r in report.rejected) == [
            "excluded_fulfillment_channel",
            "missing_shipping_address",
        ]
        assert_in_shipstation_once(simulator, eligible(orders))
        assert set(sync.store.rejections()) == {2, 3}
        sync.store.set_watermark("orders", T0)  # as if the overlap fetched them all again
        requests_before = len(simulator.statuses)
        again = sync.run()
        assert (len(again.sent), again.unchanged) == (0, 2)
        assert len(simulator.statuses) == requests_before  # unchanged orders are not re-sent

    def test_a_changed_order_is_sent_again(self) -> None:
        """A later change in Listing Mirror updates the ShipStation order (same key)."""
        sync, simulator, _, fake = world([lm_order(1)])
        sync.run()
        fake.now += 3600
        changed = lm_order(
            1, last_modified=T0 + timedelta(days=1, minutes=30), internal_notes="VIP"
        )
        sync.source.orders = [changed]  # type: ignore[attr-defined]
        report = sync.run()
        assert [o.order_key for o in report.sent] == ["lm-1"]
        assert simulator.orders["lm-1"]["internalNotes"] == "VIP"
        assert len(simulator.orders) == 1

    def test_transient_failures_hold_the_checkpoint(self) -> None:
        """A per-order failure keeps the watermark at that order; the next run sends it."""
        orders = [lm_order(n) for n in range(1, 6)]
        sync, simulator, _, _ = world(orders)
        simulator.failing_keys = {"lm-3"}
        report = sync.run()
        assert [f.order.order_id for f in report.failed] == [3]
        assert report.checkpoint == orders[2].last_modified
        simulator.failing_keys = set()
        second = sync.run()
        assert [o.order_key for o in second.sent] == ["lm-3"]
        assert_in_shipstation_once(simulator, orders)

    def test_dry_run_sends_nothing_and_keeps_the_checkpoint(self) -> None:
        """--dry-run: what would be sent, nothing sent, no checkpoint moved."""
        sync, simulator, _, _ = world([lm_order(1)])
        sync.dry_run = True
        report = sync.run()
        assert [o.order_key for o in report.would_send] == ["lm-1"]
        assert simulator.orders == {}
        assert sync.store.watermark("orders") is None

    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(st.integers(1, 60), min_size=1, max_size=25, unique=True),
        st.sets(st.integers(1, 60)),
        st.sets(st.integers(1, 60)),
        st.lists(
            st.sampled_from(["500", "429", "timeout-after", "timeout-before", "keys"]), max_size=4
        ),
    )
    def test_any_faults_eventually_everything_once(
        self, numbers: list[int], unaddressed: set[int], fba: set[int], faults: list[str]
    ) -> None:
        """Whatever fails along the way, in the end every eligible order is in ShipStation once.

        Also: its content is the mapped one, no rejected order was sent, and the checkpoint
        never passed an order that was not sent.
        """
        orders = [
            lm_order(
                n,
                ship_to=None if n in unaddressed else lm_order(n).ship_to,
                fulfillment_channel=lm.FulfillmentChannel.FBA if n in fba else None,
            )
            for n in numbers
        ]
        sync, simulator, _, fake = world(orders)
        for fault in faults:
            if fault in ("500", "429"):
                simulator.fail_next(int(fault), times=5)
            elif fault == "keys":
                simulator.failing_keys = {f"lm-{n}" for n in numbers[::2]}
            else:
                simulator.time_out_next(after_acting=fault == "timeout-after", times=2)
            sync.run()
            self._checkpoint_never_passed_an_unsent_order(sync, simulator, orders)
            simulator.failing_keys = set()
            fake.now += 120
        for _ in range(simulator.pending_faults + 2):  # enough runs to outlast every fault
            sync.run()
            self._checkpoint_never_passed_an_unsent_order(sync, simulator, orders)
            fake.now += 120
        assert_in_shipstation_once(simulator, eligible(orders))

    @staticmethod
    def _checkpoint_never_passed_an_unsent_order(
        sync: OrderSync, simulator: ShipStationSimulator, orders: list[lm.Order]
    ) -> None:
        mark = sync.store.watermark("orders")
        for order in eligible(orders):
            if mark is not None and (order.last_modified or order.order_datetime) < mark:
                assert f"lm-{order.order_id}" in simulator.orders

    @pytest.mark.parametrize("crash_at", range(1, 3))  # the batch's fingerprints, the watermark
    def test_a_crash_at_any_step_loses_nothing_and_duplicates_nothing(
        self, crash_at: int, tmp_path: Path
    ) -> None:
        """The process dies at the n-th write to the (SQLite) store; a new process resumes."""
        orders = [lm_order(n) for n in range(1, 6)]
        path = tmp_path / "checkpoints.sqlite3"

        class Crashing(SQLiteCheckpointStore):
            writes = 0

            def _tick(self) -> None:
                Crashing.writes += 1
                if Crashing.writes == crash_at:
                    raise SystemExit("killed")

            def set_fingerprint(self, key: str, value: str) -> None:
                self._tick()
                super().set_fingerprint(key, value)

            def set_fingerprints(self, values: Mapping[str, str]) -> None:
                self._tick()
                super().set_fingerprints(values)

            def set_watermark(self, name: str, value: datetime) -> None:
                self._tick()
                super().set_watermark(name, value)

        sync, simulator, client, fake = world(orders, Crashing(path))
        with pytest.raises(SystemExit):
            sync.run()
        resumed = OrderSync(
            sync.source, client, SQLiteCheckpointStore(path), initial_start=T0, now=sync.now
        )
        fake.now += 60
        resumed.run()
        assert_in_shipstation_once(simulator, orders)
        store = SQLiteCheckpointStore(path)
        assert all(
            store.fingerprint(f"lm-{o.order_id}") == fingerprint(to_shipstation_order(o))
            for o in orders
        )

    def test_ten_thousand_orders_meet_no_429(self) -> None:
        """A steady workload of 10,000 orders: zero 429 answers, every order once."""
        orders = [lm_order(n, last_modified=T0 + timedelta(seconds=n)) for n in range(1, 10_001)]
        sync, simulator, client, _ = world(orders)
        report = sync.run()
        assert len(report.sent) == 10_000
        assert 429 not in simulator.statuses
        assert len(simulator.orders) == 10_000
        assert report.rate_limit_wait > 0  # 100 calls at 40 a minute had to wait
        assert client.rate_limit.limit == 40


def shipment(number: int, **changes: object) -> ss.Shipment:
    base = ss.Shipment(
        shipment_id=number,
        order_key=f"lm-{number}",
        order_number=f"M-{number}",
        create_date=T0 + timedelta(hours=number),
        ship_date=date(2026, 11, 2),
        tracking_number=f"1Z{number}",
        carrier_code="ups",
        voided=False,
        shipment_cost=Decimal("8.00"),
        shipment_items=(ss.ShipmentItem(sku=f"S{number}", quantity=1, line_item_key="L1"),),
    )
    return attrs.evolve(base, **changes)


def shipment_world() -> tuple[ShipmentSync, ShipStationSimulator, Sink, FakeClock]:
    fake = FakeClock()
    simulator = ShipStationSimulator(clock=fake)
    client = ss.ShipStationClient(
        "key",
        "secret",
        transport=PolicyTransport(MockTransport(simulator), clock=fake, sleep=fake.sleep),
    )
    sink = Sink()
    sync = ShipmentSync(
        client,
        sink,
        MemoryCheckpointStore(),
        initial_start=T0,
        now=Clock(fake, T0 + timedelta(days=2)),
    )
    return sync, simulator, sink, fake


class TestShipmentSync:
    def test_each_shipment_is_delivered_once_across_runs(self) -> None:
        """Labels and fulfillments go to the sink once, however often the sync runs."""
        sync, simulator, sink, fake = shipment_world()
        for n in (1, 2, 3):
            simulator.add_shipment(shipment(n))
        simulator.add_fulfillment(
            ss.Fulfillment(
                fulfillment_id=9,
                order_number="M-9",
                create_date=T0 + timedelta(hours=5),
                tracking_number="T9",
            )
        )
        first = sync.run()
        assert {u.shipment_id for u in first.delivered} == {"1", "2", "3", "fulfillment-9"}
        fake.now += 60
        second = sync.run()
        assert second.delivered == ()
        assert sink.calls == 4
        assert all(u.order_id in (1, 2, 3, None) for u in sink.accepted.values())

    def test_a_voided_label_becomes_a_void_update(self) -> None:
        """Voiding after delivery sends a void update, not silence."""
        sync, simulator, _, fake = shipment_world()
        simulator.add_shipment(shipment(1))
        sync.run()
        simulator.shipments[0] = shipment(1, voided=True, void_date=T0 + timedelta(days=2, hours=1))
        fake.now += 7200
        report = sync.run()
        assert [(u.shipment_id, u.voided, u.status) for u in report.delivered] == [
            ("1", True, lm.OrderStatus.PAID)
        ]

    def test_a_sink_failure_is_retried_next_run(self) -> None:
        """The sink is down for one update: it comes again next run; nothing twice."""
        sync, simulator, sink, fake = shipment_world()
        for n in (1, 2):
            simulator.add_shipment(shipment(n))
        sink.fail = 1
        first = sync.run()
        assert len(first.failed) == 1
        fake.now += 60
        sync.run()
        assert set(sink.accepted) == {"1", "2"}
        assert len(sink.accepted) == 2

    def test_webhook_goes_through_the_same_pipeline(self) -> None:
        """A SHIP_NOTIFY body fetches its shipments; a later run does not deliver them again."""
        sync, simulator, sink, fake = shipment_world()
        simulator.add_shipment(shipment(1))
        body = (
            b'{"resource_url": "https://ssapi.shipstation.com/shipments?batchId=1",'
            b' "resource_type": "SHIP_NOTIFY"}'
        )
        assert [u.shipment_id for u in sync.handle_webhook(body).delivered] == ["1"]
        assert sync.handle_webhook(body).duplicates == 1
        fake.now += 60
        assert sync.run().delivered == ()
        assert sink.calls == 1


class TestWindowsAndBadOrders:
    def test_the_watermark_stops_where_the_consistent_read_stopped(self) -> None:
        """A source that covered only part of the window: the checkpoint goes no further."""
        covered = T0 + timedelta(hours=3)

        class Partial(ListingMirrorOrderSource):
            def orders_modified(self, start: datetime, end: datetime) -> list[lm.Order]:
                raise AssertionError("read_window is used")

            def read_window(self, start: datetime, end: datetime) -> OrderWindow:
                return OrderWindow(orders=(lm_order(1),), covered_until=covered)

        sync, simulator, _, _ = world([])
        sync.source = Partial()
        report = sync.run()
        assert (report.complete, report.checkpoint) == (False, covered)
        assert sync.store.watermark("orders") == covered
        assert set(simulator.orders) == {"lm-1"}

    def test_an_order_that_raises_while_mapped_is_rejected_alone(self) -> None:
        """A float price from an untyped caller: that order is rejected, the others are sent."""
        bad = attrs.evolve(
            lm_order(2),
            order_items=(attrs.evolve(lm_order(2).order_items[0], price=9.99),),  # type: ignore[arg-type]
        )
        sync, simulator, _, _ = world([lm_order(1), bad, lm_order(3)])
        report = sync.run()
        assert [r.order.order_id for r in report.rejected] == [2]
        assert set(simulator.orders) == {"lm-1", "lm-3"}
        assert report.checkpoint == sync.now().replace(microsecond=0)

    def test_a_webhook_for_a_label_already_voided_delivers_both_events_in_order(self) -> None:
        """The webhook's label was voided since: its shipment, then its void, each once."""
        sync, simulator, sink, _ = shipment_world()
        simulator.add_shipment(shipment(1, voided=True, void_date=T0 + timedelta(hours=3)))
        body = (
            b'{"resource_url": "https://ssapi.shipstation.com/shipments?batchId=1",'
            b' "resource_type": "SHIP_NOTIFY"}'
        )
        report = sync.handle_webhook(body)
        assert [(u.shipment_id, u.voided) for u in report.delivered] == [("1", False), ("1", True)]
        assert list(sink.accepted) == ["1", "1:void"]
        assert sync.handle_webhook(body).duplicates == 2
