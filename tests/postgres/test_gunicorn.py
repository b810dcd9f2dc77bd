"""The endpoint under gunicorn, three workers on one PostgreSQL database, hit concurrently.

A ShipStation-like client posts the same and different ship notices from several threads,
several times each, retrying what failed (as ShipStation does). Mid-run one worker is killed
(gunicorn starts another) and new notices appear. Afterwards every notice is in the table
exactly once, and at most one post of each was told "ok".
"""

import base64
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import urllib3

from listingmirror_shipstation.cli import EXAMPLE_ORDERS

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "customstore"
PASSWORD = "s3cret"
WORKERS = 3


class Gunicorn:
    """A gunicorn master started by the test; its log lines are read on a thread."""

    def __init__(self, env: dict[str, str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(WORKERS),
                "--bind",
                "127.0.0.1:0",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--no-control-socket",  # no socket in $HOME shared with other gunicorns
                "--access-logfile",
                "-",
                "--access-logformat",
                "access pid=%(p)s status=%(s)s",
                "listingmirror_shipstation.wsgi:create_app()",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 60) -> list[re.Match[str]]:
        """Wait (bounded) until *count* log lines match *pattern*; return the matches."""
        deadline = time.monotonic() + timeout
        found = [m for line in self.log if (m := re.search(pattern, line))]
        while len(found) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise AssertionError(f"gunicorn never logged {pattern!r}:\n{''.join(self.log)}")
            try:
                line = self.lines.get(timeout=min(remaining, 1))
            except queue.Empty:
                continue
            self.log.append(line)
            if match := re.search(pattern, line):
                found.append(match)
        return found

    def drain(self) -> list[str]:
        while True:
            try:
                self.log.append(self.lines.get_nowait())
            except queue.Empty:
                return self.log

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def gunicorn(pg_url: str) -> Iterator[Gunicorn]:
    env = {
        **os.environ,
        "LMSS_CUSTOMSTORE_PASSWORD": PASSWORD,
        "LMSS_ORDERS": str(EXAMPLE_ORDERS),
        "LMSS_DATABASE": pg_url,
        "LMSS_MERCHANT": "acme",
    }
    server = Gunicorn(env)
    try:
        yield server
    finally:
        server.stop()


def notice(number: int) -> bytes:
    """The golden ship notice, as order *number* with its own tracking number."""
    text = (GOLDEN / "shipnotice-current-style.xml").read_text(encoding="utf-8")
    text = text.replace("<OrderID>900001</OrderID>", f"<OrderID>{900000 + number}</OrderID>")
    text = text.replace("9400100000000000000001", f"94001{number:017d}")
    return text.encode()


def post_until_answered(http: urllib3.PoolManager, base: str, number: int, deadline: float) -> str:
    """Post one notice like ShipStation: again after a dropped connection or a 5xx."""
    token = base64.b64encode(f"shipstation:{PASSWORD}".encode()).decode()
    while time.monotonic() < deadline:
        try:
            response = http.request(
                "POST",
                f"{base}/?action=shipnotify&order_number=TV-{number}",
                body=notice(number),
                headers={"Authorization": f"Basic {token}", "Content-Type": "application/xml"},
            )
        except urllib3.exceptions.HTTPError:
            time.sleep(0.05)
            continue
        if response.status >= 500:
            time.sleep(0.05)
            continue
        assert response.status == 200, response.data
        result = re.search(rb"<Result>(\w+)</Result>", response.data)
        assert result is not None, response.data
        return result.group(1).decode()
    raise AssertionError(f"notice {number} never answered")


@pytest.mark.timeout(240)
def test_workers_share_the_database_nothing_lost_nothing_duplicated(
    gunicorn: Gunicorn, pg_url: str
) -> None:
    """Six clients, 3 workers, a worker killed mid-run: every notice stored exactly once."""
    (listening,) = gunicorn.wait_for(r"Listening at: http://(127\.0\.0\.1:\d+)")
    base = f"http://{listening.group(1)}"
    booted = gunicorn.wait_for(r"Booting worker with pid: (\d+)", count=WORKERS)
    first_pids = [int(m.group(1)) for m in booted]
    early, late = range(1, 16), range(16, 26)  # the late ones appear after the crash
    answers: Counter[tuple[int, str]] = Counter()
    lock = threading.Lock()
    killed = threading.Event()
    deadline = time.monotonic() + 180
    errors: list[BaseException] = []

    def client(seed: int) -> None:
        order = random.Random(seed)  # noqa: S311 - shuffling test traffic
        try:
            with urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(10)) as http:
                for rounds in range(3):
                    numbers = list(early) + (list(late) if killed.is_set() else [])
                    order.shuffle(numbers)
                    for number in numbers:
                        result = post_until_answered(http, base, number, deadline)
                        with lock:
                            answers[(number, result)] += 1
                    if rounds == 0:
                        killed.wait(timeout=60)
        except BaseException as exc:  # reported on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    os.kill(first_pids[0], signal.SIGKILL)  # a worker dies mid-run; gunicorn replaces it
    killed.set()
    for thread in threads:
        thread.join(timeout=200)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    with psycopg.connect(pg_url, autocommit=True) as db:
        stored = db.execute(
            "SELECT order_id, kind, count(*) FROM lmss_shipment_updates"
            " WHERE merchant = 'acme' GROUP BY order_id, kind ORDER BY order_id"
        ).fetchall()
    assert stored == [(900000 + n, "shipment", 1) for n in (*early, *late)]
    for number in (*early, *late):
        assert answers[(number, "ok")] <= 1, number
        assert answers[(number, "ok")] + answers[(number, "duplicate")] >= 6, number
    # Every late notice was posted after the kill, so at least one of them got its "ok".
    assert sum(answers[(n, "ok")] for n in late) >= 1
    gunicorn.wait_for(r"Booting worker with pid", count=WORKERS + 1)  # the replacement
    log = "".join(gunicorn.drain())
    served_by = set(re.findall(r"access pid=<?(\d+)>? status=200", log))
    assert len(served_by) >= 2, log  # the work really was spread over several workers


