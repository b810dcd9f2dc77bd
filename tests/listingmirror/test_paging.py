"""Consistent reads of Listing Mirror's live, page-numbered result set (issue 9, loss 1 and 3)."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.sync import ClientOrderSource
from listingmirror_shipstation.testing.simulator import ListingMirrorSimulator
from listingmirror_shipstation.transports import MockTransport

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def paid(number: int, **extra: object) -> dict[str, object]:
    return {
        "order_id": number,
        "market_order_id": f"M-{number}",
        "order_status": "Paid",
        "order_datetime": "2026-11-01T00:00:00Z",
        "last_modified": (T0 + timedelta(minutes=number)).isoformat(),
        **extra,
    }


def world(count: int, page_size: int) -> tuple[ListingMirrorSimulator, lm.ListingMirrorClient]:
    simulator = ListingMirrorSimulator(page_size=page_size)
    for n in range(1, count + 1):
        simulator.put(paid(n))
    return simulator, lm.ListingMirrorClient(("u", "p"), transport=MockTransport(simulator))


class TestSnapshot:
    def test_one_page_is_one_read(self) -> None:
        """An answer without ``next`` is consistent by itself: one request, one pass."""
        simulator, client = world(3, page_size=10)
        snapshot = client.orders.snapshot()
        assert (snapshot.consistent, snapshot.passes, simulator.requests_seen) == (True, 1, 1)
        assert [o.order_id for o in snapshot.orders] == [1, 2, 3]

    def test_a_steady_multi_page_read_is_confirmed_by_a_second_pass(self) -> None:
        """Several pages, nothing moving: two passes, every order once."""
        simulator, client = world(5, page_size=2)
        snapshot = client.orders.snapshot()
        assert (snapshot.consistent, snapshot.passes) == (True, 2)
        assert sorted(o.order_id for o in snapshot.orders) == [1, 2, 3, 4, 5]
        assert simulator.requests_seen == 6

    def test_an_order_leaving_between_pages_hides_no_other(self) -> None:
        """Order 1 leaves after page 1: order 3 moves to page 1 and is read in a later pass."""
        simulator, client = world(5, page_size=2)
        simulator.at(2, lambda: simulator.edit(1, order_status="Shipped"))
        snapshot = client.orders.snapshot(order_status="Paid")
        assert snapshot.consistent
        assert sorted(o.order_id for o in snapshot.orders) == [1, 2, 3, 4, 5]

    def test_one_leaving_and_one_entering_at_once_is_caught(self) -> None:
        """Same ``count`` on every page, yet a shift: the order not seen before makes a pass."""
        simulator, client = world(5, page_size=2)
        simulator.put({**paid(9), "order_status": "Pending"})

        def swap() -> None:
            simulator.edit(1, order_status="Shipped")  # leaves, before the page boundary
            simulator.edit(9, order_status="Paid")  # enters, after it

        simulator.at(2, swap)
        snapshot = client.orders.snapshot(order_status="Paid")
        assert snapshot.consistent
        assert sorted(o.order_id for o in snapshot.orders) == [1, 2, 3, 4, 5, 9]

    def test_a_result_set_that_never_settles_is_reported(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Orders move before every page: not consistent after the passes allowed, and logged."""
        simulator, client = world(6, page_size=2)
        moved = iter(range(100, 200))

        def churn(number: int, request: object) -> None:
            if number % 3 == 2:  # before every second page: one more order arrives on top
                simulator.put({**paid(next(moved)), "order_id": -number})

        simulator.on_request = churn
        with caplog.at_level(logging.WARNING):
            snapshot = client.orders.snapshot(max_passes=3)
        assert (snapshot.consistent, snapshot.passes) == (False, 3)
        assert any("kept moving" in r.getMessage() for r in caplog.records)

    def test_unreadable_orders_come_back_with_their_ids_and_are_logged(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """``"quantity": "1.5"`` and a year-1 date that overflows: reported, never dropped."""
        simulator, client = world(2, page_size=10)
        simulator.put(paid(7, order_items=[{"sku": "A", "quantity": "1.5", "price": "1"}]))
        with caplog.at_level(logging.WARNING):
            snapshot = client.orders.snapshot()
        assert [o.order_id for o in snapshot.orders] == [1, 2]
        assert [u.order_id for u in snapshot.unreadable] == [7]
        assert snapshot.unreadable[0].modified == T0 + timedelta(minutes=7)
        assert "quantity" in str(snapshot.unreadable[0].error)
        assert any("7" in r.getMessage() and "quantity" in r.getMessage() for r in caplog.records)
        page = client.orders.list()
        assert [u.order_id for u in page.unreadable] == [7]
        assert len(page.errors) == 1


class TestWindows:
    def test_a_window_that_keeps_moving_is_split_and_the_cover_stops_short(self) -> None:
        """Churn among late orders: the early part is read consistently, and no further."""
        simulator = ListingMirrorSimulator(page_size=2)
        for n in range(1, 9):
            simulator.put({**paid(n), "last_modified": (T0 + timedelta(hours=n)).isoformat()})
        for n in (9, 10, 11, 12):  # in one second: never one page of two
            simulator.put({**paid(n), "last_modified": (T0 + timedelta(hours=9)).isoformat()})
        end = T0 + timedelta(hours=10)

        def churn(number: int, request: object) -> None:
            order = simulator.orders[10]  # in and out of "Paid" before every request
            order["order_status"] = "Pending" if order["order_status"] == "Paid" else "Paid"

        simulator.on_request = churn
        source = ClientOrderSource(
            lm.ListingMirrorClient(("u", "p"), transport=MockTransport(simulator)),
            order_statuses=["Paid"],
        )
        window = source.read_window(T0, end)
        assert T0 + timedelta(hours=5) <= window.covered_until < T0 + timedelta(hours=9)
        assert set(range(1, 6)) <= {o.order_id for o in window.orders}
