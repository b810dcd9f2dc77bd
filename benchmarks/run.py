"""Benchmarks: medians and ratios against baselines measured in the same run.

    python -m pip install -e '.[bench]' && python benchmarks/run.py [--repeat 5] [--quick]

Each benchmark makes its data deterministically (seeded), measures its baseline in the same
process right before or after, and reports the median of ``--repeat`` runs. Machine noise makes
single timings meaningless; ratios between neighbours are what to read.
"""

import argparse
import gc
import json
import platform
import random
import statistics
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pydantic_pipeline

from listingmirror_shipstation import _jsontext, mapping
from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.integration import ListingMirrorOrderSource
from listingmirror_shipstation.sync import MemoryCheckpointStore, OrderSync
from listingmirror_shipstation.testing.simulator import FakeClock, ShipStationSimulator
from listingmirror_shipstation.transports import MockTransport

T0 = datetime(2026, 11, 1, tzinfo=UTC)
WORDS = ["Mug", "Lamp", "Tee", "Pen", "Kettle", "Café", "Größe", "Ñandú", "Toolbox", "茶"]


def make_orders(count: int, seed: int = 42) -> list[dict[str, Any]]:
    """Realistic Listing Mirror orders as JSON-ready dicts (deterministic)."""
    rng = random.Random(seed)
    orders = []
    for n in range(count):
        items = []
        for i in range(rng.randint(1, 4)):
            quantity = rng.randint(1, 5)
            items.append(
                {
                    "line_item_id": f"{n}-{i}",
                    "sku": f"SKU-{rng.randint(1, 5000)}",
                    "title": f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
                    "quantity": quantity,
                    "price": f"{rng.randint(100, 99999) / 100 * quantity:.2f}",
                    "tax": f"{rng.randint(0, 900) / 100:.2f}",
                    "shipping_price": f"{rng.randint(0, 1500) / 100:.2f}",
                    "weight": f"{rng.randint(1, 400) / 10:.1f}",
                    "weight_unit": rng.choice(["oz", "lb", "g", "kg"]),
                    "image_url": f"https://img.example.com/{n}/{i}.jpg",
                    "options": [{"name": "Size", "value": rng.choice(["S", "M", "L"])}],
                    "stock_location": f"A-{rng.randint(1, 40):02d}",
                }
            )
        orders.append(
            {
                "order_id": 100_000 + n,
                "market_order_id": f"{rng.randint(100, 999)}-{rng.randint(10**6, 10**7)}",
                "alternate_market_order_id": f"ALT-{n}",
                "order_datetime": (T0 + timedelta(seconds=n * 7)).isoformat(),
                "last_modified": (T0 + timedelta(seconds=n * 7 + 30)).isoformat(),
                "order_status": rng.choice(["Paid", "Accepted", "Unpaid", "Ready To Ship"]),
                "integration_config_id": rng.randint(1, 20),
                "integration_name": rng.choice(["Amazon US", "eBay", "Walmart", "Shopify"]),
                "marketplace": rng.choice(["Amazon", "eBay", "Walmart", "Shopify"]),
                "buyer_name": f"{rng.choice(WORDS)} Buyer",
                "buyer_email": f"buyer{n}@example.com",
                "buyer_phone": "+1 206-555-0100",
                "ship_to": {
                    "name": f"{rng.choice(WORDS)} Buyer",
                    "street1": f"{rng.randint(1, 9999)} Main St",
                    "city": "Springfield",
                    "state": "IL",
                    "postal_code": "62701",
                    "country": "US",
                },
                "requested_shipping_method": "Standard",
                "payment_method": "Credit Card",
                "discounts": ([{"amount": "5.00", "code": "SAVE5"}] if rng.random() < 0.2 else []),
                "customer_notes": "Leave at door" if rng.random() < 0.3 else None,
                "order_items": items,
            }
        )
    return orders


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    """Median wall time of *repeat* calls (garbage collected before each)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_conversion(count: int, repeat: int) -> list[tuple[str, float]]:
    """LM JSON text -> ShipStation createorders JSON text."""
    text = json.dumps(make_orders(count))

    def ours() -> str:
        parsed = lm.read_orders(_jsontext.loads(text))
        result = mapping.convert_orders(parsed.orders)
        return ss.dumps(list(result.orders))

    def floor() -> str:
        return json.dumps(json.loads(text))

    def pydantic() -> str:
        return pydantic_pipeline.convert(text)

    assert len(json.loads(ours())) == count  # noqa: S101 - the benchmark checks its own work
    assert len(json.loads(pydantic())) == count  # noqa: S101
    return [
        ("floor: json.loads + json.dumps", median_seconds(floor, repeat)),
        ("listingmirror_shipstation (attrs + cattrs)", median_seconds(ours, repeat)),
        ("same pipeline with pydantic v2", median_seconds(pydantic, repeat)),
    ]


def customstore_orders(count: int) -> list[cs.Order]:
    parsed = lm.read_orders(make_orders(count, seed=7))
    return list(mapping.convert_customstore_orders(parsed.orders).orders)


def bench_export(count: int, repeat: int) -> list[tuple[str, float]]:
    """Render the Custom Store export."""
    orders = customstore_orders(count)
    prepared = [
        {
            "OrderID": o.order_id,
            "OrderNumber": o.order_number,
            "OrderDate": f"{o.order_date:%m/%d/%Y %H:%M}",
            "OrderStatus": o.order_status,
            "LastModified": f"{o.last_modified:%m/%d/%Y %H:%M}",
            "OrderTotal": f"{o.order_total:.2f}",
            "ShippingAmount": f"{o.shipping_amount or 0:.2f}",
            "CustomField1": o.custom_field1 or "",
            "CustomerCode": o.customer.customer_code or "",
            "ShipTo": o.customer.ship_to,
            "Items": [
                {
                    "SKU": i.sku or "",
                    "Name": i.name or "",
                    "Quantity": str(i.quantity),
                    "UnitPrice": f"{i.unit_price:.2f}",
                }
                for i in o.items
            ],
        }
        for o in orders
    ]

    def baseline() -> bytes:
        root = ET.Element("Orders", pages="1")
        for order in prepared:
            element = ET.SubElement(root, "Order")
            for tag in (
                "OrderID",
                "OrderNumber",
                "OrderDate",
                "OrderStatus",
                "LastModified",
                "OrderTotal",
                "ShippingAmount",
                "CustomField1",
            ):
                ET.SubElement(element, tag).text = order[tag]
            customer = ET.SubElement(element, "Customer")
            ET.SubElement(customer, "CustomerCode").text = order["CustomerCode"]
            ship = ET.SubElement(customer, "ShipTo")
            address = order["ShipTo"]
            for tag, value in (
                ("Name", address.name),
                ("Address1", address.address1),
                ("City", address.city),
                ("State", address.state),
                ("PostalCode", address.postal_code),
                ("Country", address.country),
            ):
                ET.SubElement(ship, tag).text = value or ""
            items = ET.SubElement(element, "Items")
            for item in order["Items"]:
                node = ET.SubElement(items, "Item")
                for tag, value in item.items():
                    ET.SubElement(node, tag).text = value
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)

    def ours() -> bytes:
        return cs.render_orders(orders, pages=1)

    return [
        ("baseline: ElementTree from prepared dicts", median_seconds(baseline, repeat)),
        ("render_orders (validated, CDATA, limits)", median_seconds(ours, repeat)),
    ]


def bench_ship_notices(count: int, repeat: int) -> list[tuple[str, float]]:
    """Parse ShipNotice bodies."""
    template = (
        Path(__file__).resolve().parent.parent
        / "tests"
        / "golden"
        / "customstore"
        / "shipnotice-current-style.xml"
    ).read_text(encoding="utf-8")
    bodies = [template.replace("TV-1001", f"TV-{n}").encode() for n in range(count)]

    def baseline() -> None:
        for body in bodies:
            ET.fromstring(body)  # noqa: S314 - the untyped, unhardened baseline on purpose

    def ours() -> None:
        for body in bodies:
            cs.parse_ship_notice(body)

    return [
        ("baseline: bare ElementTree.fromstring", median_seconds(baseline, repeat)),
        ("parse_ship_notice (hardened, typed)", median_seconds(ours, repeat)),
    ]


def bench_memory() -> list[tuple[str, float]]:
    """Peak memory of streaming an export of 1,000 vs 100,000 orders."""
    template = customstore_orders(1)[0]

    def lazily(count: int) -> Iterator[cs.Order]:
        for n in range(count):
            yield attrs.evolve(template, order_number=f"N-{n}")

    def peak(count: int) -> float:
        gc.collect()
        tracemalloc.start()
        size = sum(len(chunk) for chunk in cs.iter_render_orders(lazily(count), pages=1))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert size > count * 100  # noqa: S101
        return top / 1_000_000

    small, large = peak(1_000), peak(100_000)
    return [
        ("peak MB, 1,000 orders", small),
        ("peak MB, 100,000 orders", large),
        ("growth MB", large - small),
    ]


def bench_sync(count: int) -> list[tuple[str, float]]:
    """Orders per minute through the simulator's 40/minute limit, as a share of 40 x 100."""
    parsed = lm.read_orders(make_orders(count, seed=3))
    orders = list(parsed.orders)

    class Source(ListingMirrorOrderSource):
        def orders_modified(self, start: datetime, end: datetime) -> list[lm.Order]:
            return orders

    clock = FakeClock()
    simulator = ShipStationSimulator(clock=clock)
    client = ss.ShipStationClient(
        "key", "secret", transport=MockTransport(simulator), clock=clock, sleep=clock.sleep
    )
    sync = OrderSync(Source(), client, MemoryCheckpointStore(), now=lambda: T0 + timedelta(days=9))
    report = sync.run()
    minutes = max(clock.now / 60, 1e-9)  # all in the first window: no time passed
    sent = len(report.sent)
    requests = len(simulator.statuses)
    # The first window lets 40 calls through at once; after it the limit paces every call.
    steady_orders = sent - simulator.limit * ss.MAX_BATCH
    return [
        ("orders sent", sent),
        ("requests", requests),
        ("429 answers", simulator.statuses.count(429)),
        ("simulated minutes", minutes),
        ("efficiency, whole run (%)", 100 * sent / minutes / 4000 if minutes else float("inf")),
        ("efficiency, after the first burst (%)", 100 * steady_orders / minutes / 4000),
    ]


