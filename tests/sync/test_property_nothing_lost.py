"""Issue 9 as a property: edits and crashes anywhere during runs lose nothing, send nothing twice.

For any schedule of order edits (landing between any two Listing Mirror page requests), labels
voided while a shipment run lists them, and crashes (an exception at a scheduled request, or
in the sink right after it stored an update), fresh runs that resume from the stored
checkpoint end with: every order in ShipStation with its latest content, and every shipment
and every void in the sink exactly once, each void after its shipment. In-process
(``MockTransport``) for speed; the end-to-end tests over HTTP are in ``test_nothing_lost.py``.
"""

import contextlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.integration import ShipmentSink
from listingmirror_shipstation.mapping import to_shipstation_order
from listingmirror_shipstation.sync import (
    ClientOrderSource,
    MemoryCheckpointStore,
    OrderSync,
    ShipmentSync,
    delivery_key,
)
from listingmirror_shipstation.testing.simulator import (
    FakeClock,
    ListingMirrorSimulator,
    ShipStationSimulator,
)
from listingmirror_shipstation.transports import MockTransport, PolicyTransport, Retry

T0 = datetime(2026, 11, 1, tzinfo=UTC)


class Crash(BaseException):
    """The process dies here."""


class Sink(ShipmentSink):
    """Idempotent on (shipment_id, kind); can die right after storing (before the sync notes it)."""

    def __init__(self, crash_after: set[int]) -> None:
        self.stored: dict[str, lm.ShipmentUpdate] = {}
        self.order: list[str] = []
        self.calls = 0
        self.crash_after = crash_after

    def deliver(self, update: lm.ShipmentUpdate) -> bool:
        self.calls += 1
        key = delivery_key(update)
        fresh = key not in self.stored
        if fresh:
            self.stored[key] = update
            self.order.append(key)
        if self.calls in self.crash_after:
            raise Crash
        return fresh


def raw_order(number: int, modified: datetime) -> dict[str, object]:
    return {
        "order_id": number,
        "market_order_id": f"M-{number}",
        "order_datetime": "2026-11-01T00:00:00Z",
        "last_modified": modified.isoformat().replace("+00:00", "Z"),
        "order_status": "Paid",
        "ship_to": {"name": "Ana", "street1": "1 Main St", "city": "Austin", "country": "US"},
        "order_items": [{"sku": f"S{number}", "quantity": 1, "price": "9.99"}],
    }


def label(number: int) -> ss.Shipment:
    return ss.Shipment(
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


edits = st.lists(
    st.tuples(st.integers(1, 25), st.integers(1, 6), st.sampled_from(["Paid", "Shipped"])),
    max_size=6,
)
voids = st.lists(st.tuples(st.integers(1, 12), st.integers(1, 3)), max_size=3)
crashes = st.lists(st.tuples(st.sampled_from(["lm", "ss", "sink"]), st.integers(1, 20)), max_size=4)


@settings(max_examples=min(30, settings.default.max_examples), deadline=None)
@given(
    orders=st.integers(1, 6),
    page_size=st.integers(1, 3),
    labels=st.integers(0, 3),
    edits=edits,
    voids=voids,
    crashes=crashes,
    runs=st.integers(1, 4),
)
def test_edits_and_crashes_lose_nothing_and_send_nothing_twice(
    orders: int,
    page_size: int,
    labels: int,
    edits: list[tuple[int, int, str]],
    voids: list[tuple[int, int]],
    crashes: list[tuple[str, int]],
    runs: int,
) -> None:
    """Orders end in ShipStation as last edited; each shipment and void reaches the sink once."""
    fake = FakeClock()
    wall = [T0 + timedelta(days=1, microseconds=500_000)]
    lm_sim = ListingMirrorSimulator(page_size=page_size, sleep=fake.sleep)
    ss_sim = ShipStationSimulator(clock=fake, limit=10_000, sleep=fake.sleep)
    for n in range(1, orders + 1):
        lm_sim.put(raw_order(n, T0 + timedelta(hours=n)))
    for n in range(1, labels + 1):
        ss_sim.add_shipment(label(n))

    def during_run() -> datetime:  # an edit made while a run is going on
        return wall[0] + timedelta(microseconds=250_000)

    for index, (at, number, status) in enumerate(edits):
        if number <= orders:
            lm_sim.at(
                at,
                lambda n=number, s=status, i=index: lm_sim.edit(
                    n, internal_notes=f"edit {i}", order_status=s, modified=during_run()
                ),
            )
    for at, number in voids:
        if number <= labels:
            ss_sim.at(at, lambda n=number: ss_sim.void_shipment(n, during_run()))
    sink_crashes: set[int] = set()
    for where, at in crashes:
        if where == "lm":
            lm_sim.raise_at(at, Crash())
        elif where == "ss":
            ss_sim.raise_at(at, Crash())
        else:
            sink_crashes.add(at)
    sink = Sink(sink_crashes)
    store = MemoryCheckpointStore()
    policy = Retry(max_attempts=3, deadline=30, backoff=0.1)
    lm_client = lm.ListingMirrorClient(
        ("u", "p"),
        transport=PolicyTransport(
            MockTransport(lm_sim), retry=policy, clock=fake, sleep=fake.sleep
        ),
    )
    ss_client = ss.ShipStationClient(
        "k",
        "s",
        transport=PolicyTransport(
            MockTransport(ss_sim), retry=policy, clock=fake, sleep=fake.sleep
        ),
    )

    def run_once() -> None:
        at = wall[0]
        for job in (
            OrderSync(
                ClientOrderSource(lm_client), ss_client, store, initial_start=T0, now=lambda: at
            ),
            ShipmentSync(ss_client, sink, store, initial_start=T0, now=lambda: at),
        ):
            with contextlib.suppress(Crash):  # the process died; the next run starts afresh
                job.run()
        wall[0] += timedelta(minutes=1)
        fake.now += 60

    for _ in range(runs):
        run_once()
    lm_sim.clear_script()
    ss_sim.clear_script()
    sink.crash_after.clear()
    run_once()
    run_once()

    for number, raw in lm_sim.orders.items():
        expected = to_shipstation_order(lm.read_orders([raw]).orders[0])
        stored = ss.json.loads(ss.json.dumps(ss_sim.orders[f"lm-{number}"]), ss.Order)
        assert attrs.evolve(stored, order_id=None) == expected
    assert len(ss_sim.orders) == orders
    voided = {s.shipment_id for s in ss_sim.shipments if s.voided}
    expected_keys = {str(n) for n in range(1, labels + 1)} | {f"{n}:void" for n in voided}
    assert set(sink.stored) == expected_keys
    assert len(sink.order) == len(expected_keys)  # none twice in effect
    for n in voided:
        assert sink.order.index(str(n)) < sink.order.index(f"{n}:void")
