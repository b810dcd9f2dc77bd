"""The command line converts the bundled example as the README promises."""

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from listingmirror_shipstation.cli import EXAMPLE_ORDERS, main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = main(list(args))
    finally:
        sys.stdout, sys.stderr = old
    return status, out.getvalue(), err.getvalue()


def test_example_converts_with_reasons_for_everything_left_out() -> None:
    """5 orders out; FBA and MCF skipped, the address-less one rejected; exit 1."""
    status, out, err = run("convert", str(EXAMPLE_ORDERS))
    payload = json.loads(out)
    assert status == 1
    assert [o["orderKey"] for o in payload] == [
        "lm-700101",
        "lm-700102",
        "lm-700103",
        "lm-700104",
        "lm-700108",
    ]
    assert "skipped (excluded_fulfillment_channel): order 700105" in err
    assert "skipped (excluded_fulfillment_channel): order 700106" in err
    assert "rejected (missing_shipping_address): order 700107" in err
    assert "order 700108: status 'Awaiting Engraving' has no mapping" in err
    assert err.rstrip().endswith("converted 5, skipped 2, rejected 1, unreadable 0")


def test_example_payload_carries_the_integration_features() -> None:
    """Coupon line, gift message, custom fields, non-ASCII text, kg converted to grams."""
    _, out, _ = run("convert", str(EXAMPLE_ORDERS), "--allow-rejected")
    orders = {o["orderKey"]: o for o in json.loads(out)}
    ebay = orders["lm-700102"]
    assert {"sku": "WINTER5", "unitPrice": -5.00}.items() <= next(
        i for i in ebay["items"] if i["adjustment"]
    ).items()
    tokyo = orders["lm-700103"]
    assert tokyo["gift"] is True and tokyo["giftMessage"] == "お誕生日おめでとう！ 🎂"
    assert tokyo["items"][0]["weight"] == {"value": 1200.0, "units": "grams"}
    assert tokyo["advancedOptions"]["customField2"] == "Shopify – Tokyo store"
    amazon = orders["lm-700101"]["advancedOptions"]
    assert (amazon["customField1"], amazon["customField3"]) == (
        "113-4829301-5521877",
        "S01-8821345",
    )


def test_allow_rejected_exits_zero() -> None:
    """--allow-rejected still reports rejections but exits 0."""
    status, _, err = run("convert", str(EXAMPLE_ORDERS), "--allow-rejected")
    assert status == 0
    assert "rejected (missing_shipping_address)" in err


def test_fba_mcf_can_be_included_and_integrations_chosen() -> None:
    """--include-fba-mcf exports them; --integration keeps only the chosen ones."""
    _, out, _ = run("convert", str(EXAMPLE_ORDERS), "--include-fba-mcf", "--integration", "11")
    assert [o["orderKey"] for o in json.loads(out)] == ["lm-700101", "lm-700105"]


def test_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    """A missing file or invalid JSON is a usage error with a message, not a traceback."""
    assert run("convert", str(tmp_path / "nope.json"))[0] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    status, _, err = run("convert", str(bad))
    assert status == 2
    assert "not valid JSON" in err


def test_bad_order_is_reported_and_the_rest_converted(tmp_path: Path) -> None:
    """An order that does not fit the model is 'unreadable'; the others still go out."""
    data = json.loads(EXAMPLE_ORDERS.read_text(encoding="utf-8"))["results"]
    data[0]["order_items"][0]["quantity"] = "many"
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    status, out, err = run("convert", str(path))
    assert status == 1
    assert len(json.loads(out)) == 4
    assert "unreadable: cannot read order at index 0" in err


