"""Sync throughput at real latency: a share of the rate-limit ceiling, and the 429s met.

Issue 12's goal: ``OrderSync`` reaches at least 97% of the ceiling (40 requests a minute x 100
orders a ``createorders`` call) with zero 429 answers when each request takes 1 s, measured
against a loopback fake with real sleeps and the SQLite checkpoint store on disk.

The fake is :class:`~listingmirror_shipstation.testing.simulator.ShipStationSimulator` served
over HTTP on 127.0.0.1 (:class:`~listingmirror_shipstation.testing.server.SimulatorServer`): a
rolling window of ``--limit`` requests, ``X-Rate-Limit-*`` headers, a 429 past the limit, and
``--latency`` seconds between the server counting a request and the answer arriving. The client
is the real one: ``ShipStationClient`` over ``PolicyTransport(Urllib3Transport())``.

``--scale`` shrinks the time axis (window, latency and the precision of ``X-Rate-Limit-Reset``
alike, and the limiter's margin with them) so a run takes seconds; ``--scale 1`` is the real
thing (60 s windows, 1 s latency, whole-second resets) and takes minutes.

The ratio to the ceiling is measured in the steady state: any schedule the server accepts
has at least one window between a request and the ``limit``-th after it, so
``window / mean(a[j + limit] - a[j])`` (``a`` = the times the server counted the requests) is
at most 100%, and is the share of the ceiling the sync keeps up over the run.

Run: ``python benchmarks/sync_latency.py [--scale 0.1] [--windows 4]``.
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.integration import ListingMirrorOrderSource
from listingmirror_shipstation.sync import OrderSync, SQLiteCheckpointStore
from listingmirror_shipstation.testing.server import SimulatorServer
from listingmirror_shipstation.testing.simulator import ShipStationSimulator
from listingmirror_shipstation.transports import (
    PolicyTransport,
    RateLimiter,
    Request,
    Urllib3Transport,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
GOAL = 0.97


def make_orders(count: int) -> list[lm.Order]:
    """*count* orders that map to ShipStation orders (all modified in the first hour)."""
    return [
        lm.Order(
            order_id=n,
            market_order_id=f"M-{n}",
            order_status=lm.OrderStatus.PAID,
            order_datetime=T0 + timedelta(seconds=n % 3600),
            ship_to=lm.Address(name="Ana", street1="1 Main", city="Austin", country="US"),
            order_items=(lm.OrderItem(sku="MUG", quantity=1, price=Decimal("9.99")),),
        )
        for n in range(1, count + 1)
    ]


class Source(ListingMirrorOrderSource):
    """The orders, in process (the benchmark measures the ShipStation side)."""

    def __init__(self, orders: list[lm.Order]) -> None:
        self.orders = orders

    def orders_modified(self, start: datetime, end: datetime) -> list[lm.Order]:
        return self.orders


def run(*, scale: float, limit: int, windows: int, database: Path) -> dict[str, float]:
    """One sync of ``limit * (windows + 1)`` batches of 100 orders; the figures."""
    window, latency, precision = 60.0 * scale, 1.0 * scale, 1.0 * scale
    simulator = ShipStationSimulator(
        clock=time.monotonic, limit=limit, window=window, reset_precision=precision
    )
    simulator.latency = latency
    counted: list[float] = []
    lock = threading.Lock()

    def stamp(number: int, request: Request) -> None:
        with lock:
            counted.append(time.monotonic())

    simulator.on_request = stamp
    orders = make_orders(limit * (windows + 1) * ss.MAX_BATCH)
    with SimulatorServer(simulator) as server:
        transport = PolicyTransport(Urllib3Transport(), limiter=RateLimiter(margin=precision))
        client = ss.ShipStationClient("key", "secret", base_url=server.url, transport=transport)
        store = SQLiteCheckpointStore(database)
        sync = OrderSync(Source(orders), client, store, now=lambda: T0 + timedelta(days=1))
        started = time.monotonic()
        report = sync.run()
        elapsed = time.monotonic() - started
        client.close()
    ok = [t for t, status in zip(counted, simulator.statuses, strict=True) if status != 429]
    periods = [ok[j + limit] - ok[j] for j in range(len(ok) - limit)]
    ratio = window / statistics.mean(periods) if periods else float("nan")
    ceiling_per_minute = limit * ss.MAX_BATCH * 60.0 / window
    return {
        "orders sent": len(report.sent),
        "requests": len(simulator.statuses),
        "429 answers": simulator.statuses.count(429),
        "seconds": elapsed,
        "orders/min (whole run, scaled to 60 s windows)": len(report.sent) / elapsed * 60 * scale,
        "ceiling orders/min": ceiling_per_minute * scale,
        "ratio to the ceiling, steady state": ratio,
        "worst period / window": max(periods) / window if periods else float("nan"),
        "rate-limit wait (s)": report.rate_limit_wait,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.1, help="time scale (1 = real)")
    parser.add_argument("--limit", type=int, default=40, help="requests per window")
    parser.add_argument("--windows", type=int, default=4, help="windows past the first burst")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = run(
            scale=args.scale,
            limit=args.limit,
            windows=args.windows,
            database=Path(folder) / "checkpoints.sqlite",
        )
    print(
        f"# Sync at latency: window {60 * args.scale:g} s, {args.limit} requests a window,"
        f" latency {args.scale:g} s, X-Rate-Limit-Reset to {args.scale:g} s,"
        " SQLite checkpoints on disk\n"
    )
    print("| measure | value |\n|---|---:|")
    for name, value in figures.items():
        print(f"| {name} | {value:,.3f} |")
    met = figures["ratio to the ceiling, steady state"] >= GOAL and figures["429 answers"] == 0
    print(f"\nGoal (>= {GOAL:.0%} of the ceiling, zero 429): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
