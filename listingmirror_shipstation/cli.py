"""The command line: ``python -m listingmirror_shipstation convert FILE`` and ``serve``.

``convert`` reads Listing Mirror orders (a JSON array, or a ``{count, next, results}`` page) and
prints the ShipStation ``createorders`` payload on standard output. Everything that did not
become a ShipStation order is reported on standard error with its reason.

Exit status: 0 when every order was converted or filtered out on purpose (FBA/MCF, integration
not chosen); 1 when at least one order was rejected or could not be read (``--allow-rejected``
makes that 0 too); 2 when the command itself could not run (bad arguments, unreadable file).

``serve --orders FILE`` runs the Custom Store endpoint on 127.0.0.1 with the standard library's
WSGI server, exporting the orders of a Listing Mirror JSON file and storing the shipment
updates ShipStation posts in a SQLite file. The password is read from the environment variable
``LMSS_CUSTOMSTORE_PASSWORD`` (never from the command line, where other users could see it).
For real traffic run the same app under a production WSGI server (see the docs).

``sync orders`` sends Listing Mirror orders modified since the last run to ShipStation;
``sync shipments`` brings ShipStation's shipments back as updates stored (once each) in a SQLite
file. Credentials come from the environment
(:data:`~listingmirror_shipstation.cli.ENVIRONMENT`); ``--dry-run`` shows what would be sent; a
progress line is shown on a terminal; the exit status is 1 when anything failed.
"""

import argparse
import os
import sys
import wsgiref.simple_server
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import TextIO

from . import __version__, _jsontext
from . import listingmirror as lm
from . import shipstation as ss
from .errors import ConfigurationError, ConversionError, ListingMirrorShipStationError
from .integration import JsonFileOrderSource, SQLiteShipmentSink, make_custom_store_app
from .mapping import DEFAULT_EXCLUDED_FULFILLMENT, MappingOptions, convert_orders
from .sync import ClientOrderSource, OrderSync, ShipmentSync, SQLiteCheckpointStore

__all__ = ["ENVIRONMENT", "EXAMPLE_ORDERS", "PASSWORD_VARIABLE", "main"]

#: The environment variables ``sync`` reads, and what each holds.
ENVIRONMENT = {
    "SHIPSTATION_API_KEY": "ShipStation API key",
    "SHIPSTATION_API_SECRET": "ShipStation API secret",
    "LISTINGMIRROR_USERNAME": "Listing Mirror API user (sync orders)",
    "LISTINGMIRROR_PASSWORD": "Listing Mirror API password (sync orders)",
    "LISTINGMIRROR_TOKEN": "or the ready-encoded Listing Mirror Basic token",
}

#: The environment variable ``serve`` reads the Custom Store password from.
PASSWORD_VARIABLE = "LMSS_CUSTOMSTORE_PASSWORD"  # noqa: S105 - a variable name, not a secret

#: Path of the bundled example, Listing Mirror orders from several channels, with an FBA and an MCF
#: order (filtered out), an order without a shipping address (rejected), a coupon, a gift with
#: a message, options, weights in several units, and non-ASCII text.
EXAMPLE_ORDERS = Path(__file__).resolve().parent / "examples" / "listingmirror-orders.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m listingmirror_shipstation",
        description="Listing Mirror ↔ ShipStation tools.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    convert = commands.add_parser(
        "convert",
        help="Listing Mirror orders JSON -> ShipStation createorders payload",
        description="Read Listing Mirror orders and print the ShipStation createorders payload.",
    )
    convert.add_argument(
        "file",
        help=f"Listing Mirror orders JSON, or '-' for standard input (example: {EXAMPLE_ORDERS})",
    )
    convert.add_argument(
        "--allow-rejected",
        action="store_true",
        help="exit 0 even when orders were rejected (they are still reported)",
    )
    convert.add_argument("--compact", action="store_true", help="print the JSON on one line")
    serve = commands.add_parser(
        "serve",
        help="run the Custom Store endpoint ShipStation polls",
        description=f"Serve a Custom Store endpoint; the password comes from ${PASSWORD_VARIABLE}.",
    )
    serve.add_argument("--orders", required=True, help="Listing Mirror orders JSON file")
    serve.add_argument(
        "--db", default="shipment-updates.sqlite3", help="SQLite file for received updates"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port (0: any free port)")
    serve.add_argument("--username", default="shipstation", help="user name ShipStation uses")
    serve.add_argument("--page-size", type=int, default=100, help="orders per export page")
    sync = commands.add_parser(
        "sync",
        help="sync orders to ShipStation, or shipments back",
        description="Incremental, resumable sync; credentials from the environment: "
        + ", ".join(ENVIRONMENT),
    )
    sync.add_argument("what", choices=["orders", "shipments"], help="which direction")
    sync.add_argument(
        "--checkpoints", default="lmss-checkpoints.sqlite3", help="SQLite checkpoint file"
    )
    sync.add_argument(
        "--db", default="shipment-updates.sqlite3", help="SQLite file for shipment updates"
    )
    sync.add_argument("--since", help="where a first run starts (ISO date), default 30 days ago")
    sync.add_argument(
        "--order-status", action="append", help="Listing Mirror status to fetch (repeatable)"
    )
    sync.add_argument("--dry-run", action="store_true", help="show what would be sent")
    sync.add_argument("--shipstation-url", default=ss.DEFAULT_BASE_URL, help=argparse.SUPPRESS)
    sync.add_argument("--listingmirror-url", default=lm.DEFAULT_BASE_URL, help=argparse.SUPPRESS)
    keys = commands.add_parser(
        "keys",
        help="compare a saved Listing Mirror response with the models",
        description="Print the keys a saved Listing Mirror orders response carries that the "
        "models ignore, and the fields the models expect that never came.",
    )
    keys.add_argument("file", help="saved Listing Mirror orders JSON, or '-' for standard input")
    keys.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="MODEL.KEY=FIELD",
        help="Listing Mirror's key for a model field, e.g. Order.purchase_date=order_datetime",
    )
    for command in (convert, serve, sync):
        command.add_argument(
            "--integration",
            type=int,
            action="append",
            metavar="ID",
            help="only orders from this integration_config_id (repeat for several)",
        )
        command.add_argument(
            "--include-fba-mcf",
            action="store_true",
            help="also export orders fulfilled by FBA or MCF (left out by default)",
        )
        command.add_argument("--store-id", type=int, help="ShipStation store id for the orders")
        command.add_argument(
            "--inventory-source",
            type=int,
            action="append",
            metavar="ID",
            help="only orders from this fulfillment_inventory_source_id (repeat for several)",
        )
        command.add_argument(
            "--unknown-fulfillment",
            choices=["export", "reject"],
            default="export",
            help="orders whose fulfillment channel is missing or unknown: export them with a "
            "warning (default) or reject them",
        )
    return parser