@pytest.mark.timeout(60)
def test_module_entry_point() -> None:
    """Python -m listingmirror_shipstation runs the same command line."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "listingmirror_shipstation",
            "convert",
            str(EXAMPLE_ORDERS),
            "--compact",
            "--allow-rejected",
        ],
        capture_output=True,
        text=True,
        check=False,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 5


@pytest.mark.timeout(60)
def test_standard_input_that_is_not_utf8_is_a_user_error() -> None:
    """``convert -`` refuses bad bytes as a named file does: one line, exit 2, no payload.

    Before, standard input's own error handler let the byte through as a surrogate, and the
    run failed only when writing, with an internal error and nothing naming the input.
    """
    text = EXAMPLE_ORDERS.read_bytes().replace("José".encode(), b"Jos\xff", 1)
    assert b"\xff" in text
    done = subprocess.run(
        [sys.executable, "-m", "listingmirror_shipstation", "convert", "--allow-rejected", "-"],
        input=text,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    at = text.index(b"\xff")
    assert (
        done.stderr.decode()
        .strip()
        .endswith(f"error: cannot read -: not UTF-8 text: invalid start byte (byte {at})")
    )


def test_one_page_of_several_says_the_rest_was_not_converted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A saved page with a ``next`` link converts its orders and says the others are elsewhere.

    Before, 50 orders of a result of 150 were converted without a word about the other 100.
    """
    page = json.loads(EXAMPLE_ORDERS.read_text(encoding="utf-8"))
    page["count"], page["next"] = 150, "https://api.listingmirror.com/api/v2/orders/?page=2"
    path = tmp_path / "page1.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    assert main(["convert", "--allow-rejected", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {path} is one page of 150 orders (next: {page['next']})" in err
    assert main(["convert", "--allow-rejected", str(EXAMPLE_ORDERS)]) == 0
    assert "is one page" not in capsys.readouterr().err  # the bundled page is the whole result


