"""Export paging while orders change (issue 9, loss 2): every page of a pass from one snapshot.

ShipStation asks for page 1, reads ``pages``, then asks for pages 2..N. These tests play
ShipStation over real HTTP on 127.0.0.1 and edit orders between page requests.
"""

import base64
import logging
import os
import subprocess
import sys
import threading
import urllib.parse
import wsgiref.util
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
import urllib3
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.integration import (
    JsonFileOrderSource,
    ListingMirrorOrderSource,
    SQLiteShipmentSink,
    make_custom_store_app,
)

from .test_app import PASSWORD, START, USER, ListSink, ListSource, auth, export_url, lm_order

#: The pass's window is START .. START + 30 days; the next poll's is the 30 days after it.
END = START + timedelta(days=30)
LATER = START + timedelta(days=31)  # an edit after the snapshot: a time after END


class MemorySource(ListingMirrorOrderSource):
    """Orders in a dict, read by id as a database source would (counts what it reads)."""

    def __init__(self, orders: Iterable[lm.Order]) -> None:
        self.orders = {o.order_id: o for o in orders}
        self.window_reads = 0
        self.page_reads: list[list[int]] = []
        self._lock = threading.Lock()

    def orders_modified(self, start: datetime, end: datetime) -> list[lm.Order]:
        with self._lock:
            self.window_reads += 1
            return [o for o in self.orders.values() if start <= o.last_modified <= end]  # type: ignore[operator]

    def order_ids_modified(self, start: datetime, end: datetime) -> list[int]:
        orders = self.orders_modified(start, end)
        return [o.order_id for o in sorted(orders, key=lambda o: (o.last_modified, o.order_id))]

    def orders_by_id(self, ids: Sequence[int], *, start: datetime, end: datetime) -> list[lm.Order]:
        with self._lock:
            self.page_reads.append(list(ids))
            return [self.orders[i] for i in ids if i in self.orders]

    def edit(self, order_id: int, when: datetime, name: str) -> None:
        with self._lock:
            order = self.orders[order_id]
            assert order.ship_to is not None
            self.orders[order_id] = attrs.evolve(
                order, last_modified=when, ship_to=attrs.evolve(order.ship_to, name=name)
            )


def ship_to_name(order: cs.Order) -> str | None:
    ship_to = order.customer.ship_to
    return None if ship_to is None else ship_to.name


def shipstation_pass(
    get: Callable[[int], cs.OrdersPage], between: Callable[[int], None] = lambda page: None
) -> list[cs.Order]:
    """Play ShipStation: page 1, read ``pages``, then pages 2..N, calling *between* before each."""
    first = get(1)
    orders = list(first.orders)
    for page in range(2, (first.pages or 0) + 1):
        between(page)
        orders += get(page).orders
    return orders


def http_pages(
    http: urllib3.PoolManager, base: str, start: datetime = START
) -> Callable[[int], cs.OrdersPage]:
    def get(page: int) -> cs.OrdersPage:
        response = http.request("GET", export_url(base, page, start), headers=auth())
        assert response.status == 200, response.data
        return cs.parse_orders(response.data)

    return get


def write_orders(path: Path, orders: Iterable[lm.Order]) -> None:
    staging = path.with_suffix(".tmp")
    staging.write_text(lm.dumps(list(orders)), encoding="utf-8")
    os.replace(staging, path)  # a new inode: the source sees the change whatever the clock


