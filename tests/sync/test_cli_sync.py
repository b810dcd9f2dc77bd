"""`python -m listingmirror_shipstation sync …` end to end, against servers on 127.0.0.1."""

import json
import os
import subprocess
import sys
import threading
import wsgiref.simple_server
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any

import pytest

from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.cli import EXAMPLE_ORDERS
from listingmirror_shipstation.integration import SQLiteShipmentSink
from listingmirror_shipstation.testing.simulator import ShipStationSimulator
from listingmirror_shipstation.transports import Request


class _Server(ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


class _Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def servers() -> Iterator[tuple[str, ShipStationSimulator]]:
    """One loopback server: /ss/... is the simulator, /lm/orders/ the bundled example."""
    simulator = ShipStationSimulator(limit=10_000)
    orders = json.loads(EXAMPLE_ORDERS.read_text(encoding="utf-8"))

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path.startswith("/lm/"):
            body = json.dumps(orders).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        query = environ.get("QUERY_STRING", "")
        request = Request(
            method=environ["REQUEST_METHOD"],
            url=f"http://sim{path.removeprefix('/ss')}" + (f"?{query}" if query else ""),
            body=environ["wsgi.input"].read(length) if length else None,
        )
        response = simulator(request)
        start_response(f"{response.status} X", list(response.headers.items()))
        return [response.body]

    server = wsgiref.simple_server.make_server("127.0.0.1", 0, app, _Server, _Quiet)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", simulator
    server.shutdown()
    server.server_close()


def sync(base: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SHIPSTATION_API_KEY": "key",
        "SHIPSTATION_API_SECRET": "secret",
        "LISTINGMIRROR_TOKEN": "dG9rZW4=",
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "listingmirror_shipstation",
            "sync",
            *args,
            "--checkpoints",
            str(tmp_path / "c.sqlite3"),
            "--db",
            str(tmp_path / "u.sqlite3"),
            "--since",
            "2026-11-01",
            "--shipstation-url",
            f"{base}/ss",
            "--listingmirror-url",
            f"{base}/lm/",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


@pytest.mark.timeout(180)
def test_sync_orders_then_shipments(
    servers: tuple[str, ShipStationSimulator], tmp_path: Path
) -> None:
    """Orders go out once (dry run first), shipments come back once; summaries on stderr."""
    base, simulator = servers
    dry = sync(base, tmp_path, "orders", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert len(json.loads(dry.stdout)) == 5
    assert simulator.orders == {}
    assert not (tmp_path / "c.sqlite3").exists()  # a dry run writes no file
    done = sync(base, tmp_path, "orders")
    assert done.returncode == 0, done.stderr
    assert "sent 5, unchanged 0, rejected 3, failed 0" in done.stderr
    assert len(simulator.orders) == 5
    simulator.add_shipment(
        ss.Shipment(
            shipment_id=77,
            order_key="lm-700101",
            order_number="113-4829301-5521877",
            create_date=datetime.now(UTC),
            tracking_number="1Z77",
            carrier_code="ups",
            shipment_cost=Decimal("5.00"),
        )
    )
    back = sync(base, tmp_path, "shipments")
    assert back.returncode == 0, back.stderr
    assert "delivered 1, already delivered 0, failed 0" in back.stderr
    again = sync(base, tmp_path, "shipments")
    assert "delivered 0" in again.stderr
    (update,) = SQLiteShipmentSink(tmp_path / "u.sqlite3").updates()
    assert (update.order_id, update.tracking_number) == (700101, "1Z77")


def test_sync_needs_credentials(tmp_path: Path) -> None:
    """Without the environment variables: exit 2, naming them."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SHIPSTATION_", "LISTINGMIRROR_"))
    }
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "listingmirror_shipstation",
            "sync",
            "orders",
            "--checkpoints",
            str(tmp_path / "c.sqlite3"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "SHIPSTATION_API_KEY" in done.stderr
