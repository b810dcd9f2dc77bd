"""Serving a WSGI app for the ``serve`` command: waitress when installed, a hardened wsgiref else.

Both servers get the same protections: a request, its body included, is read without a worker
thread (waitress with its asyncore channels; the fallback with a selector in the accepting
thread), so idle or slow clients cannot take the server offline; a socket timeout (and in the
fallback a deadline of at most 10 s for the whole head, and of ``--timeout`` for the whole body,
however they trickle); a body over 1 MiB answered 413 before it is read; a bounded number of
worker threads and of connections (100 in all, and in the fallback 16 with an unfinished
request per client address, the oldest closed first); an access log with timestamps that never
shows the query string (it carries ``SS-Password``); a malformed request answered 400 without a
traceback; and a POST without a length never waited on forever.
"""

import contextlib
import importlib
import importlib.util
import io
import logging
import queue
import re
import selectors
import socket
import threading
import time
import wsgiref.simple_server
from collections.abc import Callable, Iterable
from typing import Any, Final, Protocol

__all__ = [
    "ACCESS_LOGGER",
    "DEFAULT_THREADS",
    "DEFAULT_TIMEOUT",
    "Server",
    "access_log",
    "make_server",
    "waitress_available",
]

#: Seconds a connection may stay silent (mid-request or idle) before it is closed.
DEFAULT_TIMEOUT: Final = 30
#: Requests handled at once; further connections wait in the listen backlog.
DEFAULT_THREADS: Final = 8
#: The access log's logger: one line per request, without the query string.
ACCESS_LOGGER: Final = "listingmirror_shipstation.access"
_MAX_CONNECTIONS: Final = 100
#: Connections one address may have with their request still arriving; a new one closes the
#: oldest of them.
_MAX_PENDING_PER_PEER: Final = 16
#: Seconds from connecting to the end of the request head (at most; less if --timeout is less).
_HEAD_TIMEOUT: Final = 10
_MAX_HEAD: Final = 64 * 1024
#: The answer to a connection closed to make room for others.
_TOO_MANY: Final = "503 Service Unavailable"
#: The largest request body, read whole before a worker is taken: the Custom Store app's own
#: limit (``customstore.DEFAULT_MAX_BYTES``; it answers 413 above it anyway). A ShipNotice is a
#: few KiB. A larger ``Content-Length`` is answered 413 at once, unread.
_MAX_BODY: Final = 1024 * 1024
_MAX_REQUEST_LINE: Final = 8192

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
access = logging.getLogger(ACCESS_LOGGER)


class Server(Protocol):
    """What :func:`make_server` returns: a bound server to run and close."""

    kind: str
    host: str
    port: int

    def run(self) -> None:
        """Serve until :meth:`close` is called (or Ctrl-C)."""

    def close(self) -> None:
        """Stop serving and release the socket."""


def waitress_available() -> bool:
    """Whether the ``[serve]`` extra (waitress) is installed."""
    return importlib.util.find_spec("waitress") is not None


def access_log(app: WSGIApp) -> WSGIApp:
    """Wrap *app* to log one line per request: client, method, path (no query), status, time."""

    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        seen: list[str] = []

        def recording_start(status: str, headers: Any, exc_info: Any = None) -> Any:
            seen.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            return app(environ, recording_start)
        finally:
            access.info(
                "%s %s %s %s %.0fms",
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                environ.get("PATH_INFO", "") or "/",  # never QUERY_STRING: it holds SS-Password
                seen[-1] if seen else "-",
                (time.monotonic() - started) * 1000,
            )

    return logged


# --- waitress -------------------------------------------------------------------------------


class _Waitress:
    kind = "waitress"

    def __init__(self, app: WSGIApp, host: str, port: int, threads: int, timeout: int) -> None:
        create_server = importlib.import_module("waitress.server").create_server
        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            channel_timeout=timeout,
            cleanup_interval=max(1, min(timeout, 30)),  # how often silent channels are closed
            connection_limit=_MAX_CONNECTIONS,
            max_request_body_size=_MAX_BODY,
            max_request_header_size=64 * 1024,
            expose_tracebacks=False,
            clear_untrusted_proxy_headers=True,
            ident="listingmirror-shipstation",
        )
        self.host = host
        self.port = int(self._server.effective_port)

    def run(self) -> None:
        self._server.run()

    def close(self) -> None:
        self._server.task_dispatcher.shutdown(timeout=5)
        for channel in list(self._server._map.values()):
            channel.handle_close()


