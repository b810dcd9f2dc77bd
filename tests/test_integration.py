"""The ready-made wiring: a JSON file of orders, a SQLite sink, and the serve command."""

import base64
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
import urllib3

from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.cli import EXAMPLE_ORDERS, PASSWORD_VARIABLE
from listingmirror_shipstation.errors import ConversionError
from listingmirror_shipstation.integration import (
    JsonFileOrderSource,
    ListingMirrorOrderSource,
    MappedOrderSource,
    ShipmentSink,
    SQLiteShipmentSink,
    UpdatingReceiver,
    make_custom_store_app,
)
from listingmirror_shipstation.mapping import Rejection

GOLDEN = Path(__file__).resolve().parent / "golden" / "customstore"
UPDATE = lm.ShipmentUpdate(
    order_id=1, status=lm.OrderStatus.SHIPPED, tracking_number="1Z", shipment_id="s-1"
)


class TestJsonFileOrderSource:
    def test_window_is_on_last_modified(self) -> None:
        """Orders are in a window by last_modified, else order_datetime."""
        source = JsonFileOrderSource(EXAMPLE_ORDERS)
        window = list(
            source.orders_modified(
                datetime(2026, 11, 24, 14, 30, tzinfo=UTC), datetime(2026, 11, 25, 3, tzinfo=UTC)
            )
        )
        assert [o.order_id for o in window] == [700101, 700102, 700103]

    def test_file_is_read_again_when_it_changes(self, tmp_path: Path) -> None:
        """A changed file is reloaded; bad orders in it are left out."""
        path = tmp_path / "orders.json"
        path.write_text(EXAMPLE_ORDERS.read_text(encoding="utf-8"), encoding="utf-8")
        source = JsonFileOrderSource(path)
        everything = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
        assert len(list(source.orders_modified(*everything))) == 8
        path.write_text('[{"order_id": "bad"}]', encoding="utf-8")
        os.utime(path, (time.time() + 5, time.time() + 5))
        assert list(source.orders_modified(*everything)) == []

    def test_pages_look_orders_up_by_id_with_their_current_content(self, tmp_path: Path) -> None:
        """Ids come sorted by modification time then id; by-id reads the file as it is now.

        An order modified after the snapshot (out of the window now) is still returned, with
        its new content; an id no longer in the file is not.
        """
        path = tmp_path / "orders.json"
        path.write_text(EXAMPLE_ORDERS.read_text(encoding="utf-8"), encoding="utf-8")
        source = JsonFileOrderSource(path)
        window = (datetime(2026, 11, 24, 14, 30, tzinfo=UTC), datetime(2026, 11, 25, 3, tzinfo=UTC))
        ids = source.order_ids_modified(*window)
        assert list(ids) == [700101, 700102, 700103]
        everything = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
        orders = list(source.orders_modified(*everything))
        moved = [
            attrs.evolve(o, last_modified=datetime(2027, 1, 1, tzinfo=UTC), internal_notes="edited")
            if o.order_id == 700102
            else o
            for o in orders
            if o.order_id != 700103
        ]
        staging = tmp_path / "orders.tmp"
        staging.write_text(lm.dumps(moved), encoding="utf-8")
        os.replace(staging, path)
        found = source.orders_by_id(ids, start=window[0], end=window[1])
        assert [(o.order_id, o.internal_notes) for o in found][1] == (700102, "edited")
        assert [o.order_id for o in found] == [700101, 700102]


