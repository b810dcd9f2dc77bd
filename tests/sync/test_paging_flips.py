"""Orders flipping in and out of a filtered result set never hide one that stays in it.

Listing Mirror pages by number over a live result set. An order leaving the set behind the
cursor while another enters ahead of it keeps ``count`` steady and shifts every later order
one place up, so one of them is never seen, and repeating the passes cannot prove otherwise
(the same flips can happen in every pass). ``ClientOrderSource.read_window`` therefore narrows
the window until every answer fits on one page: one page is one answer.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.sync import ClientOrderSource
from listingmirror_shipstation.testing.server import SimulatorServer
from listingmirror_shipstation.testing.simulator import ListingMirrorSimulator

T0 = datetime(2026, 11, 1, tzinfo=UTC)
END = T0 + timedelta(days=1)
#: Orders 1..7 are Paid, 8 is Pending; 1 and 8 swap in and out, the others stay Paid.
STABLE = {2, 3, 4, 5, 6, 7}


def modified(number: int) -> datetime:
    return T0 + timedelta(hours=1, minutes=number)


def simulator() -> ListingMirrorSimulator:
    sim = ListingMirrorSimulator(page_size=2)
    for n in range(1, 9):
        sim.put(
            {
                "order_id": n,
                "market_order_id": f"M-{n}",
                "order_status": "Paid" if n < 8 else "Pending",
                "order_datetime": "2026-11-01T00:00:00Z",
                "last_modified": modified(n).isoformat().replace("+00:00", "Z"),
            }
        )
    return sim


def swap(sim: ListingMirrorSimulator, leaving: int, entering: int) -> Callable[[], None]:
    """Order *leaving* leaves the Paid set and *entering* joins it, each keeping its time."""

    def act() -> None:
        sim.edit(leaving, modified=modified(leaving), order_status="Pending")
        sim.edit(entering, modified=modified(entering), order_status="Paid")

    return act


def read(sim: ListingMirrorSimulator) -> set[int]:
    with SimulatorServer(sim) as server:
        client = lm.ListingMirrorClient(("user", "pass"), base_url=f"{server.url}/api/v2/")
        source = ClientOrderSource(client, order_statuses=["Paid"])
        window = source.read_window(T0, END)
    assert window.covered_until == END
    return {order.order_id for order in window.orders}


@pytest.fixture
def sim() -> ListingMirrorSimulator:
    return simulator()


def test_the_reviewers_flips_hide_no_order(sim: ListingMirrorSimulator) -> None:
    """The schedule that hid order 3 from two steady passes: every stable order is read.

    Old code: read twice over the pages, both passes steady (count 7), order 3 never seen,
    and the read reported as consistent, so the watermark moved past it.
    """
    sim.at(2, swap(sim, 1, 8))
    sim.at(5, swap(sim, 8, 1))
    sim.at(6, swap(sim, 1, 8))
    assert read(sim) >= STABLE


@settings(max_examples=25)
@given(flips=st.lists(st.integers(1, 30), unique=True, max_size=8))
def test_any_flips_hide_no_order(flips: list[int]) -> None:
    """Whatever requests the two orders swap before, every order that stays Paid is read."""
    sim = simulator()
    for turn, number in enumerate(sorted(flips)):
        sim.at(number, swap(sim, 1, 8) if turn % 2 == 0 else swap(sim, 8, 1))
    assert read(sim) >= STABLE
