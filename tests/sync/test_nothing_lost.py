"""Issue 9, end to end over real HTTP on 127.0.0.1: nothing lost when data moves.

Both platforms are simulators served by ``SimulatorServer``; the clients use the real
``Urllib3Transport``. Each test reproduces one loss (losses 1, 3, 4, 6 of issue 9) with data
that changes during the run, and most with a crash in the middle.
"""

import logging
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import InvalidOrderError
from listingmirror_shipstation.integration import SQLiteShipmentSink
from listingmirror_shipstation.mapping import to_shipstation_order
from listingmirror_shipstation.sync import (
    ClientOrderSource,
    OrderSync,
    ShipmentSync,
    SQLiteCheckpointStore,
)
from listingmirror_shipstation.testing.server import SimulatorServer
from listingmirror_shipstation.testing.simulator import (
    ListingMirrorSimulator,
    ShipStationSimulator,
)
from listingmirror_shipstation.transports import Request, Response, Retry, Urllib3Transport

T0 = datetime(2026, 11, 1, tzinfo=UTC)
FAST = Retry(max_attempts=3, deadline=5, backoff=0.01)


class Crash(BaseException):
    """A process dying at this point (not an error any code would handle)."""


class CrashingTransport(Urllib3Transport):
    """The real transport, dying once just before its *at*-th request leaves."""

    def __init__(self, at: int | None = None) -> None:
        self.at, self.sent = at, 0
        super().__init__()

    def send(self, request: Request) -> Response:
        self.sent += 1
        if self.sent == self.at:
            raise Crash
        return super().send(request)


def raw_order(number: int, modified: datetime, **changes: Any) -> dict[str, Any]:
    order = lm.Order(
        order_id=number,
        market_order_id=f"M-{number}",
        order_datetime=T0,
        last_modified=modified,
        order_status=lm.OrderStatus.PAID,
        ship_to=lm.Address(name="Ana", street1="1 Main St", city="Austin", country="US"),
        order_items=(lm.OrderItem(sku=f"S{number}", quantity=1, price=Decimal("9.99")),),
    )
    raw: dict[str, Any] = lm.json.make_converter().unstructure(order)
    raw = {k: v for k, v in raw.items() if v is not None}
    raw["order_datetime"] = "2026-11-01T00:00:00Z"
    raw["last_modified"] = modified.isoformat().replace("+00:00", "Z")
    raw["order_items"] = [{"sku": f"S{number}", "quantity": 1, "price": "9.99"}]
    raw.update(changes)
    return raw


class Servers:
    """Listing Mirror and ShipStation simulators, each on its own port."""

    def __init__(self, lm_sim: ListingMirrorSimulator, ss_sim: ShipStationSimulator) -> None:
        self.lm_sim, self.ss_sim = lm_sim, ss_sim
        self.lm_url = ""
        self.ss_url = ""

    def lm_client(self) -> lm.ListingMirrorClient:
        return lm.ListingMirrorClient(
            ("user", "pass"), base_url=f"{self.lm_url}/api/v2/", retry=FAST
        )

    def ss_client(self, transport: Urllib3Transport | None = None) -> ss.ShipStationClient:
        return ss.ShipStationClient(
            "key",
            "secret",
            base_url=self.ss_url,
            transport=transport or Urllib3Transport(),
            retry=FAST,
        )

    def stored(self, number: int) -> ss.Order:
        stored = ss.json.loads(ss.json.dumps(self.ss_sim.orders[f"lm-{number}"]), ss.Order)
        return attrs.evolve(stored, order_id=None)


@pytest.fixture
def servers() -> Iterator[Servers]:
    lm_sim = ListingMirrorSimulator(page_size=2)
    ss_sim = ShipStationSimulator(clock=time.monotonic, limit=10_000)
    both = Servers(lm_sim, ss_sim)
    with SimulatorServer(lm_sim) as lm_server, SimulatorServer(ss_sim) as ss_server:
        both.lm_url, both.ss_url = lm_server.url, ss_server.url
        yield both


def latest(servers: Servers, number: int) -> ss.Order:
    raw = servers.lm_sim.orders[number]
    return to_shipstation_order(lm.json.read_orders([raw]).orders[0])