class TestUserErrors:
    """Every ordinary mistake is one line on stderr and exit status 2, never a traceback."""

    @pytest.fixture(autouse=True)
    def credentials(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.capsys = capsys
        for name, value in {
            "SHIPSTATION_API_KEY": "key",
            "SHIPSTATION_API_SECRET": "secret",
            "LISTINGMIRROR_TOKEN": "dG9rZW4=",
            "LMSS_CUSTOMSTORE_PASSWORD": "pw",
        }.items():
            monkeypatch.setenv(name, value)

    def one_line_error(self, *args: str) -> str:
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse's own errors exit after writing their line
            status = int(str(exc.code))
        err = self.capsys.readouterr().err
        assert status == 2, err
        assert "Traceback" not in err
        assert len(err.strip().splitlines()) == 1, err
        return err

    def test_a_file_that_is_not_utf8(self, tmp_path: Path) -> None:
        """``convert`` on Latin-1 bytes names the file and the problem."""
        path = tmp_path / "latin1.json"
        path.write_bytes('[{"buyer_name": "Jos\xe9"}]'.encode("latin-1"))
        assert "not UTF-8" in self.one_line_error("convert", str(path))

    def test_serve_with_a_database_in_a_missing_folder(self, tmp_path: Path) -> None:
        """``serve --db /nonexistent/dir/x.sqlite3`` says the folder does not exist."""
        err = self.one_line_error(
            "serve", "--orders", str(EXAMPLE_ORDERS), "--db", "/nonexistent/dir/x.sqlite3"
        )
        assert "/nonexistent/dir" in err

    def test_serve_with_orders_that_do_not_exist(self, tmp_path: Path) -> None:
        """Before, every poll got a 500 with no reason shown; now it does not start."""
        err = self.one_line_error(
            "serve", "--orders", "/nonexistent.json", "--db", str(tmp_path / "x.sqlite3")
        )
        assert "/nonexistent.json" in err

    def test_sync_with_checkpoints_in_a_missing_folder(self) -> None:
        """``sync orders --checkpoints /nonexistent/...`` names the option and the folder."""
        err = self.one_line_error("sync", "orders", "--checkpoints", "/nonexistent/c.sqlite3")
        assert "--checkpoints" in err

    def test_sync_wait_below_zero_is_a_usage_error_before_any_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``--wait -5`` was a ConfigurationError after the checkpoint file was made."""
        monkeypatch.chdir(tmp_path)
        for value in ("-5", "nan", "soon"):
            err = self.one_line_error("sync", "orders", "--wait", value, "--checkpoints", "c.db")
            assert "--wait" in err
        assert list(tmp_path.iterdir()) == []

    def test_sync_with_a_database_in_a_missing_folder(self) -> None:
        """``--database /nonexistent/dir/x.sqlite3`` says the folder does not exist."""
        for what in ("orders", "shipments"):
            for url in ("/nonexistent/dir/x.sqlite3", "sqlite:////nonexistent/dir/x.sqlite3"):
                err = self.one_line_error("sync", what, "--database", url)
                assert "folder /nonexistent/dir does not exist" in err

    def test_refused_credentials_create_no_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A token with a line break is refused before the checkpoint and lease files exist."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("LISTINGMIRROR_TOKEN", "tok\nen")
        err = self.one_line_error("sync", "orders", "--checkpoints", "c.sqlite3")
        assert "LISTINGMIRROR" in err
        assert list(tmp_path.iterdir()) == []

    def test_sync_since_in_words(self, tmp_path: Path) -> None:
        """``--since "last tuesday"`` asks for an ISO date."""
        err = self.one_line_error(
            "sync",
            "orders",
            "--since",
            "last tuesday",
            "--checkpoints",
            str(tmp_path / "c.sqlite3"),
        )
        assert "ISO" in err
        assert not (tmp_path / "c.sqlite3").exists()

    def test_a_port_out_of_range(self) -> None:
        """``serve --port 99999`` is refused (it used to listen on 99999 % 65536)."""
        err = self.one_line_error("serve", "--orders", str(EXAMPLE_ORDERS), "--port", "99999")
        assert "65535" in err

    def test_an_unknown_option(self) -> None:
        """Argparse's usage errors are one line too."""
        err = self.one_line_error("convert", str(EXAMPLE_ORDERS), "--no-such-option")
        assert "--no-such-option" in err

    def test_an_unexpected_error_is_one_line_unless_debug(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A bug shows one line and a hint; ``--debug`` shows the traceback."""
        from listingmirror_shipstation import cli

        def boom(*args: object) -> int:
            raise RuntimeError("boom")

        monkeypatch.setattr(cli, "_convert", boom)
        status, _, err = run("convert", str(EXAMPLE_ORDERS))
        assert status == 1
        assert err.strip() == "error: RuntimeError: boom (run again with --debug for the traceback)"
        with pytest.raises(RuntimeError):
            run("convert", str(EXAMPLE_ORDERS), "--debug")


class TestLogging:
    """-v, -q and --log-level decide what the library's logging shows, with timestamps."""

    def test_verbose_shows_the_library_log_with_timestamps(self) -> None:
        """``convert -v`` shows the mapping's log lines (timestamped) next to its report."""
        _, _, err = run("convert", str(EXAMPLE_ORDERS), "-v")
        lines = [line for line in err.splitlines() if "listingmirror_shipstation.mapping" in line]
        assert lines, err
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", lines[0])

    def test_quiet_and_log_level(self) -> None:
        """``-q`` leaves only the report; ``--log-level INFO`` equals ``-v``."""
        _, _, quiet = run("convert", str(EXAMPLE_ORDERS), "-q")
        assert "listingmirror_shipstation.mapping" not in quiet
        _, _, info = run("convert", str(EXAMPLE_ORDERS), "--log-level", "info")
        assert "listingmirror_shipstation.mapping" in info

    def test_logging_is_restored_after_main(self) -> None:
        """In-process callers (tests, scripts) get their logging back unchanged."""
        package = logging.getLogger("listingmirror_shipstation")
        before = (package.level, list(package.handlers))
        run("convert", str(EXAMPLE_ORDERS), "-v")
        assert (package.level, list(package.handlers)) == before


class TestHelp:
    """Help shows defaults and only the options of the command asked about."""

    @pytest.fixture(autouse=True)
    def wide(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("COLUMNS", "200")  # no line breaks inside a default

    def help_text(self, *args: str) -> str:
        out = io.StringIO()
        old = sys.stdout
        sys.stdout = out
        try:
            with pytest.raises(SystemExit):
                main([*args, "--help"])
        finally:
            sys.stdout = old
        return " ".join(out.getvalue().split())

    def test_defaults_are_shown(self) -> None:
        """``serve --help`` shows the default port and database."""
        text = self.help_text("serve")
        assert "(default: 8080)" in text
        assert "(default: shipment-updates.sqlite3)" in text
        assert "(default: None)" not in text

    def test_sync_directions_list_only_their_options(self) -> None:
        """``sync shipments --help`` has no --dry-run; ``sync orders --help`` no --db."""
        shipments = self.help_text("sync", "shipments")
        orders = self.help_text("sync", "orders")
        assert "--dry-run" not in shipments
        assert "--order-status" not in shipments
        db = re.compile(r"--db\b")  # not --database, which both directions take
        assert db.search(shipments)
        assert "--dry-run" in orders
        assert not db.search(orders)
        assert "--database" in orders and "--database" in shipments

    def test_the_usage_line_names_the_command_as_run(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Installed as a script, usage says so; run with -m, it says ``python -m ...``."""
        monkeypatch.setattr(sys, "argv", ["/usr/local/bin/listingmirror-shipstation"])
        assert self.help_text().startswith("usage: listingmirror-shipstation ")
        monkeypatch.setattr(sys, "argv", ["/x/listingmirror_shipstation/__main__.py"])
        assert self.help_text().startswith("usage: python -m listingmirror_shipstation ")


def test_example_orders_prints_the_bundled_example() -> None:
    """``example-orders > orders.json`` gives the file the docs use, after pip install too."""
    status, out, _ = run("example-orders")
    assert status == 0
    assert json.loads(out) == json.loads(EXAMPLE_ORDERS.read_text(encoding="utf-8"))


def test_check_reports_both_credentials(tmp_path: Path) -> None:
    """``check`` tries each set of credentials once and says which works."""
    from listingmirror_shipstation.testing import LoopbackServer

    with LoopbackServer() as server:
        env = {
            **os.environ,
            "SHIPSTATION_API_KEY": "key",
            "SHIPSTATION_API_SECRET": "secret",
            "LISTINGMIRROR_TOKEN": "dG9rZW4=",
        }
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "listingmirror_shipstation",
                "check",
                "--shipstation-url",
                f"{server.url}/status/401",
                "--listingmirror-url",
                f"{server.url}/status/401/",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=60,
        )
    assert done.returncode == 1
    assert "ShipStation: FAILED" in done.stderr
    assert "Listing Mirror: FAILED" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_client_hanging_up_prints_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """The test server stays quiet when a client hangs up (BrokenPipeError after test runs)."""
    from listingmirror_shipstation.testing import LoopbackServer

    with LoopbackServer() as server:
        try:
            raise BrokenPipeError(32, "Broken pipe")
        except BrokenPipeError:
            server._server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""


def test_check_says_ok_for_working_credentials() -> None:
    """With both APIs answering, ``check`` exits 0 and says what it found."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"[]" if self.path.startswith("/ss/stores") else b'{"count": 3, "results": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {
        **os.environ,
        "SHIPSTATION_API_KEY": "key",
        "SHIPSTATION_API_SECRET": "secret",
        "LISTINGMIRROR_TOKEN": "dG9rZW4=",
    }
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "listingmirror_shipstation",
                "check",
                "--shipstation-url",
                f"{base}/ss",
                "--listingmirror-url",
                f"{base}/lm/",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=60,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert "ShipStation: ok (0 stores)" in done.stderr
    assert "Listing Mirror: ok (3 orders)" in done.stderr


def test_the_progress_line_says_how_long_the_rate_limit_made_it_wait() -> None:
    """On a terminal the line shows the wait; below a second it says nothing of it."""
    from listingmirror_shipstation import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    waits = iter([0.2, 12.4])
    show = cli._progress(err, lambda: next(waits))
    assert show is not None
    show(1, 2)
    show(2, 2)
    first, second = err.getvalue().split("\r")[1:]
    assert "waited" not in first
    assert "waited 12s for ShipStation's rate limit" in second
    assert cli._progress(io.StringIO()) is None  # not a terminal: no progress line


def test_sync_orders_makes_only_its_own_files_and_they_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sync orders`` creates its checkpoints and lease, 0600, and no shipment-updates file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHIPSTATION_API_KEY", "key")
    monkeypatch.setenv("SHIPSTATION_API_SECRET", "secret")
    monkeypatch.setenv("LISTINGMIRROR_TOKEN", "dG9rZW4=")
    closed = "http://127.0.0.1:9/"  # the discard port: connection refused, at once
    status = main(
        [
            "sync",
            "orders",
            "--checkpoints",
            "x.sqlite3",
            "--listingmirror-url",
            closed,
            "--shipstation-url",
            closed,
        ]
    )
    assert status == 1, capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.sqlite3", "x.sqlite3.lease"]
    for path in tmp_path.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path
