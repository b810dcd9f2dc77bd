"""The Custom Store tests' fixtures: a real HTTP server on 127.0.0.1 and a bounded client."""

import threading
import wsgiref.simple_server
from collections.abc import Iterator
from socketserver import ThreadingMixIn

import pytest
import urllib3


class _Server(ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


class _Handler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[object]:
    """Start a WSGI app on 127.0.0.1 (any free port); return its base URL."""
    servers: list[wsgiref.simple_server.WSGIServer] = []

    def start(app: object) -> str:
        server = wsgiref.simple_server.make_server(
            "127.0.0.1",
            0,
            app,
            server_class=_Server,
            handler_class=_Handler,  # type: ignore[arg-type]
        )
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/shipstation"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    with urllib3.PoolManager(timeout=urllib3.Timeout(connect=5, read=10), retries=False) as pool:
        yield pool
