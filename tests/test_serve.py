"""The ``serve`` command over real sockets: on waitress, and on the hardened wsgiref fallback.

Each test was an attack or a mistake that worked before: a malformed request line logged with
``SS-Password`` and answered with nothing (a traceback), 200 half-sent requests holding 201
threads, a chunked POST hanging, ``Expect: 100-continue`` ignored, no timestamps in the log.
"""

import contextlib
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from listingmirror_shipstation import _serve, cli
from listingmirror_shipstation.cli import EXAMPLE_ORDERS

PASSWORD = "SECRET-PW-4711"
KINDS = ["waitress", "wsgiref"]
QUERY = f"action=shipnotify&SS-UserName=shipstation&SS-Password={PASSWORD}&order_number=1"
NOTICE = b"<ShipNotice><OrderNumber>1</OrderNumber></ShipNotice>"


class Served:
    """A ``serve`` process: its port, and its standard error collected as it comes."""

    def __init__(
        self, kind: str, tmp_path: Path, *extra: str, orders: Path = EXAMPLE_ORDERS
    ) -> None:
        env = {**os.environ, cli.PASSWORD_VARIABLE: PASSWORD}
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "listingmirror_shipstation",
                "serve",
                "--orders",
                str(orders),
                "--db",
                str(tmp_path / "updates.sqlite3"),
                "--port",
                "0",
                "--server",
                kind,
                *extra,
            ],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        started = threading.Event()
        self.port = 0

        def collect() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.lines.append(line)
                found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
                if found and not self.port:
                    self.port = int(found.group(1))
                    started.set()
            started.set()

        self.reader = threading.Thread(target=collect, daemon=True)
        self.reader.start()
        assert started.wait(60), "the server did not start"
        assert self.port, "".join(self.lines)

    def log(self) -> str:
        """Everything written to standard error so far."""
        return "".join(self.lines)

    def stop(self) -> str:
        """Stop the server; return its whole standard error."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)
        self.reader.join(timeout=20)
        if self.process.stderr is not None:
            self.process.stderr.close()
        return self.log()

    def threads(self) -> int:
        """The server process's thread count (Linux)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        found = re.search(r"^Threads:\s+(\d+)", status, re.MULTILINE)
        assert found is not None
        return int(found.group(1))