def table(title: str, rows: list[tuple[str, float]], *, ratio: bool = True) -> str:
    lines = [f"\n## {title}\n", "| measure | value | ratio to first |", "|---|---:|---:|"]
    first = rows[0][1] or 1.0
    for name, value in rows:
        shown = f"{value * 1000:.0f} ms" if ratio else f"{value:,.2f}"
        lines.append(
            f"| {name} | {shown} | {value / first:.2f}x |" if ratio else f"| {name} | {shown} | |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller data, one repeat")
    args = parser.parse_args()
    size = 1_000 if args.quick else 10_000
    repeat = 1 if args.quick else args.repeat
    print(
        f"# Benchmarks\n\nPython {platform.python_version()} on {platform.machine()}, "
        f"{platform.processor() or 'unknown CPU'}; {size:,} orders; median of {repeat}."
    )
    conversion = bench_conversion(size, repeat)
    print(table(f"Conversion: {size:,} Listing Mirror orders -> createorders JSON", conversion))
    floor, ours, pydantic = (seconds for _, seconds in conversion)
    print(goal("at most 2.5x the floor, faster than pydantic", ours <= 2.5 * floor < pydantic))
    export = bench_export(size, repeat)
    print(table(f"Custom Store export: {size:,} orders", export))
    print(goal("at most 1.5x the baseline", export[1][1] <= 1.5 * export[0][1]))
    notices = bench_ship_notices(size, repeat)
    print(table(f"ShipNotice parsing: {size:,} notices", notices))
    print(goal("at most 3x the baseline", notices[1][1] <= 3 * notices[0][1]))
    memory = bench_memory()
    print(table("Memory of a streamed export", memory, ratio=False))
    print(goal("growth under 10 MB", memory[2][1] < 10))
    sync = dict(bench_sync(12_000 if args.quick else 40_000))
    print(table("Rate-limited sync through the simulator", list(sync.items()), ratio=False))
    steady = sync["efficiency, after the first burst (%)"]
    print(goal("at least 97% with zero 429s", steady >= 97 and sync["429 answers"] == 0))
    print("\nA missed goal is explained, with its profile, in docs/performance.md.")


def goal(text: str, met: bool) -> str:
    """One line saying whether a goal was met."""
    return f"\nGoal: {text} -- {'met' if met else 'MISSED'}"


if __name__ == "__main__":
    main()
