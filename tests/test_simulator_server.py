"""``testing.server.SimulatorServer`` over real sockets."""

import socket
import struct
import threading
import time

import pytest

from listingmirror_shipstation.testing.server import SimulatorServer
from listingmirror_shipstation.transports import Request, Response


@pytest.mark.timeout(60)
def test_a_client_killed_mid_answer_prints_no_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A client that resets the connection while a 16 MiB answer is written: nothing printed.

    It used to print a ``BrokenPipeError``/``ConnectionResetError`` traceback to standard error.
    """
    answering: list[threading.Thread] = []

    def handler(request: Request) -> Response:
        answering.append(threading.current_thread())
        time.sleep(0.3)  # the client is gone by the time the answer is written
        return Response(status=200, headers={}, body=b"x" * (16 * 1024 * 1024))

    with SimulatorServer(handler) as server:
        port = int(server.url.rsplit(":", 1)[1])
        conn = socket.create_connection(("127.0.0.1", port), timeout=10)
        conn.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        deadline = time.monotonic() + 10
        while not answering and time.monotonic() < deadline:
            time.sleep(0.01)
        assert answering
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()  # a reset, as a killed client's kernel sends
        answering[0].join(timeout=20)  # the thread writes, fails, reports (or not), ends
        assert not answering[0].is_alive()
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert "BrokenPipeError" not in err
    assert "ConnectionResetError" not in err