@pytest.fixture(params=KINDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """A ``serve`` process of its own (for tests that read its whole log)."""
    server = Served(request.param, tmp_path, "--threads", "2", "--timeout", "3")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", params=KINDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One ``serve`` process per server kind, shared by the tests that only talk to it."""
    server = Served(
        request.param, tmp_path_factory.mktemp("serve"), "--threads", "2", "--timeout", "3"
    )
    try:
        yield server
    finally:
        server.stop()


def exchange(port: int, raw: bytes, *, half_close: bool = False) -> bytes:
    """Send *raw* bytes, read the whole answer (bounded by a 20 s socket timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(raw)
        if half_close:
            conn.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = conn.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and b"Connection: close" not in b"".join(chunks):
                head = b"".join(chunks)
                length = re.search(rb"Content-Length: (\d+)", head, re.IGNORECASE)
                body = head.split(b"\r\n\r\n", 1)[1]
                if length and len(body) >= int(length.group(1)):
                    break
        return b"".join(chunks)


@pytest.mark.timeout(120)
class TestServe:
    """Both servers answer every request, keep secrets out of the log, and stay bounded."""

    def test_the_query_string_is_never_logged_and_lines_have_timestamps(
        self, served: Served
    ) -> None:
        """A good poll and a malformed request line both carry SS-Password: neither is logged."""
        good = exchange(
            served.port,
            f"GET /?action=export&SS-UserName=shipstation&SS-Password={PASSWORD}"
            "&start_date=01/01/2020%2000:00&end_date=12/31/2030%2000:00 HTTP/1.1\r\n"
            "Host: x\r\nConnection: close\r\n\r\n".encode(),
        )
        assert good.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")), good[:80]
        bad = exchange(served.port, f"GET /?{QUERY} HTTP/1.1 junk\r\n\r\n".encode())
        assert b" 400 " in bad.split(b"\r\n", 1)[0], bad[:80]
        log = served.stop()
        assert PASSWORD not in log
        assert "Traceback" not in log
        access = [line for line in log.splitlines() if "GET / 200" in line]
        assert access, log
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", access[0]), access[0]

    def test_a_malformed_request_is_answered_without_traceback(self, served: Served) -> None:
        """Garbage, an unknown HTTP version, a TLS hello: each gets a 4xx/505 status line."""
        for raw in (
            b"GARBAGE\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\r\n\r\n",
        ):
            answer = exchange(served.port, raw)
            assert re.match(rb"HTTP/1\.[01] (4\d\d|505) ", answer), (raw, answer[:80])
        assert "Traceback" not in served.stop()

    def test_a_chunked_post_does_not_hang(self, shared: Served) -> None:
        """Waitress reads the chunks; the fallback answers 411 at once. Both answer."""
        raw = (
            (
                f"POST /?{QUERY} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                "Content-Type: application/xml\r\nConnection: close\r\n\r\n"
            ).encode()
            + f"{len(NOTICE):x}\r\n".encode()
            + NOTICE
            + b"\r\n0\r\n\r\n"
        )
        answer = exchange(shared.port, raw)
        assert re.match(rb"HTTP/1\.[01] (200|400|411) ", answer), answer[:80]

    def test_a_post_without_length_does_not_hang(self, shared: Served) -> None:
        """No Content-Length, connection kept open: an answer still comes, before any timeout."""
        raw = f"POST /?{QUERY} HTTP/1.1\r\nHost: x\r\n\r\n".encode() + NOTICE
        answer = exchange(shared.port, raw)
        assert re.match(rb"HTTP/1\.[01] \d{3} ", answer), answer[:80]

    def test_expect_100_continue_is_honoured(self, shared: Served) -> None:
        """The server says 100 Continue before the client sends the body."""
        head = (
            f"POST /?{QUERY} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            f"Content-Length: {len(NOTICE)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", shared.port), timeout=20) as conn:
            conn.sendall(head)
            interim = conn.recv(1024)
            assert interim.startswith(b"HTTP/1.1 100 Continue"), interim
            conn.sendall(NOTICE)
            final = b""
            while b"\r\n\r\n" not in final:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                final += chunk
        assert re.match(rb"(HTTP/1\.1 100 Continue\r\n\r\n)?HTTP/1\.[01] \d{3} ", final), final

    def test_half_sent_requests_hold_a_bounded_number_of_threads(self, shared: Served) -> None:
        """Forty connections that never finish their headers do not start forty threads."""
        before = shared.threads()
        held = []
        try:
            for _ in range(40):
                conn = socket.create_connection(("127.0.0.1", shared.port), timeout=20)
                conn.sendall(b"GET /?action=export HTTP/1.1\r\nHost: x\r\n")  # never finished
                held.append(conn)
            time.sleep(0.5)  # let the server accept what it will (not a timing assertion)
            assert shared.threads() <= before + 2
        finally:
            for conn in held:
                conn.close()
        # And the server still answers afterwards.
        answer = exchange(shared.port, b"GET /?action=export HTTP/1.1\r\nHost: x\r\n\r\n")
        assert re.match(rb"HTTP/1\.[01] 401 ", answer), answer[:80]

    def test_a_silent_connection_is_closed_by_the_timeout(self, shared: Served) -> None:
        """A client that sends half a request and waits is hung up on (--timeout 3)."""
        with socket.create_connection(("127.0.0.1", shared.port), timeout=60) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            rest = b""
            while True:
                chunk = conn.recv(1024)
                if not chunk:
                    break  # closed by the server (possibly after a 408/400)
                rest += chunk
        assert PASSWORD.encode() not in rest


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", KINDS)
def test_idle_connections_do_not_take_the_server_offline(kind: str, tmp_path: Path) -> None:
    """Twenty clients holding half a request each: a real poll is still answered at once.

    The standard-library fallback used to give each connection a worker thread while it read the
    head, so ``--threads`` idle sockets made every real request wait ``--timeout`` seconds.
    """
    server = Served(kind, tmp_path, "--threads", "2", "--timeout", "30")
    held = []
    try:
        for _ in range(20):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=20)
            conn.sendall(b"GET /?action=export HTTP/1.1\r\nHost: x\r\n")  # never finished
            held.append(conn)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
            conn.sendall(
                f"GET /?action=export&SS-UserName=shipstation&SS-Password={PASSWORD}"
                "&start_date=01/01/2020%2000:00&end_date=12/31/2030%2000:00 HTTP/1.1\r\n"
                "Host: x\r\nConnection: close\r\n\r\n".encode()
            )
            # The old fallback: no answer before --timeout (30 s), so this read times out.
            first = conn.recv(1024)
        assert first.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")), first[:80]
    finally:
        for conn in held:
            conn.close()
        log = server.stop()
    assert "Traceback" not in log


@pytest.mark.timeout(120)
def test_one_client_cannot_hold_more_than_16_unfinished_requests(tmp_path: Path) -> None:
    """A 17th half-sent request from one address closes that address's oldest one (503).

    The head deadline (10 s here) answers 408 instead, so the 503 shows the eviction.
    """
    server = Served("wsgiref", tmp_path, "--threads", "2", "--timeout", "60")
    held = []
    try:
        for _ in range(17):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            conn.sendall(b"GET /?action=export HTTP/1.1\r\nHost: x\r\n")  # never finished
            held.append(conn)
        answer = held[0].recv(1024)  # bounded by the socket timeout
        assert answer.startswith(b"HTTP/1.1 503 "), answer[:80]
        ready, _, _ = select.select(held[1:], [], [], 0)
        assert ready == []  # the other sixteen are still open and unanswered
    finally:
        for conn in held:
            conn.close()
        log = server.stop()
    assert "Traceback" not in log


@pytest.mark.timeout(120)
def test_a_trickled_head_is_cut_off_by_the_head_deadline(tmp_path: Path) -> None:
    """A head sent one byte at a time is closed after --timeout (3 s), not kept while it trickles.

    The old fallback reset its socket timeout on every byte, so a client could hold a
    connection (and a thread) for as long as it kept trickling.
    """
    server = Served("wsgiref", tmp_path, "--threads", "2", "--timeout", "3")
    closed = False
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as conn:
            for byte in b"GET /?action=export HTTP/1.1\r\n" + b"X-Slow: " + b"a" * 60:
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                ready, _, _ = select.select([conn], [], [], 0.25)  # 60+ bytes: 15 s or more
                if ready:  # the server answered (408) or hung up
                    closed = True
                    break
    finally:
        server.stop()
    assert closed


class TestServeCommand:
    """What ``serve`` says before it serves, and why it answered 500."""

    @pytest.mark.timeout(120)
    def test_the_reason_of_a_500_is_logged(self, tmp_path: Path) -> None:
        """The orders file broken after the start: each poll is a 500, and the log says why."""
        orders = tmp_path / "orders.json"
        orders.write_bytes(EXAMPLE_ORDERS.read_bytes())
        server = Served("wsgiref", tmp_path, "--threads", "2", orders=orders)
        try:
            orders.write_text("{ not json", encoding="utf-8")
            answer = exchange(
                server.port,
                f"GET /?action=export&SS-UserName=shipstation&SS-Password={PASSWORD}"
                "&start_date=01/01/2020%2000:00&end_date=12/31/2030%2000:00 HTTP/1.1\r\n"
                "Host: x\r\nConnection: close\r\n\r\n".encode(),
            )
        finally:
            log = server.stop()
        assert b" 500 " in answer.split(b"\r\n", 1)[0], answer[:80]
        assert "ERROR" in log
        assert "not valid JSON" in log
        assert PASSWORD not in log

    def test_waitress_missing_is_named(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """--server waitress without the extra: exit 2 naming ``[serve]``."""
        monkeypatch.setattr(_serve, "waitress_available", lambda: False)
        monkeypatch.setenv(cli.PASSWORD_VARIABLE, PASSWORD)
        status = cli.main(
            [
                "serve",
                "--orders",
                str(EXAMPLE_ORDERS),
                "--db",
                str(tmp_path / "x.sqlite3"),
                "--server",
                "waitress",
            ]
        )
        err = capsys.readouterr().err
        assert status == 2
        assert "listingmirror-shipstation[serve]" in err
        assert len(err.strip().splitlines()) == 1


def _auth_head(query: str, length: int, *extra: str) -> bytes:
    lines = [
        f"POST /?{query} HTTP/1.1",
        "Host: x",
        "Content-Type: application/xml",
        f"Content-Length: {length}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _status(answer: bytes) -> bytes:
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", KINDS)
def test_slow_request_bodies_do_not_take_the_server_offline(kind: str, tmp_path: Path) -> None:
    """Four POSTs that send 300 KB of a 900 KB body and stall: a real poll is still answered.

    The fallback used to hand a request to a worker after 256 KiB of its body, and the worker
    read the rest with only a per-read timeout: ``--threads`` such clients made every export
    wait (here the read below timed out at 10 s; the server's --timeout is 30 s).
    """
    server = Served(kind, tmp_path, "--threads", "2", "--timeout", "30")
    held = []
    try:
        for n in range(4):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=20)
            conn.sendall(
                _auth_head(f"{QUERY}&tracking_number=SLOW{n}", 900_000) + b"<" + b" " * 300_000
            )
            held.append(conn)
        time.sleep(0.5)  # let the server take them in (not a timing assertion)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
            conn.sendall(
                f"GET /?action=export&SS-UserName=shipstation&SS-Password={PASSWORD}"
                "&start_date=01/01/2020%2000:00&end_date=12/31/2030%2000:00 HTTP/1.1\r\n"
                "Host: x\r\nConnection: close\r\n\r\n".encode()
            )
            first = conn.recv(1024)  # the old fallback: socket.timeout after 10 s
        assert first.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")), first[:80]
    finally:
        for conn in held:
            conn.close()
        log = server.stop()
    assert "Traceback" not in log


@pytest.mark.timeout(120)
def test_a_body_trickled_past_the_timeout_is_cut_off(tmp_path: Path) -> None:
    """A whole head, then a body a byte at a time: closed after --timeout (3 s) in all.

    The fallback's worker reset its socket timeout on every byte, so a body could trickle in
    (holding the worker) for as long as the client liked.
    """
    server = Served("wsgiref", tmp_path, "--threads", "2", "--timeout", "3")
    closed = False
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as conn:
            conn.sendall(_auth_head(QUERY, 400_000) + b"<" + b" " * 300_000)
            for _ in range(80):  # 80 x 0.25 s: 20 s of trickling, far past 3 s
                try:
                    conn.sendall(b" ")
                except OSError:
                    closed = True
                    break
                ready, _, _ = select.select([conn], [], [], 0.25)
                if ready:  # the server answered (408) or hung up
                    closed = True
                    break
    finally:
        log = server.stop()
    assert closed
    assert "Traceback" not in log


@pytest.mark.timeout(120)
def test_a_body_over_the_limit_is_refused_before_it_is_read(shared: Served) -> None:
    """Content-Length over 1 MiB (the app's limit): 413 at once, no body sent."""
    with socket.create_connection(("127.0.0.1", shared.port), timeout=20) as conn:
        conn.sendall(_auth_head(QUERY, 2 * 1024 * 1024 + 1))
        answer = conn.recv(1024)
    assert b" 413 " in _status(answer), answer[:80]


def test_the_fallbacks_body_limit_is_the_apps() -> None:
    """The server's limit is the Custom Store app's default limit, so no valid notice is cut."""
    from listingmirror_shipstation.customstore import DEFAULT_MAX_BYTES

    assert _serve._MAX_BODY == DEFAULT_MAX_BYTES


@pytest.mark.timeout(120)
def test_two_content_lengths_are_refused(tmp_path: Path) -> None:
    """Two Content-Length headers: 400 from the fallback, never a worker reading the socket."""
    server = Served("wsgiref", tmp_path, "--threads", "2", "--timeout", "30")
    try:
        answer = exchange(
            server.port, _auth_head(QUERY, len(NOTICE), "Content-Length: 900000") + NOTICE
        )
    finally:
        server.stop()
    assert b" 400 " in _status(answer), answer[:80]


@pytest.mark.timeout(120)
def test_a_truncated_ship_notice_is_not_recorded(served: Served) -> None:
    """500000 bytes announced, 300012 sent, then a half-close: no 200, nothing recorded.

    The fallback handed the request to the app with a short body, which answered 200 and
    recorded the notice from the query, so ShipStation never sent the whole one again.
    Proof that nothing was recorded: the same notice sent whole afterwards is new (``ok``).
    """
    query = f"{QUERY}&carrier=USPS&service=Priority&tracking_number=TRUNC123"
    with socket.create_connection(("127.0.0.1", served.port), timeout=20) as conn:
        conn.sendall(_auth_head(query, 500_000) + b"<ShipNotice>" + b" " * 300_000)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := conn.recv(65536):
                answer += chunk
    assert not answer.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")), answer[:200]
    whole = exchange(
        served.port,
        _auth_head(query, 500_000, "Connection: close") + b"<ShipNotice>" + b" " * 499_988,
    )
    assert whole.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")), whole[:200]
    assert b"<Result>ok</Result>" in whole, whole[-200:]