class TestLoss1PagingWhileOrdersChange:
    def test_an_order_changing_mid_run_hides_no_other_even_with_a_crash(
        self, servers: Servers, tmp_path: Path
    ) -> None:
        """Order 1 changes between page 1 and page 2: order 3 moves up and is still read.

        Old code: page 2 is read after the shift, order 3 is never read and the watermark
        moves to the end of the window; order 3 is lost for good. Here, in addition, the
        process dies at its first upsert; a fresh run from the stored checkpoint resumes.
        """
        for n in range(1, 6):
            servers.lm_sim.put(raw_order(n, T0 + timedelta(hours=1, minutes=n)))
        now = T0 + timedelta(days=1)
        store = SQLiteCheckpointStore(tmp_path / "checkpoints.sqlite3")

        def sync(at: datetime, transport: Urllib3Transport | None = None) -> OrderSync:
            return OrderSync(
                ClientOrderSource(servers.lm_client()),
                servers.ss_client(transport),
                store,
                initial_start=T0,
                now=lambda: at,
            )

        with pytest.raises(Crash):
            sync(now, CrashingTransport(at=1)).run()
        assert servers.ss_sim.orders == {}
        # In the run after the crash, order 1 changes between its page 1 and page 2.
        servers.lm_sim.at(
            servers.lm_sim.requests_seen + 2,
            lambda: servers.lm_sim.edit(
                1, internal_notes="VIP", modified=now + timedelta(seconds=2)
            ),
        )
        first = sync(now).run()
        second = sync(now + timedelta(minutes=10)).run()
        assert set(servers.ss_sim.orders) == {f"lm-{n}" for n in range(1, 6)}
        for n in range(1, 6):
            assert servers.stored(n) == latest(servers, n)
        assert [o.order_key for o in second.sent] == ["lm-1"]
        assert (first.complete, first.checkpoint) == (True, now)

    def test_the_watermark_never_passes_the_whole_second_actually_queried(
        self, servers: Servers, tmp_path: Path
    ) -> None:
        """The end date goes out in whole seconds; an order in the cut-off fraction is kept.

        ``now`` is 12:00:00.700; the query ends at 12:00:00, so an order modified at
        12:00:00.300 is not in its answer. Old code: the watermark became 12:00:00.700 and,
        with no overlap, that order was never read.
        """
        now = T0 + timedelta(days=1, microseconds=700_000)
        servers.lm_sim.put(raw_order(1, T0 + timedelta(hours=2)))
        servers.lm_sim.put(raw_order(2, now - timedelta(microseconds=400_000)))
        store = SQLiteCheckpointStore(tmp_path / "checkpoints.sqlite3")

        def run(at: datetime) -> None:
            OrderSync(
                ClientOrderSource(servers.lm_client()),
                servers.ss_client(),
                store,
                initial_start=T0,
                overlap=timedelta(0),
                now=lambda: at,
            ).run()

        run(now)
        assert store.watermark("orders") == now.replace(microsecond=0)
        run(now + timedelta(minutes=5))
        assert set(servers.ss_sim.orders) == {"lm-1", "lm-2"}