class TestLoss2OverHTTP:
    def test_orders_edited_between_pages_shift_nothing(self, serve, http, tmp_path: Path) -> None:
        """Edits between page requests: every order of the window exported once, none lost.

        The default stack (a JSON file source, the SQLite sink, whose file keeps the snapshot).
        Before page 2, order 1 (already exported) is edited; before page 3, order 6 (not read
        yet). Re-running the window's query per page skipped order 3 and lost order 6 for this
        pass; from the snapshot, the pass has all seven, order 6 with its new content, and the
        next poll's window has both edited orders again with their new content.
        """
        orders = {n: lm_order(n) for n in range(1, 8)}
        path = tmp_path / "orders.json"
        write_orders(path, orders.values())
        sink = SQLiteShipmentSink(tmp_path / "shipments.sqlite3")
        base = serve(
            make_custom_store_app(USER, PASSWORD, JsonFileOrderSource(path), sink, page_size=2)
        )

        def edit(order_id: int, when: datetime, name: str) -> None:
            order = orders[order_id]
            assert order.ship_to is not None
            orders[order_id] = attrs.evolve(
                order, last_modified=when, ship_to=attrs.evolve(order.ship_to, name=name)
            )
            write_orders(path, orders.values())

        def between(page: int) -> None:
            if page == 2:
                edit(1, LATER, "Ana v2")
            if page == 3:
                edit(6, LATER + timedelta(minutes=1), "Bea v2")

        exported = shipstation_pass(http_pages(http, base), between)
        assert sorted(o.order_id or "" for o in exported) == [str(n) for n in range(1, 8)]
        by_id = {o.order_id: o for o in exported}
        assert ship_to_name(by_id["1"]) == "Ana"  # exported before its edit
        assert ship_to_name(by_id["6"]) == "Bea v2"  # its page was built after the edit

        later = shipstation_pass(http_pages(http, base, start=END))
        assert [(o.order_id, ship_to_name(o)) for o in later] == [("1", "Ana v2"), ("6", "Bea v2")]

    def test_a_page_reads_only_its_own_orders(self, serve, http) -> None:
        """The window is read once per pass; page k asks the source for its ids only."""
        source = MemorySource(lm_order(n) for n in range(1, 8))
        base = serve(make_custom_store_app(USER, PASSWORD, source, ListSink(), page_size=3))
        exported = shipstation_pass(
            http_pages(http, base), lambda page: source.edit(page, LATER, f"edited {page}")
        )
        assert [o.order_id for o in exported] == [str(n) for n in range(1, 8)]
        assert source.window_reads == 1
        assert source.page_reads == [[1, 2, 3], [4, 5, 6], [7]]

    def test_two_workers_sharing_the_store_serve_one_snapshot(
        self, serve, http, tmp_path: Path
    ) -> None:
        """Page 1 from one worker, the others from another: the same snapshot, nothing shifts."""
        source = MemorySource(lm_order(n) for n in range(1, 7))
        store = tmp_path / "endpoint.sqlite3"
        workers = [
            serve(
                cs.CustomStoreApp(
                    USER,
                    PASSWORD,
                    _mapped(source),
                    _Receiver(),
                    page_size=2,
                    snapshots=cs.SQLiteSnapshotStore(store),  # each worker opens the file
                )
            )
            for _ in range(2)
        ]
        first = http_pages(http, workers[0])(1)
        source.edit(1, LATER, "moved")
        rest = [http_pages(http, workers[1])(page).orders for page in (2, 3)]
        ids = [o.order_id for o in first.orders] + [o.order_id for page in rest for o in page]
        assert ids == [str(n) for n in range(1, 7)]

    def test_a_source_with_only_orders_modified_still_loses_nothing(self, serve, http) -> None:
        """A source with only orders_modified: nothing shifts, nothing is lost.

        The default by-id lookup re-reads the window, so an order edited before its page is
        left to its later window; the others do not move.
        """
        source = ListSource(lm_order(n) for n in range(1, 7))

        def edit(order_id: int) -> None:
            index = next(i for i, o in enumerate(source.orders) if o.order_id == order_id)
            source.orders[index] = attrs.evolve(source.orders[index], last_modified=LATER)

        base = serve(make_custom_store_app(USER, PASSWORD, source, ListSink(), page_size=2))
        exported = shipstation_pass(http_pages(http, base), lambda page: edit(page + 2))
        later = shipstation_pass(http_pages(http, base, start=END))
        # Orders 4 and 5 were edited before their page: exported by the next poll instead.
        assert [o.order_id for o in exported] == ["1", "2", "3", "6"]
        assert [o.order_id for o in later] == ["4", "5"]


