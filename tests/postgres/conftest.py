"""A real PostgreSQL server for the tests, started once per session by the tests themselves.

The server binaries come from the system's package manager (Debian/Ubuntu: ``apt-get install
postgresql`` puts them in ``/usr/lib/postgresql/<version>/bin``); ``LMSS_PG_BINDIR`` points
elsewhere. pytest-postgresql's executor runs ``pg_ctl``. PostgreSQL refuses to run as root, so
as root (CI runs as root) ``pg_ctl`` runs as the ``postgres`` system user through ``setpriv``,
in a private directory that user owns.

Without the binaries the tests are skipped with the reason, except in CI (``CI`` set), where
a missing server is a failure: a skipped PostgreSQL test must never pass for a green run.
"""

import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

#: Tables the stores create; emptied between tests (the schema stays, as in production).
TABLES = (
    "lmss_watermarks",
    "lmss_fingerprints",
    "lmss_delivered",
    "lmss_rejections",
    "lmss_shipment_updates",
    "lmss_export_snapshots",
    "lmss_export_snapshot_chunks",
)


def _version(path: Path) -> tuple[int, ...]:
    found = re.search(r"/(\d+(?:\.\d+)?)/bin/", str(path))
    return tuple(int(p) for p in found.group(1).split(".")) if found else (0,)


def find_pg_ctl() -> Path | None:
    """The newest ``pg_ctl`` that sits beside a ``postgres`` server binary, or ``None``.

    Looks only in ``$LMSS_PG_BINDIR`` when it is set; otherwise in Debian/Ubuntu's
    ``/usr/lib/postgresql/*/bin``, then ``pg_config --bindir``, then ``PATH``.
    """
    candidates: list[Path] = []
    if os.environ.get("LMSS_PG_BINDIR"):  # only there: also how to check the "missing" path
        candidates.append(Path(os.environ["LMSS_PG_BINDIR"]) / "pg_ctl")
        return candidates[0] if _runnable(candidates[0]) else None
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=_version)[::-1]
    if shutil.which("pg_config"):
        bindir = subprocess.run(
            ["pg_config", "--bindir"],  # noqa: S607 - found on PATH just above
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout.strip()
        if bindir:
            candidates.append(Path(bindir) / "pg_ctl")
    if shutil.which("pg_ctl"):
        candidates.append(Path(str(shutil.which("pg_ctl"))))
    return next((c for c in candidates if _runnable(c)), None)


def _runnable(pg_ctl: Path) -> bool:
    return os.access(pg_ctl, os.X_OK) and os.access(pg_ctl.parent / "postgres", os.X_OK)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"{reason} (outside CI only; install the PostgreSQL server to run them)")


def _as_server_user(pg_ctl: Path, workdir: Path) -> Path:
    """As root: a ``pg_ctl`` that runs as the ``postgres`` user, who owns *workdir*."""
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        _unavailable("running as root and there is no 'postgres' user to run the server as")
        raise  # unreachable: _unavailable always raises
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        _unavailable("running as root and setpriv (util-linux) is missing")
    os.chown(workdir, user.pw_uid, user.pw_gid)
    wrapper = workdir.parent / f"{workdir.name}-pg_ctl"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"exec {setpriv} --reuid={user.pw_uid} --regid={user.pw_gid} --init-groups"
        f' -- "{pg_ctl}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(stat.S_IRWXU)
    return wrapper


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Start PostgreSQL on 127.0.0.1 once per session; yield the URL of an empty database."""
    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        _unavailable("no PostgreSQL server binaries found (pg_ctl beside postgres)")
        raise AssertionError  # unreachable
    workdir = Path(tempfile.mkdtemp(prefix="lmss-pg-"))
    executable = _as_server_user(pg_ctl, workdir) if os.geteuid() == 0 else pg_ctl
    port = _free_port()
    executor = PostgreSQLExecutor(
        executable=str(executable),
        host="127.0.0.1",
        port=port,
        datadir=str(workdir / "data"),
        unixsocketdir=str(workdir),
        logfile=str(workdir / "server.log"),
        startparams="-w -t 60",
        dbname="lmss_test",
        user="postgres",
        # A small server: the machine is shared. fsync off: a test database need not survive
        # a power cut, and it makes commits cheap.
        postgres_options="-c fsync=off -c max_connections=60 -c shared_buffers=16MB",
        timeout=120,
    )
    try:
        executor.start()
        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as connection:
            connection.execute("CREATE DATABASE lmss_test")
        yield f"postgresql://postgres@127.0.0.1:{port}/lmss_test"
    finally:
        try:
            executor.stop()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(f"{workdir}-pg_ctl", ignore_errors=True)
            Path(f"{workdir}-pg_ctl").unlink(missing_ok=True)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """The session's database, its ``lmss_*`` tables emptied before each test."""
    with psycopg.connect(pg_server, autocommit=True, connect_timeout=10) as connection:
        existing = {
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        }
        present = [t for t in TABLES if t in existing]
        if present:
            connection.execute(f"TRUNCATE {', '.join(present)}")
    return pg_server


@pytest.fixture
def closing() -> Iterator[Callable[[object], object]]:
    """A function that registers a store to close at teardown and returns it."""
    opened: list[object] = []

    def register(store: object) -> object:
        opened.append(store)
        return store

    yield register
    for store in reversed(opened):
        close = getattr(store, "close", None)
        if callable(close):
            close()