@pytest.mark.timeout(60)
def test_serve_command_stores_in_postgres(pg_url: str) -> None:
    """`serve --database postgresql://… --merchant acme` keeps ship notices in the database."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "listingmirror_shipstation",
            "serve",
            "--orders",
            str(EXAMPLE_ORDERS),
            "--database",
            pg_url,
            "--merchant",
            "acme",
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        env={**os.environ, "LMSS_CUSTOMSTORE_PASSWORD": PASSWORD},
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "serving the Custom Store endpoint on http://127.0.0.1:" in line, line
        base = line.split("on ", 1)[1].split(" ", 1)[0].rstrip("/")
        with urllib3.PoolManager(retries=False, timeout=10) as http:
            deadline = time.monotonic() + 30
            assert post_until_answered(http, base, 7, deadline) == "ok"
            assert post_until_answered(http, base, 7, deadline) == "duplicate"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
    with psycopg.connect(pg_url, autocommit=True) as db:
        assert db.execute("SELECT merchant, order_id FROM lmss_shipment_updates").fetchall() == [
            ("acme", 900007)
        ]


def test_create_app_names_what_is_missing() -> None:
    """Without the password or the orders file the factory says which variable to set."""
    from listingmirror_shipstation.errors import ConfigurationError
    from listingmirror_shipstation.wsgi import create_app

    with pytest.raises(ConfigurationError, match="LMSS_CUSTOMSTORE_PASSWORD and LMSS_ORDERS"):
        create_app({})


def test_create_app_on_sqlite(tmp_path: Path) -> None:
    """A path in LMSS_DATABASE gives the SQLite sink (one machine, the default)."""
    from listingmirror_shipstation.customstore import SQLiteSnapshotStore
    from listingmirror_shipstation.integration import SQLiteShipmentSink
    from listingmirror_shipstation.wsgi import create_app

    app = create_app(
        {
            "LMSS_CUSTOMSTORE_PASSWORD": PASSWORD,
            "LMSS_ORDERS": str(EXAMPLE_ORDERS),
            "LMSS_DATABASE": str(tmp_path / "updates.sqlite3"),
        }
    )
    assert isinstance(app.receiver.sink, SQLiteShipmentSink)  # type: ignore[attr-defined]
    assert app.receiver.sink.path == tmp_path / "updates.sqlite3"  # type: ignore[attr-defined]
    assert isinstance(app.snapshots, SQLiteSnapshotStore)
    assert app.snapshots.path == tmp_path / "updates.sqlite3"


def test_create_app_on_postgres_shares_export_snapshots(pg_url: str) -> None:
    """With a PostgreSQL URL every worker pages exports from the database's snapshots.

    An in-memory snapshot store per worker would let two workers serve one pass from two lists.
    """
    from listingmirror_shipstation.postgres import PostgresShipmentSink, PostgresSnapshotStore
    from listingmirror_shipstation.wsgi import create_app

    app = create_app(
        {
            "LMSS_CUSTOMSTORE_PASSWORD": PASSWORD,
            "LMSS_ORDERS": str(EXAMPLE_ORDERS),
            "LMSS_DATABASE": pg_url,
            "LMSS_MERCHANT": "acme",
        }
    )
    try:
        assert isinstance(app.receiver.sink, PostgresShipmentSink)  # type: ignore[attr-defined]
        assert isinstance(app.snapshots, PostgresSnapshotStore)
        assert app.snapshots.merchant == "acme"
    finally:
        app.receiver.sink.close()  # type: ignore[attr-defined]
        app.snapshots.close()