#: A worker process: the default stack on files given in the environment, on a free port.
WORKER = """
import os, wsgiref.simple_server
from listingmirror_shipstation.integration import (
    JsonFileOrderSource, SQLiteShipmentSink, make_custom_store_app)

class Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass

app = make_custom_store_app(
    os.environ["T_USER"], os.environ["T_PASSWORD"], JsonFileOrderSource(os.environ["T_ORDERS"]),
    SQLiteShipmentSink(os.environ["T_DB"]), page_size=2)
server = wsgiref.simple_server.make_server("127.0.0.1", 0, app, handler_class=Quiet)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class TestCrashMidPass:
    def test_a_worker_killed_between_pages_loses_nothing(self, http, tmp_path: Path) -> None:
        """A worker killed after page 1, an order edited: the next worker serves pages 2..N.

        The new process, on the same files, reads the snapshot from the SQLite file.
        """
        orders = {n: lm_order(n) for n in range(1, 8)}
        path, db = tmp_path / "orders.json", tmp_path / "shipments.sqlite3"
        write_orders(path, orders.values())
        env = {**os.environ, "T_USER": USER, "T_PASSWORD": PASSWORD}
        env |= {"T_ORDERS": str(path), "T_DB": str(db)}

        def start() -> tuple[subprocess.Popen[str], str]:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
                [sys.executable, "-c", WORKER],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                text=True,
            )
            assert process.stdout is not None
            port = process.stdout.readline().strip()
            assert port.isdigit(), "the worker did not start"
            return process, f"http://127.0.0.1:{port}/shipstation"

        first, base = start()
        try:
            page_1 = http_pages(http, base)(1)
        finally:
            first.kill()  # no shutdown, no cleanup: a crash
            first.wait(timeout=30)
            assert first.stdout is not None
            first.stdout.close()
        orders[1] = attrs.evolve(orders[1], last_modified=LATER)
        write_orders(path, orders.values())
        second, base = start()
        try:
            rest = [
                http_pages(http, base)(page).orders for page in range(2, (page_1.pages or 0) + 1)
            ]
        finally:
            second.kill()
            second.wait(timeout=30)
            assert second.stdout is not None
            second.stdout.close()
        exported = [o.order_id for o in page_1.orders] + [o.order_id for p in rest for o in p]
        assert exported == [str(n) for n in range(1, 8)]


class _Receiver(cs.ShipNoticeReceiver):
    def receive(self, notice: cs.ShipNotice) -> bool:
        return True


def _mapped(source: ListingMirrorOrderSource) -> cs.OrderSource:
    from listingmirror_shipstation.integration import MappedOrderSource

    return MappedOrderSource(source)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def call(app: cs.CustomStoreApp, page: int, start: datetime = START) -> cs.OrdersPage:
    """One export request to the WSGI app in this process (for properties: no sockets)."""
    environ: dict[str, object] = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ["QUERY_STRING"] = urllib.parse.urlsplit(export_url("http://x/", page, start)).query
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    environ["HTTP_AUTHORIZATION"] = f"Basic {token}"
    statuses: list[str] = []
    body = b"".join(app(environ, lambda status, headers: statuses.append(status)))  # type: ignore[arg-type,func-returns-value]
    assert statuses == ["200 OK"], body
    return cs.parse_orders(body)


class TestSnapshotLifetime:
    def make(self, source: MemorySource, clock: Clock, **options: object) -> cs.CustomStoreApp:
        return cs.CustomStoreApp(
            USER,
            PASSWORD,
            _mapped(source),
            _Receiver(),
            page_size=2,
            clock=clock,
            **options,  # type: ignore[arg-type]
        )

    def test_page_1_again_within_the_ttl_is_the_same_pass(self) -> None:
        """A retried page 1 of the same window is served from the live snapshot."""
        source, clock = MemorySource(lm_order(n) for n in range(1, 6)), Clock()
        app = self.make(source, clock)
        before = call(app, 1)
        source.edit(1, LATER, "moved")
        clock.now += timedelta(minutes=29)
        again = call(app, 1)
        assert [o.order_id for o in again.orders] == [o.order_id for o in before.orders]
        assert (again.pages, source.window_reads) == (3, 1)

    def test_after_the_ttl_a_new_snapshot_is_taken_and_logged(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An expired snapshot is never served: the window is read again (WARNING for page 2)."""
        source, clock = MemorySource(lm_order(n) for n in range(1, 6)), Clock()
        store = cs.MemorySnapshotStore()
        app = self.make(source, clock, snapshots=store, snapshot_ttl=timedelta(minutes=5))
        call(app, 1)
        source.edit(1, LATER, "moved")
        clock.now += timedelta(minutes=5)
        with caplog.at_level(logging.WARNING, "listingmirror_shipstation"):
            page = call(app, 2)
        assert "no live snapshot" in caplog.text
        assert (page.pages, [o.order_id for o in page.orders]) == (2, ["4", "5"])
        assert source.window_reads == 2

    def test_a_snapshot_whose_ids_were_lost_is_taken_again(
        self, caplog: pytest.LogCaptureFixture, tmp_path: Path
    ) -> None:
        """Ids gone from the store (an upgrade racing an old worker): the pass restarts cleanly.

        ``page`` says the snapshot is gone and drops it; the app reads the window again, as when
        a snapshot expires, instead of serving a short or empty page.
        """
        import sqlite3

        source, clock = MemorySource(lm_order(n) for n in range(1, 6)), Clock()
        path = tmp_path / "snapshots.sqlite3"
        app = self.make(source, clock, snapshots=cs.SQLiteSnapshotStore(path, chunk_size=2))
        assert call(app, 1).pages == 3
        db = sqlite3.connect(path)
        with db:
            db.execute("DELETE FROM export_snapshot_chunks")
        db.close()
        with caplog.at_level(logging.WARNING, "listingmirror_shipstation"):
            page = call(app, 2)
        assert "no live snapshot" in caplog.text
        assert (page.pages, [o.order_id for o in page.orders]) == (3, ["3", "4"])
        assert source.window_reads == 2

    def test_the_window_is_the_key(self) -> None:
        """Another window is another snapshot; the first is untouched."""
        source, clock = MemorySource(lm_order(n) for n in range(1, 6)), Clock()
        app = self.make(source, clock)
        assert call(app, 1).pages == 3
        assert call(app, 1, start=START + timedelta(hours=3)).pages == 2  # orders 3, 4, 5
        assert call(app, 3).orders[0].order_id == "5"


