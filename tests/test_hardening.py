"""Security edges tried for real, over sockets on 127.0.0.1 (issue 11; see docs/security.md).

Each test here was written against an attack that worked on the code before it: a ``next`` link
that sent the Listing Mirror credentials to another server, a redirect read as an empty success,
credentials with a line break, world-readable database files, and a gzip answer that expanded
without limit.
"""

import contextlib
import gzip
import json
import logging
import os
import stat
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import (
    AmbiguousOutcomeError,
    ConfigurationError,
    RedirectError,
    ResponseTooLargeError,
    UnsafeURLError,
)
from listingmirror_shipstation.integration import SQLiteShipmentSink
from listingmirror_shipstation.sync import SQLiteCheckpointStore
from listingmirror_shipstation.transports import (
    MockTransport,
    PolicyTransport,
    Request,
    Response,
    Retry,
    Urllib3Transport,
    pin_url,
)
from listingmirror_shipstation.transports.core import RequestCore

Answer = Callable[[BaseHTTPRequestHandler], None]
NO_RETRY = Retry(max_attempts=1, deadline=5, backoff=0)


@contextlib.contextmanager
def loopback(answer: Answer) -> Iterator[tuple[int, list[dict[str, str]]]]:
    """A threaded HTTP server on 127.0.0.1 that records each request's path and headers."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            answer(self)

        def do_POST(self) -> None:
            self.do_GET()

        def do_PUT(self) -> None:
            self.do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def send_json(handler: BaseHTTPRequestHandler, document: object, status: int = 200) -> None:
    """Answer *document* as JSON."""
    body = json.dumps(document).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


EMPTY_LM_PAGE = {"count": 0, "next": None, "results": []}


class TestURLPinning:
    """Followed URLs go only to the API's scheme, host and port, as urllib3 reads them."""

    def test_lm_next_with_a_backslash_never_reaches_another_server(self) -> None:
        r"""``http://127.0.0.1:EVIL\@127.0.0.1:API/`` is refused; EVIL sees no request."""
        with loopback(lambda h: send_json(h, EMPTY_LM_PAGE)) as (evil, evil_seen):
            trick: dict[str, str] = {}

            def api_answer(handler: BaseHTTPRequestHandler) -> None:
                send_json(handler, {"count": 2, "next": trick["next"], "results": []})

            with loopback(api_answer) as (api, api_seen):
                trick["next"] = f"http://127.0.0.1:{evil}\\@127.0.0.1:{api}/orders/?page=2"
                client = lm.ListingMirrorClient(
                    ("user", "secret"), base_url=f"http://127.0.0.1:{api}/", retry=NO_RETRY
                )
                with client, pytest.raises(UnsafeURLError):
                    list(client.orders.iter_all())
        assert len(api_seen) == 1
        assert api_seen[0]["authorization"].startswith("Basic ")
        assert evil_seen == []

    def test_shipstation_resource_url_with_a_backslash_is_refused(self) -> None:
        """A webhook's ``resource_url`` with the same trick never reaches EVIL."""
        with (
            loopback(lambda h: send_json(h, {"shipments": [], "page": 1, "pages": 1})) as (
                evil,
                evil_seen,
            ),
            loopback(lambda h: send_json(h, {"shipments": [], "page": 1, "pages": 1})) as (
                api,
                api_seen,
            ),
        ):
            client = ss.ShipStationClient(
                "key", "secret", base_url=f"http://127.0.0.1:{api}", retry=NO_RETRY
            )
            notice = ss.WebhookNotification(
                resource_url=f"http://127.0.0.1:{evil}\\@127.0.0.1:{api}/shipments?batchId=1",
                resource_type=ss.WebhookEvent.SHIP_NOTIFY,
            )
            with client, pytest.raises(UnsafeURLError):
                list(client.webhooks.follow(notice))
        assert evil_seen == []
        assert api_seen == []

    @pytest.mark.parametrize(
        "url",
        [
            "https://api.listingmirror.com:99999/api/v2/orders/?page=2",
            "https://api.listingmirror.com:abc/api/v2/orders/?page=2",
            "https://ａｐｉ.listingmirror.com/api/v2/orders/?page=2",
            "https://[api.listingmirror.com]/api/v2/orders/?page=2",
            "https://[127.0.0.1]/api/v2/orders/?page=2",
            "https://user:pw@api.listingmirror.com/api/v2/orders/?page=2",
            "https://api.listingmirror.com\\@evil.example/",
            "https://evil.example\\@api.listingmirror.com/",
            "https://api.listingmirror.com\t/orders/",
            "http://api.listingmirror.com/api/v2/orders/?page=2",
            "//evil.example/api/v2/orders/?page=2",
        ],
    )
    def test_lm_next_that_cannot_be_pinned_is_a_typed_error(self, url: str) -> None:
        """Bad ports, full-width hosts, ``[host]``, user info: UnsafeURLError, not ValueError."""
        pages = iter([{"count": 2, "next": url, "results": []}, EMPTY_LM_PAGE])
        transport = MockTransport(lambda r: Response(status=200, body=json.dumps(next(pages))))
        client = lm.ListingMirrorClient(("user", "pw"), transport=transport, retry=NO_RETRY)
        with pytest.raises(UnsafeURLError):
            list(client.orders.iter_all())
        assert len(transport.requests) == 1

    @pytest.mark.parametrize(
        ("url", "sent"),
        [
            ("/api/v2/orders/?page=2", "https://api.listingmirror.com/api/v2/orders/?page=2"),
            ("?page=2", "https://api.listingmirror.com/api/v2/?page=2"),
            (
                "https://API.listingmirror.com:443/api/v2/orders/?page=2",
                "https://API.listingmirror.com:443/api/v2/orders/?page=2",
            ),
        ],
    )
    def test_same_origin_urls_are_followed(self, url: str, sent: str) -> None:
        """Relative links, another case, the explicit default port: all the same API."""
        assert pin_url(url, "https://api.listingmirror.com/api/v2/") == sent

    def test_the_message_never_shows_user_info(self) -> None:
        """A refused URL's user info (a password, perhaps) is not repeated in the error."""
        with pytest.raises(UnsafeURLError) as caught:
            pin_url("https://me:hunter2@api.example/", "https://api.example/")
        assert "hunter2" not in str(caught.value)