class TestSourceDefaults:
    """A source written before the by-id methods existed keeps working, unchanged."""

    class Legacy(ListingMirrorOrderSource):
        """Only orders_modified, as every source had to be before."""

        def __init__(self, orders: list[lm.Order]) -> None:
            self.orders = orders

        def orders_modified(self, start: datetime, end: datetime) -> list[lm.Order]:
            return [o for o in self.orders if start <= (o.last_modified or o.order_datetime) <= end]

    def orders(self) -> list[lm.Order]:
        parsed = JsonFileOrderSource(EXAMPLE_ORDERS).orders_modified(
            datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
        return list(reversed(list(parsed)))

    def test_defaults_are_built_on_orders_modified(self) -> None:
        """Ids sorted by modification time then id; by-id keeps those of the window."""
        orders = self.orders()
        source = self.Legacy(orders)
        window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
        ids = source.order_ids_modified(*window)
        key = {o.order_id: (o.last_modified or o.order_datetime, o.order_id) for o in orders}
        assert list(ids) == sorted(key, key=key.__getitem__)
        picked = source.orders_by_id([ids[2], ids[0], 1], start=window[0], end=window[1])
        assert {o.order_id for o in picked} == {ids[0], ids[2]}

    def test_mapped_source_reports_an_ineligible_order_of_a_page(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An order that fails the rules when its page is built: on_rejected, logged with id."""
        orders = self.orders()
        no_address = attrs.evolve(orders[0], ship_to=None)
        rejected: list[Rejection] = []
        mapped = MappedOrderSource(
            self.Legacy([no_address, *orders[1:]]), on_rejected=rejected.append
        )
        window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
        with caplog.at_level(logging.WARNING, logger="listingmirror_shipstation"):
            page = mapped.orders_by_id(
                [str(no_address.order_id), "not-a-number"], start=window[0], end=window[1]
            )
        assert page == []
        assert [r.order.order_id for r in rejected] == [no_address.order_id]
        assert f"order {no_address.order_id} not converted" in caplog.text
        assert "'not-a-number' is not a Listing Mirror order id" in caplog.text

    def test_the_app_keeps_snapshots_with_the_sqlite_sink(self, tmp_path: Path) -> None:
        """make_custom_store_app: the SQLite sink's file holds snapshots; else memory."""
        sink = SQLiteShipmentSink(tmp_path / "s.sqlite3")
        with_file = make_custom_store_app("u", "p", self.Legacy([]), sink)
        assert isinstance(with_file.snapshots, cs.SQLiteSnapshotStore)
        assert with_file.snapshots.path == sink.path
        in_memory = make_custom_store_app("u", "p", self.Legacy([]), CountingSink())
        assert isinstance(in_memory.snapshots, cs.MemorySnapshotStore)


class TestSQLiteShipmentSink:
    def test_delivers_once_and_survives_reopening(self, tmp_path: Path) -> None:
        """The same shipment_id is stored once, even through a new sink on the same file."""
        path = tmp_path / "updates.sqlite3"
        assert SQLiteShipmentSink(path).deliver(UPDATE) is True
        reopened = SQLiteShipmentSink(path)
        assert reopened.deliver(UPDATE) is False
        assert reopened.updates() == [UPDATE]

    def test_an_update_without_id_is_refused(self, tmp_path: Path) -> None:
        """Without a shipment_id there is no way to be idempotent: refused."""
        sink = SQLiteShipmentSink(tmp_path / "u.sqlite3")
        with pytest.raises(ConversionError, match="shipment_id"):
            sink.deliver(lm.ShipmentUpdate(status=lm.OrderStatus.SHIPPED))


class CountingSink(ShipmentSink):
    def __init__(self) -> None:
        self.calls = 0

    def deliver(self, update: lm.ShipmentUpdate) -> bool:
        self.calls += 1
        return True


def test_receiver_remembers_recent_notices() -> None:
    """A repeated notice does not even reach a (non-idempotent) sink twice in one process."""
    sink = CountingSink()
    receiver = UpdatingReceiver(sink)
    notice = cs.parse_ship_notice((GOLDEN / "shipnotice-current-style.xml").read_bytes())
    assert receiver.receive(notice) is True
    assert receiver.receive(notice) is False
    assert sink.calls == 1


@pytest.mark.timeout(60)
def test_serve_command_answers_shipstation(tmp_path: Path) -> None:
    """`serve` starts on a free port, exports the example and stores a ShipNotice."""
    db = tmp_path / "updates.sqlite3"
    env = {**os.environ, PASSWORD_VARIABLE: "s3cret"}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "listingmirror_shipstation",
            "serve",
            "--orders",
            str(EXAMPLE_ORDERS),
            "--db",
            str(db),
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "serving the Custom Store endpoint on http://127.0.0.1:" in line
        base = line.split("on ", 1)[1].split(" ", 1)[0]
        token = base64.b64encode(b"shipstation:s3cret").decode()
        headers = {"Authorization": f"Basic {token}"}
        with urllib3.PoolManager(retries=False, timeout=10) as http:
            export = http.request(
                "GET",
                base + "?action=export&start_date=01%2f01%2f2026+00%3a00"
                "&end_date=12%2f31%2f2026+23%3a59&page=1",
                headers=headers,
            )
            assert export.status == 200
            assert len(cs.parse_orders(export.data).orders) == 5
            notify = http.request(
                "POST",
                base + "?action=shipnotify&order_number=TV-1001",
                body=(GOLDEN / "shipnotice-current-style.xml").read_bytes(),
                headers=headers,
            )
            assert notify.status == 200
        assert [u.tracking_number for u in SQLiteShipmentSink(db).updates()] == [
            "9400100000000000000001"
        ]
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


def test_serve_needs_the_password_variable(tmp_path: Path) -> None:
    """Without the environment variable `serve` refuses to start (exit 2)."""
    env = {k: v for k, v in os.environ.items() if k != PASSWORD_VARIABLE}
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "listingmirror_shipstation",
            "serve",
            "--orders",
            str(EXAMPLE_ORDERS),
            "--db",
            str(tmp_path / "x.sqlite3"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert PASSWORD_VARIABLE in done.stderr
