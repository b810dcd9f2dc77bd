"""The sync on PostgreSQL stores: exactly once through crashes, merchants kept apart."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
import pytest

from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.postgres import PostgresCheckpointStore, PostgresShipmentSink
from listingmirror_shipstation.stores import Stores, open_stores
from listingmirror_shipstation.sync import ShipmentSync
from listingmirror_shipstation.testing.simulator import FakeClock, ShipStationSimulator
from listingmirror_shipstation.transports import MockTransport, PolicyTransport

T0 = datetime(2026, 11, 1, tzinfo=UTC)


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
    )
    return attrs.evolve(base, **changes)


class Crash(BaseException):
    """The process dies here (not an Exception: nothing in the sync catches it)."""


class CrashingCheckpoints(PostgresCheckpointStore):
    """Dies right after the sink committed, before the sync records the delivery."""

    def mark_delivered(self, key: str) -> None:
        raise Crash(key)


def sync_for(stores: Stores, simulator: ShipStationSimulator, fake: FakeClock) -> ShipmentSync:
    client = ss.ShipStationClient(
        "key",
        "secret",
        transport=PolicyTransport(MockTransport(simulator), clock=fake, sleep=fake.sleep),
    )
    return ShipmentSync(
        client,
        stores.shipments,
        stores.checkpoints,
        initial_start=T0,
        now=lambda: T0 + timedelta(days=2, seconds=fake.now),
    )


@pytest.fixture
def stores(pg_url: str) -> Iterator[Stores]:
    opened = open_stores(pg_url, merchant="acme")
    yield opened
    opened.close()


def test_a_crash_after_the_sink_loses_nothing_and_repeats_nothing(
    pg_url: str, stores: Stores
) -> None:
    """Killed between the sink's commit and mark_delivered: the next run skips it as done."""
    fake = FakeClock()
    simulator = ShipStationSimulator(clock=fake)
    for n in (1, 2, 3):
        simulator.add_shipment(shipment(n))
    crashing = CrashingCheckpoints(pg_url, merchant="acme")
    try:
        doomed = Stores(
            url=stores.url,
            merchant="acme",
            checkpoints=crashing,
            shipments=stores.shipments,
            lease_at=pg_url,
        )
        with pytest.raises(Crash):
            sync_for(doomed, simulator, fake).run()
    finally:
        crashing.close()
    fake.now += 60
    report = sync_for(stores, simulator, fake).run()
    assert [u.shipment_id for u in report.delivered] == ["2", "3"]
    assert report.duplicates == 1  # the one committed before the crash, known as delivered
    sink = stores.shipments
    assert isinstance(sink, PostgresShipmentSink)
    assert [u.shipment_id for u in sink.updates()] == ["1", "2", "3"]


def test_a_void_after_delivery_is_its_own_row(stores: Stores) -> None:
    """Label, then its void a run later: two deliveries, two rows, each once."""
    fake = FakeClock()
    simulator = ShipStationSimulator(clock=fake)
    simulator.add_shipment(shipment(1))
    sync_for(stores, simulator, fake).run()
    simulator.shipments[0] = shipment(1, voided=True, void_date=T0 + timedelta(days=2, hours=1))
    fake.now += 7200
    sync_for(stores, simulator, fake).run()
    fake.now += 60
    assert sync_for(stores, simulator, fake).run().delivered == ()
    sink = stores.shipments
    assert isinstance(sink, PostgresShipmentSink)
    assert [(u.shipment_id, u.voided) for u in sink.updates()] == [("1", False), ("1", True)]


def test_two_merchants_in_one_database_sync_apart(pg_url: str, stores: Stores) -> None:
    """Another merchant's sync of the same shipment ids delivers its own copies."""
    fake = FakeClock()
    simulator = ShipStationSimulator(clock=fake)
    simulator.add_shipment(shipment(1))
    sync_for(stores, simulator, fake).run()
    other = open_stores(pg_url, merchant="other")
    try:
        report = sync_for(other, simulator, fake).run()
        assert [u.shipment_id for u in report.delivered] == ["1"]
        assert other.checkpoints.watermark("shipments") is not None
    finally:
        other.close()