@st.composite
def schedules(draw: st.DrawFn) -> tuple[int, int, list[tuple[int, int]]]:
    count = draw(st.integers(1, 12))
    page_size = draw(st.integers(1, 4))
    pages = -(-count // page_size)
    edits = draw(
        st.lists(st.tuples(st.integers(2, max(pages, 2)), st.integers(1, count)), max_size=10)
    )
    return count, page_size, edits


@settings(deadline=None)
@given(schedules())
def test_property_every_order_of_the_window_once_per_pass(
    schedule: tuple[int, int, list[tuple[int, int]]],
) -> None:
    """Any edits between page requests: every order exported once, edited ones again later.

    Each order in the window at page 1 is exported exactly once by the pass, with its content
    when its page was built; each edited order is in the next poll's window with its last
    content.
    """
    count, page_size, edits = schedule
    source = MemorySource(lm_order(n) for n in range(1, count + 1))
    app = cs.CustomStoreApp(USER, PASSWORD, _mapped(source), _Receiver(), page_size=page_size)
    stamp = iter(range(1, 1000))

    def between(page: int) -> None:
        for before, order_id in edits:
            if before == page:
                n = next(stamp)
                source.edit(order_id, LATER + timedelta(minutes=n), f"v{n}")

    built: list[tuple[str | None, str | None, str | None]] = []

    def get(page: int) -> cs.OrdersPage:
        result = call(app, page)
        for order in result.orders:  # nothing changes while a page is built
            current = source.orders[int(order.order_id or 0)]
            assert current.ship_to is not None
            built.append((order.order_id, ship_to_name(order), current.ship_to.name))
        return result

    exported = shipstation_pass(get, between)
    assert sorted(int(o.order_id or 0) for o in exported) == list(range(1, count + 1))
    assert all(name == current for _, name, current in built)
    pages = -(-count // page_size)
    edited = sorted({order_id for before, order_id in edits if before <= pages})
    later = shipstation_pass(lambda page: call(app, page, start=END))
    assert sorted(int(o.order_id or 0) for o in later) == edited
    for order in later:
        current = source.orders[int(order.order_id or 0)]
        assert current.ship_to is not None
        assert ship_to_name(order) == current.ship_to.name