def _options(args: argparse.Namespace) -> MappingOptions:
    return MappingOptions(
        integrations=args.integration,
        excluded_fulfillment=() if args.include_fba_mcf else DEFAULT_EXCLUDED_FULFILLMENT,
        store_id=args.store_id,
        inventory_sources=args.inventory_source,
        unknown_fulfillment=args.unknown_fulfillment,
    )


class _ThreadingServer(ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The default line carries the query string, which holds SS-Password: log without it.
        path = self.path.split("?", 1)[0]
        sys.stderr.write(f"{self.address_string()} {self.command} {path} {code}\n")


def _serve(args: argparse.Namespace, err: TextIO) -> int:
    """Run ``serve``; return the exit status (only on an error or Ctrl-C)."""
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if not password:
        print(f"error: set {PASSWORD_VARIABLE} to the password ShipStation will use", file=err)
        return 2
    try:
        app = make_custom_store_app(
            args.username,
            password,
            JsonFileOrderSource(args.orders),
            SQLiteShipmentSink(args.db),
            _options(args),
            page_size=args.page_size,
        )
        server = wsgiref.simple_server.make_server(
            args.host, args.port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=err)
        return 2
    host, port = str(server.server_address[0]), server.server_address[1]
    print(f"serving the Custom Store endpoint on http://{host}:{port}/ (Ctrl-C stops)", file=err)
    err.flush()
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            return 0
    return 0


def _progress(err: TextIO) -> Callable[[int, int], None] | None:
    if not err.isatty():
        return None

    def show(done: int, total: int) -> None:
        err.write(f"\rsending {done}/{total}")
        if done == total:
            err.write("\n")
        err.flush()

    return show


def _sync(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``sync orders`` or ``sync shipments``; return the exit status."""
    env = os.environ
    missing = [n for n in ("SHIPSTATION_API_KEY", "SHIPSTATION_API_SECRET") if not env.get(n)]
    lm_credentials: tuple[str, str] | str | None = env.get("LISTINGMIRROR_TOKEN") or (
        (env["LISTINGMIRROR_USERNAME"], env.get("LISTINGMIRROR_PASSWORD", ""))
        if env.get("LISTINGMIRROR_USERNAME")
        else None
    )
    if args.what == "orders" and lm_credentials is None:
        missing.append("LISTINGMIRROR_TOKEN (or LISTINGMIRROR_USERNAME and _PASSWORD)")
    if missing:
        print(f"error: set {', '.join(missing)}", file=err)
        return 2
    since = datetime.fromisoformat(args.since) if args.since else None
    if since is not None and since.utcoffset() is None:
        since = since.replace(tzinfo=UTC)  # a date given on the command line is read as UTC
    client = ss.ShipStationClient(
        env["SHIPSTATION_API_KEY"], env["SHIPSTATION_API_SECRET"], base_url=args.shipstation_url
    )
    store = SQLiteCheckpointStore(args.checkpoints)
    try:
        if args.what == "orders":
            assert lm_credentials is not None  # noqa: S101 - checked above
            listingmirror = lm.ListingMirrorClient(lm_credentials, base_url=args.listingmirror_url)
            return _sync_orders(args, listingmirror, client, store, since, out, err)
        return _sync_shipments(args, client, store, since, err)
    except ListingMirrorShipStationError as exc:
        print(f"error: {exc}", file=err)
        return 1
    finally:
        client.close()


def _sync_orders(
    args: argparse.Namespace,
    listingmirror: lm.ListingMirrorClient,
    client: ss.ShipStationClient,
    store: SQLiteCheckpointStore,
    since: datetime | None,
    out: TextIO,
    err: TextIO,
) -> int:
    source = ClientOrderSource(listingmirror, order_statuses=args.order_status)
    report = OrderSync(
        source,
        client,
        store,
        _options(args),
        initial_start=since,
        dry_run=args.dry_run,
        on_progress=_progress(err),
    ).run()
    if args.dry_run:
        print(ss.json.dumps(list(report.would_send), indent=2), file=out)
    for rejection in report.rejected:
        print(f"rejected ({rejection.reason}): {rejection.error}", file=err)
    for failure in report.failed:
        print(
            f"failed (retried next run): order {failure.order.order_id}: {failure.error}",
            file=err,
        )
    sent = len(report.would_send) if args.dry_run else len(report.sent)
    print(
        f"{'would send' if args.dry_run else 'sent'} {sent}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}, failed {len(report.failed)}, "
        f"waited {report.rate_limit_wait:.0f}s on the rate limit",
        file=err,
    )
    return 1 if report.failed else 0


def _sync_shipments(
    args: argparse.Namespace,
    client: ss.ShipStationClient,
    store: SQLiteCheckpointStore,
    since: datetime | None,
    err: TextIO,
) -> int:
    sync = ShipmentSync(client, SQLiteShipmentSink(args.db), store, initial_start=since)
    if args.dry_run:
        print("error: --dry-run applies to sync orders only", file=err)
        return 2
    report = sync.run()
    for failure in report.failed:
        print(f"failed (retried next run): {failure.update.shipment_id}: {failure.error}", file=err)
    print(
        f"delivered {len(report.delivered)}, already delivered {report.duplicates}, "
        f"failed {len(report.failed)}",
        file=err,
    )
    return 1 if report.failed else 0


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    return Path(name).read_text(encoding="utf-8")


def _convert(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``convert``; return the exit status."""
    try:
        document = _jsontext.loads(_read(args.file))
        parsed = lm.read_orders(document)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=err)
        return 2
    except ConversionError as exc:
        print(f"error: {args.file}: {exc}", file=err)
        return 2
    result = convert_orders(parsed.orders, _options(args))
    print(ss.json.dumps(list(result.orders), indent=None if args.compact else 2), file=out)
    for error in parsed.errors:
        print(f"unreadable: {error}", file=err)
    for warning in result.warnings:
        print(f"warning: order {warning.order_id}: {warning.message}", file=err)
    for rejection in result.rejected:
        word = "skipped" if rejection.filtered else "rejected"
        print(f"{word} ({rejection.reason}): {rejection.error}", file=err)
    filtered = sum(1 for r in result.rejected if r.filtered)
    failed = len(result.rejected) - filtered + len(parsed.errors)
    print(
        f"converted {len(result.orders)}, skipped {filtered}, rejected {len(result.errors)}, "
        f"unreadable {len(parsed.errors)}",
        file=err,
    )
    return 1 if failed and not args.allow_rejected else 0


def _keys(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``keys``; return the exit status."""
    aliases: dict[type, dict[str, str]] = {}
    for text in args.alias:
        model, dot, rest = text.partition(".")
        key, equals, field = rest.partition("=")
        cls = getattr(lm, model, None)
        if not (dot and equals and isinstance(cls, type)):
            print(f"error: --alias {text!r}: expected MODEL.KEY=FIELD", file=err)
            return 2
        aliases.setdefault(cls, {})[key] = field
    try:
        report = lm.key_report(_jsontext.loads(_read(args.file)), aliases=aliases)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=err)
        return 2
    except (ConversionError, ConfigurationError) as exc:
        print(f"error: {args.file}: {exc}", file=err)
        return 2
    for line in report.lines():
        print(line, file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (``sys.argv[1:]`` when ``None``); return the status."""
    args = _parser().parse_args(argv)
    if args.command == "convert":
        return _convert(args, sys.stdout, sys.stderr)
    if args.command == "serve":
        return _serve(args, sys.stderr)
    if args.command == "sync":
        return _sync(args, sys.stdout, sys.stderr)
    if args.command == "keys":
        return _keys(args, sys.stdout, sys.stderr)
    return 2  # argparse already refuses unknown commands; kept for type checkers
