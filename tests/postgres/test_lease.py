"""One sync per merchant at a time: the lease, in PostgreSQL and in a file, and in the CLI."""

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from listingmirror_shipstation.postgres import PostgresLease
from listingmirror_shipstation.stores import (
    DatabaseUnavailableError,
    FileLease,
    LeaseHeldError,
    MerchantLease,
    open_stores,
)

HOLD = """
import sys, time
from listingmirror_shipstation.stores import open_stores
stores = open_stores(sys.argv[1], merchant="acme")
lease = stores.lease()
lease.acquire()
print("held", flush=True)
time.sleep(120)
"""


def make_lease(kind: str, where: str, merchant: str = "acme", wait: float = 0.0) -> MerchantLease:
    if kind == "postgres":
        return PostgresLease(where, merchant, wait=wait)
    return FileLease(f"{where}.{merchant}.lease", merchant, wait=wait)


@pytest.fixture(params=["postgres", "file"])
def lease_kind(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(kind, where): a PostgreSQL URL or the stem of a lock file."""
    if request.param == "postgres":
        yield "postgres", request.getfixturevalue("pg_url")
    else:
        yield "file", str(tmp_path / "state.sqlite3")


class TestTwoHolders:
    def test_the_second_holder_is_refused_until_the_first_lets_go(
        self, lease_kind: tuple[str, str]
    ) -> None:
        """A second lease for the same merchant fails at once; another merchant's is free."""
        kind, where = lease_kind
        first = make_lease(kind, where)
        with first:
            with pytest.raises(LeaseHeldError, match="another sync for merchant 'acme'"):
                make_lease(kind, where).acquire()
            with make_lease(kind, where, merchant="other"):
                pass
        with make_lease(kind, where):
            pass

    def test_a_waiting_holder_gets_it_when_the_first_lets_go(
        self, lease_kind: tuple[str, str]
    ) -> None:
        """wait=N: the second holder queues and takes the lease when it is released."""
        kind, where = lease_kind
        first = make_lease(kind, where)
        first.acquire()
        released = threading.Event()

        def let_go() -> None:
            time.sleep(0.5)
            released.set()
            first.release()

        threading.Thread(target=let_go, daemon=True).start()
        second = make_lease(kind, where, wait=30)
        second.acquire()
        try:
            assert released.is_set()
        finally:
            second.release()

    def test_waiting_is_bounded(self, lease_kind: tuple[str, str]) -> None:
        """wait=N with the lease never released: LeaseHeldError after waiting, not a hang."""
        kind, where = lease_kind
        with (
            make_lease(kind, where),
            pytest.raises(LeaseHeldError, match="after waiting") as caught,
        ):
            make_lease(kind, where, wait=0.3).acquire()
        assert caught.value.waited > 0


@pytest.mark.timeout(120)
@pytest.mark.parametrize("url_kind", ["postgres", "sqlite"])
def test_a_killed_holder_frees_the_lease(url_kind: str, request: pytest.FixtureRequest) -> None:
    """SIGKILL the process holding the lease: the next sync may run (no stale lease)."""
    if url_kind == "postgres":
        url = request.getfixturevalue("pg_url")
    else:
        url = str(request.getfixturevalue("tmp_path") / "state.sqlite3")
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", HOLD, url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        stores = open_stores(url, merchant="acme")
        try:
            with pytest.raises(LeaseHeldError):
                stores.lease().acquire()
            os.kill(holder.pid, signal.SIGKILL)
            holder.wait(timeout=30)
            with stores.lease(wait=30):
                pass
        finally:
            stores.close()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()


def test_a_holder_whose_connection_is_ended_loses_the_lease(pg_url: str) -> None:
    """The server ending the holder's session (network loss, admin) frees the lease."""
    import psycopg

    first = PostgresLease(pg_url, "acme")
    first.acquire()
    try:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'lmss lease acme'"
            )
        with PostgresLease(pg_url, "acme", wait=30):
            pass
    finally:
        first.release()


def test_lease_errors_pickle_and_name_no_password() -> None:
    """Errors cross process boundaries; an unreachable database's password is not shown."""
    error = pickle.loads(pickle.dumps(LeaseHeldError("acme", 1.5)))  # noqa: S301 - our own bytes
    assert (error.merchant, error.waited) == ("acme", 1.5)
    with pytest.raises(DatabaseUnavailableError) as caught:
        PostgresLease("postgresql://u:hunter2@127.0.0.1:1/x?connect_timeout=2", "acme").acquire()
    assert "hunter2" not in str(caught.value)
    assert "***" in str(caught.value)


def run_sync(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHIPSTATION_API_KEY": "key", "SHIPSTATION_API_SECRET": "secret"}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "listingmirror_shipstation", "sync", "shipments", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


@pytest.mark.timeout(120)
def test_cli_sync_exits_2_while_the_merchant_is_syncing(pg_url: str) -> None:
    """`sync --database postgresql://… --merchant acme` says another sync runs, exits 2."""
    with PostgresLease(pg_url, "acme"):
        done = run_sync("--database", pg_url, "--merchant", "acme", "--wait", "0.2")
    assert done.returncode == 2, done.stderr
    assert "another sync for merchant 'acme' is running" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_sync_names_an_unreachable_database_without_its_password() -> None:
    """A database that cannot be reached: exit 2 and a one-line error, password redacted."""
    done = run_sync("--database", "postgresql://u:hunter2@127.0.0.1:1/x?connect_timeout=2")
    assert done.returncode == 2, done.stderr
    assert "cannot connect to postgresql://u:***@127.0.0.1:1/x" in done.stderr
    assert "hunter2" not in done.stderr and "Traceback" not in done.stderr


def test_acquiring_twice_keeps_one_hold(lease_kind: tuple[str, str]) -> None:
    """acquire() on a lease this object holds is a no-op, not a self-deadlock or a leak."""
    kind, where = lease_kind
    lease = make_lease(kind, where)
    with lease:
        lease.acquire()
        with pytest.raises(LeaseHeldError):
            make_lease(kind, where).acquire()
    with make_lease(kind, where):
        pass