class TestLoss3UnreadableOrders:
    def test_an_unreadable_order_is_reported_logged_and_holds_the_checkpoint(
        self, servers: Servers, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        """``"quantity": "1.5"``: reported with its id, logged, and read again until fixed.

        Old code: the order was not sent, not rejected, not failed, not logged, and the
        checkpoint moved past it.
        """
        bad_time = T0 + timedelta(hours=3)
        servers.lm_sim.put(raw_order(1, T0 + timedelta(hours=1)))
        servers.lm_sim.put(
            raw_order(2, bad_time, order_items=[{"sku": "S2", "quantity": "1.5", "price": "1"}])
        )
        servers.lm_sim.put(raw_order(3, T0 + timedelta(hours=5)))
        store = SQLiteCheckpointStore(tmp_path / "checkpoints.sqlite3")
        now = T0 + timedelta(days=1)

        def run(at: datetime) -> Any:
            return OrderSync(
                ClientOrderSource(servers.lm_client()),
                servers.ss_client(),
                store,
                initial_start=T0,
                now=lambda: at,
            ).run()

        with caplog.at_level(logging.WARNING):
            report = run(now)
        assert any("2" in r.getMessage() and "quantity" in r.getMessage() for r in caplog.records)
        assert [u.order_id for u in report.unreadable] == [2]
        assert "quantity" in str(report.unreadable[0].error)
        assert report.checkpoint == bad_time
        assert set(servers.ss_sim.orders) == {"lm-1", "lm-3"}
        # Still unreadable: reported again on the next run, the checkpoint still held.
        again = run(now + timedelta(minutes=10))
        assert [u.order_id for u in again.unreadable] == [2]
        assert again.checkpoint == bad_time
        # Fixed in Listing Mirror: read, sent, and the checkpoint moves on.
        later = now + timedelta(minutes=20)
        servers.lm_sim.edit(
            2,
            order_items=[{"sku": "S2", "quantity": 2, "price": "1"}],
            modified=later - timedelta(minutes=1),
        )
        fixed = run(later)
        assert fixed.unreadable == ()
        assert fixed.checkpoint == later
        assert servers.stored(2) == latest(servers, 2)


class TestLoss4Voids:
    def shipment(self, number: int, **changes: Any) -> ss.Shipment:
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

    def test_a_void_after_its_delivered_shipment_reaches_the_sink(
        self, servers: Servers, tmp_path: Path
    ) -> None:
        """Shipment delivered, label voided later, a crash in between: the void is stored.

        Old code: the sink kept one row per ``shipment_id`` (INSERT OR IGNORE) and dropped the
        void, while the sync reported it delivered.
        """
        sink = SQLiteShipmentSink(tmp_path / "updates.sqlite3")
        store = SQLiteCheckpointStore(tmp_path / "checkpoints.sqlite3")
        servers.ss_sim.add_shipment(self.shipment(1))
        servers.ss_sim.add_shipment(self.shipment(2))
        now = T0 + timedelta(days=1)

        def run(at: datetime, transport: Urllib3Transport | None = None) -> Any:
            return ShipmentSync(
                servers.ss_client(transport), sink, store, initial_start=T0, now=lambda: at
            ).run()

        run(now)
        void_time = now + timedelta(minutes=30)
        servers.ss_sim.void_shipment(1, void_time)
        with pytest.raises(Crash):
            run(now + timedelta(hours=1), CrashingTransport(at=2))  # dies listing the voids
        report = run(now + timedelta(hours=1))
        assert [(u.shipment_id, u.voided) for u in report.delivered] == [("1", True)]
        stored = [(u.shipment_id, u.voided) for u in sink.updates()]
        assert sorted(stored) == [("1", False), ("1", True), ("2", False)]
        assert stored.index(("1", False)) < stored.index(("1", True))
        assert run(now + timedelta(hours=2)).delivered == ()
        assert len(sink.updates()) == 3

    def test_a_label_voided_before_the_first_run_is_both_events_in_order(
        self, servers: Servers, tmp_path: Path
    ) -> None:
        """Created and voided between two runs: the shipment, then its void, both stored."""
        sink = SQLiteShipmentSink(tmp_path / "updates.sqlite3")
        servers.ss_sim.add_shipment(
            self.shipment(1, voided=True, void_date=T0 + timedelta(hours=2))
        )
        report = ShipmentSync(
            servers.ss_client(),
            sink,
            SQLiteCheckpointStore(tmp_path / "checkpoints.sqlite3"),
            initial_start=T0,
            now=lambda: T0 + timedelta(days=1),
        ).run()
        assert [(u.shipment_id, u.voided) for u in report.delivered] == [
            ("1", False),
            ("1", True),
        ]
        assert [(u.shipment_id, u.voided) for u in sink.updates()] == [("1", False), ("1", True)]

    def test_a_sink_file_with_the_old_one_column_key_is_migrated(self, tmp_path: Path) -> None:
        """A file written before keeps its rows and can take the void of a stored shipment."""
        path = tmp_path / "old.sqlite3"
        update = lm.ShipmentUpdate(
            order_id=1, shipment_id="1", tracking_number="1Z1", status=lm.OrderStatus.SHIPPED
        )
        with sqlite3.connect(path) as db:
            db.execute(
                "CREATE TABLE shipment_updates (shipment_id TEXT PRIMARY KEY, order_id INTEGER,"
                " market_order_id TEXT, received_at TEXT NOT NULL, body TEXT NOT NULL)"
            )
            db.execute(
                "INSERT INTO shipment_updates VALUES ('1', 1, NULL, ?, ?)",
                ("2026-11-01T00:00:00+00:00", lm.dumps(update)),
            )
        db.close()
        sink = SQLiteShipmentSink(path)
        assert sink.updates() == [update]
        assert sink.deliver(update) is False
        assert sink.deliver(attrs.evolve(update, voided=True)) is True
        assert [u.voided for u in SQLiteShipmentSink(path).updates()] == [False, True]


class TestLoss6OneBadValue:
    def test_an_order_dated_year_one_is_rejected_and_the_run_goes_on(
        self, servers: Servers, tmp_path: Path
    ) -> None:
        """``0001-01-01T00:00:00Z``: that order is rejected with a library error; others go.

        Old code: ``OverflowError`` out of ``OrderSync.run()``, nothing sent, the watermark
        never moved, and every later run failed the same way.
        """
        servers.lm_sim.put(raw_order(1, T0 + timedelta(hours=1)))
        servers.lm_sim.put(
            raw_order(2, T0 + timedelta(hours=2), order_datetime="0001-01-01T00:00:00Z")
        )
        servers.lm_sim.put(raw_order(3, T0 + timedelta(hours=3)))
        store = SQLiteCheckpointStore(tmp_path / "checkpoints.sqlite3")
        now = T0 + timedelta(days=1)

        def run(at: datetime) -> Any:
            return OrderSync(
                ClientOrderSource(servers.lm_client()),
                servers.ss_client(),
                store,
                initial_start=T0,
                now=lambda: at,
            ).run()

        report = run(now)
        assert [(r.order.order_id, r.reason) for r in report.rejected] == [(2, "invalid_order")]
        assert isinstance(report.rejected[0].error, InvalidOrderError)
        assert set(servers.ss_sim.orders) == {"lm-1", "lm-3"}
        assert report.checkpoint == now
        assert store.rejections()[2][0] == "invalid_order"
        servers.lm_sim.edit(1, internal_notes="later", modified=now + timedelta(minutes=1))
        later = run(now + timedelta(minutes=10))
        assert [o.order_key for o in later.sent] == ["lm-1"]