class TestRedirects:
    """A 3xx is an error naming the status and the Location host, never an empty success."""

    @staticmethod
    def redirect(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", "https://elsewhere.example/carriers?token=abc")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def test_shipstation_redirect_is_an_error(self) -> None:
        """``carriers.list()`` behind a redirect raises RedirectError (it returned None)."""
        with loopback(self.redirect) as (port, seen):
            client = ss.ShipStationClient(
                "key", "secret", base_url=f"http://127.0.0.1:{port}", retry=NO_RETRY
            )
            with client, pytest.raises(RedirectError) as caught:
                client.carriers.list()
        error = caught.value
        assert error.status == 302
        assert error.location_host == "elsewhere.example"
        assert "302" in str(error)
        assert "elsewhere.example" in str(error)
        assert "token=abc" not in str(error)
        assert len(seen) == 1  # not followed, not retried

    def test_listingmirror_redirect_is_an_error(self) -> None:
        """A sync behind a redirecting proxy does not conclude there is nothing to do."""
        with loopback(self.redirect) as (port, _):
            client = lm.ListingMirrorClient(
                ("user", "pw"), base_url=f"http://127.0.0.1:{port}/", retry=NO_RETRY
            )
            with client, pytest.raises(RedirectError, match=r"elsewhere\.example"):
                list(client.orders.iter_all())


class TestCredentialsWithLineBreaks:
    """CR/LF in credentials is refused when the client is built, without echoing them."""

    @pytest.mark.parametrize(
        ("key", "secret", "partner"),
        [
            ("key\r\nX-Injected: 1", "secret", None),
            ("key", "sec\nret-TOPSECRET", None),
            ("key", "secret", "partner\r\nX-Injected: 1"),
        ],
    )
    def test_shipstation(self, key: str, secret: str, partner: str | None) -> None:
        """ShipStationClient raises ConfigurationError naming no credential."""
        with pytest.raises(ConfigurationError) as caught:
            ss.ShipStationClient(key, secret, partner_key=partner)
        message = str(caught.value)
        assert "X-Injected" not in message
        assert "TOPSECRET" not in message
        assert "line break" in message

    @pytest.mark.parametrize(
        "credentials",
        [
            "dXNlcjpwdw==\r\nX-Injected: TOPSECRET",
            ("user\r\nX-Injected: TOPSECRET", "pw"),
            ("user", "pw\nTOPSECRET"),
        ],
    )
    def test_listingmirror(self, credentials: tuple[str, str] | str) -> None:
        """ListingMirrorClient too; a token's surrounding whitespace is still fine."""
        with pytest.raises(ConfigurationError) as caught:
            lm.ListingMirrorClient(credentials)
        assert "TOPSECRET" not in str(caught.value)
        assert "dXNlcjpwdw" not in str(caught.value)
        lm.ListingMirrorClient("  dXNlcjpwdw==\n").close()

    def test_no_request_carries_a_split_header_over_a_socket(self) -> None:
        """With a token read from a file with a stray CR/LF, nothing is sent at all."""
        with (
            loopback(lambda h: send_json(h, EMPTY_LM_PAGE)) as (port, seen),
            pytest.raises(ConfigurationError),
        ):
            lm.ListingMirrorClient(
                "dXNlcjpwdw==\r\nX-Injected: 1", base_url=f"http://127.0.0.1:{port}/"
            )
        assert seen == []


class TestDatabaseFileModes:
    """SQLite files are created 0600 whatever the umask."""

    @pytest.fixture(autouse=True)
    def permissive_umask(self) -> Iterator[None]:
        old = os.umask(0o022)
        try:
            yield
        finally:
            os.umask(old)

    @pytest.mark.parametrize("store", [SQLiteShipmentSink, SQLiteCheckpointStore])
    def test_new_files_are_private(self, tmp_path: Path, store: Callable[[Path], object]) -> None:
        """The shipment sink and the checkpoint store create their files owner-only."""
        path = tmp_path / "x.sqlite3"
        store(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_an_existing_file_keeps_its_mode(self, tmp_path: Path) -> None:
        """A file the user made (and chose a mode for) is not changed."""
        path = tmp_path / "x.sqlite3"
        path.touch(mode=0o640)
        path.chmod(0o640)
        SQLiteShipmentSink(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640


def gzip_bomb(expanded: int) -> bytes:
    """A gzip body of *expanded* zero bytes (about a thousandth of that on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(expanded // len(block))]
    return b"".join([*parts, packer.flush()])


class TestResponseSizeCap:
    """Urllib3Transport stops reading at ``max_response_bytes``, counted after decompression."""

    @staticmethod
    def serve(body: bytes) -> Answer:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Encoding", "gzip")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            with contextlib.suppress(OSError):  # the client hangs up at the limit
                handler.wfile.write(body)

        return answer

    def test_a_small_gzip_answer_cannot_expand_past_the_default_limit(self) -> None:
        """An ~80 KB gzip answer of 80 MiB raises ResponseTooLargeError (default 64 MiB)."""
        bomb = gzip_bomb(80 * 1024 * 1024)
        assert len(bomb) < 200_000
        with loopback(self.serve(bomb)) as (port, _), Urllib3Transport() as transport:
            request = Request(method="GET", url=f"http://127.0.0.1:{port}/orders")
            with pytest.raises(ResponseTooLargeError) as caught:
                transport.send(request)
        assert caught.value.limit == 64 * 1024 * 1024

    def test_the_limit_is_configurable_and_reaches_the_clients(self) -> None:
        """A client over a transport with a 1 MiB limit gets the typed error, not the body."""
        bomb = gzip_bomb(2 * 1024 * 1024)
        with loopback(self.serve(bomb)) as (port, _):
            client = ss.ShipStationClient(
                "key",
                "secret",
                base_url=f"http://127.0.0.1:{port}",
                transport=Urllib3Transport(max_response_bytes=1024 * 1024),
                retry=NO_RETRY,
            )
            with client, pytest.raises(ResponseTooLargeError, match="1048576"):
                client.carriers.list()

    def test_a_post_over_the_limit_may_have_been_applied(self) -> None:
        """For a POST the error says so (AmbiguousOutcomeError), caused by the size."""
        bomb = gzip_bomb(2 * 1024 * 1024)
        with loopback(self.serve(bomb)) as (port, _):
            transport = Urllib3Transport(max_response_bytes=1024 * 1024)
            request = Request(method="POST", url=f"http://127.0.0.1:{port}/orders/createorder")
            core = RequestCore(
                base_url=f"http://127.0.0.1:{port}/",
                authorization="Basic eDp5",
                decode=lambda body, into: body,
                logger=logging.getLogger("test"),
            )
            with transport, pytest.raises(AmbiguousOutcomeError) as caught:
                core.call(PolicyTransport(transport, retry=NO_RETRY), request, into=None)
        assert isinstance(caught.value.__cause__, ResponseTooLargeError)

    def test_answers_under_the_limit_are_read_whole(self) -> None:
        """Compressed answers below the limit arrive decompressed and complete."""
        document = {"carriers": "x" * 100_000}
        body = gzip.compress(json.dumps(document).encode())
        with (
            loopback(self.serve(body)) as (port, _),
            Urllib3Transport(max_response_bytes=200_000) as transport,
        ):
            response = transport.send(
                Request(method="GET", url=f"http://127.0.0.1:{port}/carriers")
            )
        assert json.loads(response.body) == document