# --- the standard library's server, hardened -----------------------------------------------
#
# One thread (the one calling run()) accepts connections and reads each request's head and
# whole body without blocking: a selector over non-blocking sockets, a deadline for the head
# and one for the body. Only a request that arrived whole is handed to the bounded pool of
# worker threads, which never read from a client's socket (the body they see ends where the
# acceptor's bytes end), so clients that connect and send nothing, half a request or a body a
# byte at a time hold a file descriptor (and at most 1 MiB) for a few seconds, never a worker.


class _Handler(wsgiref.simple_server.WSGIRequestHandler):
    timeout = DEFAULT_TIMEOUT  # a socket timeout: a slow reader of the answer cannot hold a thread
    protocol_version = "HTTP/1.1"  # so that "Expect: 100-continue" is answered
    default_request_version = "HTTP/1.0"  # a garbled request line still gets a status line

    def setup(self) -> None:
        # The acceptor already read the head and the whole body: the request is those bytes.
        connection, preread = self.request
        self.request = self.connection = connection
        connection.settimeout(self.timeout)
        self.rfile = io.BufferedReader(_Prefixed(preread, connection))
        self.wfile = _Writer(connection)

    def handle_expect_100(self) -> bool:
        return True  # the acceptor answered "100 Continue" before it read the body

    def handle(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE + 1)
            if len(self.raw_requestline) > _MAX_REQUEST_LINE:
                self.requestline, self.request_version, self.command = "", "", ""
                self.send_error(414)
                return
            if not self.parse_request():  # answered 400
                return
            self.close_connection = True  # one request per connection
            if self._length_missing():
                self.send_error(411, "Length Required (chunked bodies need waitress)")
                return
            handler = wsgiref.simple_server.ServerHandler(
                self.rfile,
                self.wfile,  # type: ignore[arg-type]
                self.get_stderr(),
                self.get_environ(),
                multithread=True,
            )
            handler.request_handler = self  # type: ignore[attr-defined]
            handler.run(self.server.get_app())  # type: ignore[attr-defined]
        except (TimeoutError, ConnectionError):
            self.close_connection = True  # a slow or vanished client: nothing to answer

    def _length_missing(self) -> bool:
        if self.command not in {"POST", "PUT", "PATCH"}:
            return False
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        return chunked or self.headers.get("Content-Length") is None

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the access_log wrapper logs each request, without its query string

    def log_message(self, format: str, *args: Any) -> None:
        # The base class puts the raw request line (with SS-Password) into error messages:
        # log only the status, never the line.
        code = args[0] if args and isinstance(args[0], int) else "-"
        access.info("%s - - %s (request not logged)", self.client_address[0], code)


class _Prefixed(io.RawIOBase):
    """The bytes the acceptor read, then the end: a worker never waits on a client's socket."""

    def __init__(self, data: bytes, connection: socket.socket) -> None:
        self._data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._data:
            size = min(len(buffer), len(self._data))
            buffer[:size] = self._data[:size]
            self._data = self._data[size:]
            return size
        return 0  # the acceptor read the whole body: anything the app wants beyond it is absent


