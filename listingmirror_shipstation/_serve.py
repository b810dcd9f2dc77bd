"""Serving a WSGI app for the ``serve`` command: waitress when installed, a hardened wsgiref else.

Both servers get the same protections: a socket timeout (a half-sent request cannot hold a
thread), a bounded number of worker threads, an access log with timestamps that never shows
the query string (it carries ``SS-Password``), a malformed request answered 400 without a
traceback, and a POST without a length never waited on forever.
"""

import importlib
import importlib.util
import logging
import threading
import time
import wsgiref.simple_server
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
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
_MAX_BODY: Final = 16 * 1024 * 1024
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


class _Handler(wsgiref.simple_server.WSGIRequestHandler):
    timeout = DEFAULT_TIMEOUT  # a socket timeout: a half-sent request cannot hold a thread
    protocol_version = "HTTP/1.1"  # so that "Expect: 100-continue" is answered
    default_request_version = "HTTP/1.0"  # a garbled request line still gets a status line

    def handle(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(_MAX_REQUEST_LINE + 1)
            if len(self.raw_requestline) > _MAX_REQUEST_LINE:
                self.requestline, self.request_version, self.command = "", "", ""
                self.send_error(414)
                return
            if not self.parse_request():  # answered 400 (or 100 Continue handled)
                return
            if self._length_missing():
                self.close_connection = True
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


class _ThreadServer(ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True
    request_queue_size = _MAX_CONNECTIONS

    def __init__(self, *args: Any, threads: int, **kwargs: Any) -> None:
        self._slots = threading.BoundedSemaphore(threads)
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()  # at most `threads` at once; the rest wait in the backlog
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        logging.getLogger(__name__).warning(
            "connection from %s failed", client_address[0], exc_info=True
        )


class _Wsgiref:
    kind = "wsgiref"

    def __init__(self, app: WSGIApp, host: str, port: int, threads: int, timeout: int) -> None:
        handler = type("Handler", (_Handler,), {"timeout": timeout})
        self._server = _ThreadServer((host, port), handler, threads=threads)
        self._server.set_app(app)
        self.host = host
        self.port = int(self._server.server_address[1])

    def run(self) -> None:
        self._server.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        self._server.shutdown()
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