class _Writer(io.BufferedIOBase):
    """Whole writes to the socket (``sendall``), as :mod:`socketserver` does."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._connection.sendall(data)
        with memoryview(data) as view:
            return view.nbytes


class _Pending:
    """A connection whose request (head or body) is still arriving."""

    __slots__ = ("address", "buffer", "connection", "deadline", "head_end", "needed", "peer")

    def __init__(self, connection: socket.socket, address: Any, deadline: float) -> None:
        self.connection = connection
        self.address = address
        self.peer = str(address[0])
        self.deadline = deadline
        self.buffer = bytearray()
        self.head_end = -1  # index just past the blank line, once it arrived
        self.needed = 0  # bytes to hold before the request goes to a worker


_HEAD_END: Final = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH: Final = re.compile(rb"^content-length:[ \t]*(\d{1,18})[ \t]*\r?$", re.I | re.M)
_EXPECT_CONTINUE: Final = re.compile(rb"^expect:[ \t]*100-continue[ \t]*\r?$", re.I | re.M)


def _refuse(connection: socket.socket, status: str) -> None:
    """Best effort: say *status* on a non-blocking socket, then close it."""
    with contextlib.suppress(OSError):
        connection.send(
            f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
    with contextlib.suppress(OSError):
        connection.close()


class _SelectorServer(wsgiref.simple_server.WSGIServer):
    """wsgiref's server (binding, WSGI environ) with a selector acceptor and a worker pool."""

    request_queue_size = _MAX_CONNECTIONS

    def __init__(self, *args: Any, threads: int, timeout: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = min(timeout, _HEAD_TIMEOUT)
        self.body_timeout = timeout
        self._work: queue.SimpleQueue[tuple[socket.socket, Any, bytes] | None]
        self._work = queue.SimpleQueue()
        self._busy = 0  # connections handed to workers and not yet closed
        self._busy_lock = threading.Lock()
        self._closing = threading.Event()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._wake_write.setblocking(False)
        self._workers = [
            threading.Thread(target=self._worker, name=f"lmss-serve-{n}", daemon=True)
            for n in range(threads)
        ]
        for worker in self._workers:
            worker.start()

    # The acceptor --------------------------------------------------------------------------

    def serve(self) -> None:
        """Accept and read request heads until :meth:`stop`."""
        pending: dict[socket.socket, _Pending] = {}  # in order of arrival
        with selectors.DefaultSelector() as selector:
            self.socket.setblocking(False)
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            try:
                while not self._closing.is_set():
                    wait = min((p.deadline for p in pending.values()), default=None)
                    timeout = 1.0 if wait is None else max(0.0, wait - time.monotonic())
                    for key, _ in selector.select(min(timeout, 1.0)):
                        if key.fileobj is self.socket:
                            self._accept(selector, pending)
                        elif key.fileobj is self._wake_read:
                            with contextlib.suppress(OSError):
                                self._wake_read.recv(4096)
                        else:
                            waiting = pending.get(key.fileobj)  # type: ignore[call-overload]
                            if waiting is not None:  # not closed earlier in this round
                                self._read_safely(selector, pending, waiting)
                    now = time.monotonic()
                    for late in [p for p in pending.values() if p.deadline <= now]:
                        self._drop(selector, pending, late, "408 Request Timeout")
            finally:
                for waiting in list(pending.values()):
                    self._drop(selector, pending, waiting, "503 Service Unavailable")

    def _read_safely(
        self, selector: selectors.BaseSelector, pending: dict[Any, _Pending], waiting: _Pending
    ) -> None:
        try:
            self._read(selector, pending, waiting)
        except Exception:  # one connection's surprise never stops the acceptor
            logging.getLogger(__name__).warning(
                "connection from %s failed", waiting.peer, exc_info=True
            )
            self._drop(selector, pending, waiting, None)

    def _accept(self, selector: selectors.BaseSelector, pending: dict[Any, _Pending]) -> None:
        for _ in range(64):  # a bounded batch, then the reads get their turn
            try:
                connection, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # out of descriptors, a reset before accept: try again later
                logging.getLogger(__name__).warning("accept failed", exc_info=True)
                return
            peer = str(address[0])
            same_peer = [p for p in pending.values() if p.peer == peer]
            if len(same_peer) >= _MAX_PENDING_PER_PEER:
                self._drop(selector, pending, same_peer[0], _TOO_MANY)
            with self._busy_lock:
                busy = self._busy
            if len(pending) + busy >= _MAX_CONNECTIONS:
                if not pending:
                    _refuse(connection, _TOO_MANY)
                    continue
                self._drop(selector, pending, next(iter(pending.values())), _TOO_MANY)
            connection.setblocking(False)
            waiting = _Pending(connection, address, time.monotonic() + self.head_timeout)
            pending[connection] = waiting
            selector.register(connection, selectors.EVENT_READ)

    def _read(
        self, selector: selectors.BaseSelector, pending: dict[Any, _Pending], waiting: _Pending
    ) -> None:
        try:
            chunk = waiting.connection.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:  # the client went away (or half-closed) before its request was complete
            # After a whole head it may still read: say that its request was incomplete.
            status = "400 Bad Request" if waiting.head_end >= 0 else None
            self._drop(selector, pending, waiting, status)
            return
        buffer = waiting.buffer
        start = max(0, len(buffer) - 3)
        buffer += chunk
        if waiting.head_end < 0:
            found = _HEAD_END.search(buffer, start)
            if found is None:
                if len(buffer) > _MAX_HEAD:
                    self._drop(selector, pending, waiting, "431 Request Header Fields Too Large")
                return
            waiting.head_end = found.end()
            head = bytes(buffer[: waiting.head_end])
            lengths = _CONTENT_LENGTH.findall(head)
            if len(lengths) > 1:  # which one is the body's? (request smuggling): refused
                self._drop(selector, pending, waiting, "400 Bad Request")
                return
            # No (readable) length: no body; the handler and the app judge a bad header.
            body = int(lengths[0]) if lengths else 0
            if body > _MAX_BODY:
                self._drop(selector, pending, waiting, "413 Content Too Large")
                return
            waiting.needed = waiting.head_end + body
            # One deadline for the whole body, however it trickles (not one per read).
            waiting.deadline = time.monotonic() + self.body_timeout
            if len(buffer) < waiting.needed and _EXPECT_CONTINUE.search(head):
                with contextlib.suppress(OSError):
                    waiting.connection.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        if len(buffer) >= waiting.needed:
            selector.unregister(waiting.connection)
            del pending[waiting.connection]
            with self._busy_lock:
                self._busy += 1
            self._work.put((waiting.connection, waiting.address, bytes(buffer)))

    def _drop(
        self,
        selector: selectors.BaseSelector,
        pending: dict[Any, _Pending],
        waiting: _Pending,
        status: str | None,
    ) -> None:
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(waiting.connection)
        pending.pop(waiting.connection, None)
        if status is None:
            with contextlib.suppress(OSError):
                waiting.connection.close()
        else:
            _refuse(waiting.connection, status)

    # The workers ---------------------------------------------------------------------------

    def _worker(self) -> None:
        while True:
            item = self._work.get()
            if item is None:
                return
            connection, address, preread = item
            try:
                connection.setblocking(True)
                self.finish_request((connection, preread), address)  # type: ignore[arg-type]
            except Exception:
                self.handle_error(connection, address)
            finally:
                self.shutdown_request(connection)
                with self._busy_lock:
                    self._busy -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        logging.getLogger(__name__).warning(
            "connection from %s failed", client_address[0], exc_info=True
        )

    def stop(self) -> None:
        """Stop accepting; let the workers finish what they hold."""
        self._closing.set()
        with contextlib.suppress(OSError):
            self._wake_write.send(b"x")
        for _ in self._workers:
            self._work.put(None)

    def server_close(self) -> None:
        super().server_close()
        self._wake_read.close()
        self._wake_write.close()


class _Wsgiref:
    kind = "wsgiref"

    def __init__(self, app: WSGIApp, host: str, port: int, threads: int, timeout: int) -> None:
        handler = type("Handler", (_Handler,), {"timeout": timeout})
        self._server = _SelectorServer((host, port), handler, threads=threads, timeout=timeout)
        self._server.set_app(app)
        self.host = host
        self.port = int(self._server.server_address[1])
        self._done = threading.Event()
        self._done.set()

    def run(self) -> None:
        self._done.clear()
        try:
            self._server.serve()
        finally:
            self._done.set()

    def close(self) -> None:
        self._server.stop()
        self._done.wait(10)
        self._server.server_close()


def make_server(
    app: WSGIApp,
    host: str,
    port: int,
    *,
    threads: int = DEFAULT_THREADS,
    timeout: int = DEFAULT_TIMEOUT,
    prefer_waitress: bool = True,
) -> Server:
    """Bind a server for *app* (wrapped in :func:`access_log`) on *host*:*port*.

    waitress when installed and preferred, else the standard library's server with the same
    protections (timeouts, bounded threads, no query string in the log).

    Raises:
        OSError: The address cannot be bound.
    """
    logged = access_log(app)
    if prefer_waitress and waitress_available():
        return _Waitress(logged, host, port, threads, timeout)
    return _Wsgiref(logged, host, port, threads, timeout)
