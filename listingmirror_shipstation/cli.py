"""The command line: ``python -m listingmirror_shipstation convert FILE`` and ``serve``.

``convert`` reads Listing Mirror orders (a JSON array, or a ``{count, next, results}`` page) and
prints the ShipStation ``createorders`` payload on standard output. Everything that did not
become a ShipStation order is reported on standard error with its reason. It streams: the
orders are read, converted and printed 100 at a time, so memory stays flat however many there
are, and a progress bar is shown on standard error when it is a terminal.

Exit status: 0 when every order was converted or filtered out on purpose (FBA/MCF, integration
not chosen); 1 when at least one order was rejected or could not be read (``--allow-rejected``
makes that 0 too); 2 when the command itself could not run (bad arguments, unreadable file).

``serve --orders FILE`` runs the Custom Store endpoint on 127.0.0.1 on waitress (the ``[serve]``
extra; without it, on the standard library's server with the same protections: request heads
read before a thread is taken, timeouts, bounded threads, no query string in the access log),
exporting the orders of a Listing Mirror JSON file and storing the shipment updates ShipStation
posts in a SQLite file. The password is read from the environment variable
``LMSS_CUSTOMSTORE_PASSWORD`` (never from the command line, where other users could see it).

``sync orders`` sends Listing Mirror orders modified since the last run to ShipStation;
``sync shipments`` brings ShipStation's shipments back as updates stored (once each) in a SQLite
file. Credentials come from the environment
(:data:`~listingmirror_shipstation.cli.ENVIRONMENT`); ``--dry-run`` shows what would be sent; a
progress line is shown on a terminal; the exit status is 1 when anything failed. ``check``
verifies both sets of credentials with one read-only request each. ``example-orders`` prints
the bundled example orders (``python -m listingmirror_shipstation example-orders > orders.json``).

Every command takes ``-v``/``--verbose`` (repeat for debug), ``-q``/``--quiet``,
``--log-level LEVEL`` and ``--debug`` (show the traceback of an unexpected error). A user error
(a missing or unreadable file, a bad date, a directory that does not exist) is one line on
standard error and exit status 2.
"""

import argparse
import contextlib
import itertools
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO

from . import __version__, _gc, _jsontext, _serve
from . import listingmirror as lm
from . import shipstation as ss
from .conversion import _convert_document
from .errors import (
    ConfigurationError,
    ConversionError,
    ListingMirrorShipStationError,
    _forget_tracebacks,
)
from .integration import JsonFileOrderSource, SQLiteShipmentSink, make_custom_store_app
from .integration import ShipmentSink as _ShipmentSink
from .mapping import (
    DEFAULT_EXCLUDED_FULFILLMENT,
    ConversionResult,
    MappingOptions,
)
from .stores import Stores, is_postgres_url, open_shipment_sink, open_snapshot_store, open_stores
from .sync import (
    CheckpointStore,
    ClientOrderSource,
    MemoryCheckpointStore,
    OrderSync,
    ShipmentSync,
    SQLiteCheckpointStore,
)

__all__ = ["main"]

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


class _UserError(Exception):
    """A mistake in the command line or its files: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """Reports a usage mistake as one line (``error: ...``) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows a default only where there is one worth showing (not None, not False)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or action.default is argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


def _port(text: str) -> int:
    """A TCP port, 0 to 65535 (argparse reports anything else as a usage error)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 0 and 65535")
    return port


def _seconds(text: str) -> float:
    """A number of seconds, 0 or more (argparse reports anything else as a usage error)."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} seconds: must be 0 or more")
    return seconds


def _prog() -> str:
    """The command as the user ran it: ``python -m listingmirror_shipstation`` or the script."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if not name or name in {"__main__.py", "-c", "-m"}:
        return "python -m listingmirror_shipstation"
    return name


def _common() -> _Parser:
    """Options every command takes: how much to log, and tracebacks on demand."""
    common = _Parser(add_help=False)
    group = common.add_argument_group("output")
    group.add_argument(
        "-v", "--verbose", action="count", default=0, help="say more (-vv: debug details)"
    )
    group.add_argument("-q", "--quiet", action="store_true", help="only errors")
    group.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        type=str.upper,
        help="log level (overrides -v and -q)",
    )
    group.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected error"
    )
    return common


def _add_mapping_options(command: argparse.ArgumentParser) -> None:
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
        help="also export orders the marketplace fulfils: FBA, MCF, WFS (left out by default)",
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
        "warning, or reject them",
    )


def _parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog or _prog(), description="Listing Mirror ↔ ShipStation tools.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common()

    def command(name: str, **kwargs: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            parents=[common],
            formatter_class=_HelpFormatter,
            **kwargs,  # type: ignore[arg-type]
        )

    convert = command(
        "convert",
        help="Listing Mirror orders JSON -> ShipStation createorders payload",
        description="Read Listing Mirror orders and print the ShipStation createorders payload.",
    )
    convert.add_argument(
        "file",
        help="Listing Mirror orders JSON, or '-' for standard input"
        " (an example: the example-orders command)",
    )
    convert.add_argument(
        "--allow-rejected",
        action="store_true",
        help="exit 0 even when orders were rejected (they are still reported)",
    )
    convert.add_argument("--compact", action="store_true", help="print the JSON on one line")
    serve = command(
        "serve",
        help="run the Custom Store endpoint ShipStation polls",
        description=f"Serve a Custom Store endpoint; the password comes from ${PASSWORD_VARIABLE}."
        " Runs on waitress (pip install 'listingmirror-shipstation[serve]'), else on the"
        " standard library's server.",
    )
    serve.add_argument("--orders", required=True, help="Listing Mirror orders JSON file")
    serve.add_argument(
        "--db", default="shipment-updates.sqlite3", help="SQLite file for received updates"
    )
    _database_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=_port, default=8080, help="port (0: any free port)")
    serve.add_argument("--username", default="shipstation", help="user name ShipStation uses")
    serve.add_argument("--page-size", type=int, default=100, help="orders per export page")
    serve.add_argument(
        "--threads", type=int, default=_serve.DEFAULT_THREADS, help="requests handled at once"
    )
    serve.add_argument(
        "--timeout",
        type=int,
        default=_serve.DEFAULT_TIMEOUT,
        help="seconds a silent connection is kept",
    )
    serve.add_argument(
        "--server",
        choices=["auto", "waitress", "wsgiref"],
        default="auto",
        help="waitress when installed (auto), or the standard library's server",
    )
    sync = command(
        "sync",
        help="sync orders to ShipStation, or shipments back",
        description="Incremental, resumable sync; credentials from the environment: "
        + ", ".join(ENVIRONMENT),
    )
    directions = sync.add_subparsers(dest="what", required=True, metavar="{orders,shipments}")
    sync_orders = directions.add_parser(
        "orders",
        parents=[common],
        formatter_class=_HelpFormatter,
        help="Listing Mirror orders modified since the last run -> ShipStation",
        description="Send Listing Mirror orders modified since the last run to ShipStation.",
    )
    sync_shipments = directions.add_parser(
        "shipments",
        parents=[common],
        formatter_class=_HelpFormatter,
        help="ShipStation shipments -> shipment updates stored once each",
        description="Bring ShipStation's shipments back as updates stored once each.",
    )
    for direction in (sync_orders, sync_shipments):
        direction.add_argument(
            "--checkpoints", default="lmss-checkpoints.sqlite3", help="SQLite checkpoint file"
        )
        direction.add_argument(
            "--since", help="where a first run starts (ISO date), default 30 days ago"
        )
        _database_options(direction)
        direction.add_argument(
            "--wait",
            type=_seconds,
            default=0.0,
            metavar="SECONDS",
            help="wait this long for another sync of the merchant to finish (0: exit 2 at once)",
        )
        direction.add_argument(
            "--shipstation-url", default=ss.DEFAULT_BASE_URL, help=argparse.SUPPRESS
        )
        direction.add_argument(
            "--listingmirror-url", default=lm.DEFAULT_BASE_URL, help=argparse.SUPPRESS
        )
    sync_shipments.add_argument(
        "--db", default="shipment-updates.sqlite3", help="SQLite file for shipment updates"
    )
    # Accepted for scripts written before the directions were split; orders store no updates.
    sync_orders.add_argument("--db", help=argparse.SUPPRESS)
    sync_orders.add_argument(
        "--order-status", action="append", help="Listing Mirror status to fetch (repeatable)"
    )
    sync_orders.add_argument(
        "--dry-run", action="store_true", help="show what would be sent; write no file"
    )
    check = command(
        "check",
        help="verify both sets of credentials (one read-only request each)",
        description="Verify the ShipStation and Listing Mirror credentials from the"
        " environment before a first sync: " + ", ".join(ENVIRONMENT),
    )
    check.add_argument("--shipstation-url", default=ss.DEFAULT_BASE_URL, help=argparse.SUPPRESS)
    check.add_argument("--listingmirror-url", default=lm.DEFAULT_BASE_URL, help=argparse.SUPPRESS)
    command(
        "example-orders",
        help="print the bundled example Listing Mirror orders (JSON)",
        description="Print the bundled example, Listing Mirror orders from several channels:"
        " python -m listingmirror_shipstation example-orders > orders.json",
    )
    keys = command(
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
    for mapped in (convert, serve, sync_orders):
        _add_mapping_options(mapped)
    return parser


def _database_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--database",
        metavar="URL",
        help="where state lives: postgresql://... (shared by several machines), sqlite:///PATH "
        "or a path; used instead of the SQLite file options",
    )
    command.add_argument(
        "--merchant",
        default="default",
        help="whose state and lease (one database can hold many merchants)",
    )


def _listingmirror_client(
    args: argparse.Namespace, credentials: tuple[str, str] | str | None
) -> lm.ListingMirrorClient:
    """The Listing Mirror client for ``sync orders``, or a user error naming the variables."""
    assert credentials is not None  # noqa: S101 - checked by the caller
    try:
        return lm.ListingMirrorClient(credentials, base_url=args.listingmirror_url)
    except ConfigurationError as exc:
        raise _UserError(f"LISTINGMIRROR_*: {exc}") from exc


def _stores(args: argparse.Namespace) -> Stores:
    """The stores the arguments name: --database, else the SQLite files of --db/--checkpoints."""
    if args.database:
        return open_stores(args.database, merchant=args.merchant)
    db = args.db or "shipment-updates.sqlite3"
    return Stores(
        url=args.checkpoints,
        merchant=args.merchant,
        checkpoints=SQLiteCheckpointStore(args.checkpoints),
        # `sync orders` stores no updates (its hidden --db is kept for older scripts): no file.
        shipments=_UnopenedSink(db) if args.what == "orders" else SQLiteShipmentSink(db),
        lease_at=f"{args.checkpoints}.lease",
    )


class _UnopenedSink(_ShipmentSink):
    """A SQLite shipment sink whose file is created only if an update is ever delivered."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._sink: SQLiteShipmentSink | None = None

    def deliver(self, update: lm.ShipmentUpdate) -> bool:
        if self._sink is None:
            self._sink = SQLiteShipmentSink(self.path)
        return self._sink.deliver(update)


def _options(args: argparse.Namespace) -> MappingOptions:
    return MappingOptions(
        integrations=args.integration,
        excluded_fulfillment=() if args.include_fba_mcf else DEFAULT_EXCLUDED_FULFILLMENT,
        store_id=args.store_id,
        inventory_sources=args.inventory_source,
        unknown_fulfillment=args.unknown_fulfillment,
    )


def _configure_logging(args: argparse.Namespace, err: TextIO) -> Callable[[], None]:
    """Log to *err* with timestamps at the level the flags ask for; return how to undo it.

    The default is warnings (``convert`` reports every order itself, so errors only there).
    """
    if args.log_level:
        level = getattr(logging, args.log_level)
    elif args.quiet:
        level = logging.ERROR
    elif args.verbose:
        level = logging.INFO if args.verbose == 1 else logging.DEBUG
    else:
        level = logging.ERROR if args.command == "convert" else logging.WARNING
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = {
        logging.getLogger("listingmirror_shipstation"): level,
        logging.getLogger("waitress"): max(level, logging.WARNING),  # queue depth, bad requests
    }
    if args.command == "serve" and not args.quiet and not args.log_level:
        loggers[logging.getLogger(_serve.ACCESS_LOGGER)] = min(level, logging.INFO)
    saved = [(logger, logger.level) for logger in loggers]
    for logger, wanted in loggers.items():
        logger.setLevel(wanted)
    package = logging.getLogger("listingmirror_shipstation")
    package.addHandler(handler)
    logging.getLogger("waitress").addHandler(handler)

    def restore() -> None:
        package.removeHandler(handler)
        logging.getLogger("waitress").removeHandler(handler)
        for logger, old in saved:
            logger.setLevel(old)

    return restore


def _writable_file(name: str, what: str) -> Path:
    """*name* as a path whose folder exists, or a user error naming it."""
    path = Path(name)
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise _UserError(f"{what} {name}: folder {folder} does not exist")
    if path.is_dir():
        raise _UserError(f"{what} {name}: is a folder, not a file")
    return path


def _serve_command(args: argparse.Namespace, err: TextIO) -> int:
    """Run ``serve``; return the exit status (only on an error or Ctrl-C)."""
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if not password:
        raise _UserError(f"set {PASSWORD_VARIABLE} to the password ShipStation will use")
    orders = Path(args.orders)
    if not orders.is_file():
        raise _UserError(f"--orders {args.orders}: no such file")
    try:
        _jsontext.loads(_read(args.orders))
    except ConversionError as exc:
        raise _UserError(f"--orders {args.orders}: {exc}") from exc
    db = _writable_file(args.db, "--db")
    if args.threads < 1 or args.timeout < 1:
        raise _UserError("--threads and --timeout must be at least 1")
    if args.server == "waitress" and not _serve.waitress_available():
        raise _UserError(
            "waitress is not installed: pip install 'listingmirror-shipstation[serve]'"
        )
    try:
        app = make_custom_store_app(
            args.username,
            password,
            JsonFileOrderSource(args.orders),
            open_shipment_sink(args.database, merchant=args.merchant)
            if args.database
            else SQLiteShipmentSink(db),
            _options(args),
            page_size=args.page_size,
            # With --database, every worker on every machine pages from one snapshot store.
            snapshots=open_snapshot_store(args.database, merchant=args.merchant)
            if args.database
            else None,
        )
        server = _serve.make_server(
            app,
            args.host,
            args.port,
            threads=args.threads,
            timeout=args.timeout,
            prefer_waitress=args.server != "wsgiref",
        )
    except (OSError, ValueError, ListingMirrorShipStationError) as exc:
        raise _UserError(f"cannot serve: {exc}") from exc
    print(
        f"serving the Custom Store endpoint on http://{server.host}:{server.port}/"
        f" with {server.kind} (Ctrl-C stops)",
        file=err,
    )
    if server.kind != "waitress" and args.server == "auto":
        print(
            "note: waitress is not installed (pip install 'listingmirror-shipstation[serve]');"
            " serving on the standard library's server",
            file=err,
        )
    err.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def _progress(
    err: TextIO, waited: Callable[[], float] | None = None
) -> Callable[[int, int], None] | None:
    """A progress line on a terminal; it says how long the rate limit has made it wait."""
    if not err.isatty():
        return None

    def show(done: int, total: int) -> None:
        pause = waited() if waited is not None else 0.0
        note = f" (waited {pause:.0f}s for ShipStation's rate limit)" if pause >= 1 else ""
        err.write(f"\rsending {done}/{total}{note}\x1b[K")
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
        raise _UserError(f"set {', '.join(missing)}")
    since = _since(args.since)
    dry_run = args.what == "orders" and args.dry_run
    # Everything that can be refused is checked before any file (checkpoints, lease) is made.
    if args.database:
        if not is_postgres_url(args.database):
            _writable_file(args.database.removeprefix("sqlite:///"), "--database")
    else:
        checkpoints = _writable_file(args.checkpoints, "--checkpoints")
        if args.what == "shipments":
            _writable_file(args.db, "--db")
    try:
        client = ss.ShipStationClient(
            env["SHIPSTATION_API_KEY"], env["SHIPSTATION_API_SECRET"], base_url=args.shipstation_url
        )
    except ConfigurationError as exc:
        raise _UserError(f"SHIPSTATION_API_KEY/_SECRET: {exc}") from exc
    try:
        listingmirror = (
            _listingmirror_client(args, lm_credentials) if args.what == "orders" else None
        )
    except _UserError:
        client.close()
        raise
    with contextlib.ExitStack() as clients:
        clients.callback(client.close)
        if listingmirror is not None:
            clients.callback(listingmirror.close)
        if dry_run and not args.database and not checkpoints.exists():
            # A dry run writes no file: no checkpoint file, no lease file.
            store: CheckpointStore = MemoryCheckpointStore()
            assert listingmirror is not None  # noqa: S101 - built above for orders
            try:
                return _sync_orders(args, listingmirror, client, store, since, out, err)
            except ListingMirrorShipStationError as exc:
                print(f"error: {exc}", file=err)
                return 1
        try:
            stores = _stores(args)
        except (ListingMirrorShipStationError, OSError) as exc:
            raise _UserError(str(exc)) from exc
        lease = stores.lease(wait=args.wait)
        try:
            lease.acquire()  # one sync per merchant at a time, on every machine
        except (ListingMirrorShipStationError, OSError) as exc:  # LeaseHeldError among them
            stores.close()
            raise _UserError(str(exc)) from exc
        try:
            if listingmirror is not None:
                return _sync_orders(
                    args, listingmirror, client, stores.checkpoints, since, out, err
                )
            return _sync_shipments(args, client, stores, since, err)
        except ListingMirrorShipStationError as exc:
            print(f"error: {exc}", file=err)
            return 1
        finally:
            lease.release()
            stores.close()


def _sync_orders(
    args: argparse.Namespace,
    listingmirror: lm.ListingMirrorClient,
    client: ss.ShipStationClient,
    store: CheckpointStore,
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
        on_progress=_progress(err, lambda: client.rate_limit.waited),
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
    for unreadable in report.unreadable:
        print(
            f"unreadable (holds the checkpoint): order {unreadable.order_id}: {unreadable.error}",
            file=err,
        )
    sent = len(report.would_send) if args.dry_run else len(report.sent)
    print(
        f"{'would send' if args.dry_run else 'sent'} {sent}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}, failed {len(report.failed)}, "
        f"waited {report.rate_limit_wait:.0f}s on the rate limit",
        file=err,
    )
    return 1 if report.failed or report.unreadable else 0


def _sync_shipments(
    args: argparse.Namespace,
    client: ss.ShipStationClient,
    stores: Stores,
    since: datetime | None,
    err: TextIO,
) -> int:
    sync = ShipmentSync(client, stores.shipments, stores.checkpoints, initial_start=since)
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
    """The text of file *name* (``-``: standard input), or a user error saying why not."""
    try:
        if name == "-":
            return sys.stdin.read()
        return Path(name).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        where = f"{exc.reason} (byte {exc.start})"  # worded as convert's ArrayStream words it
        raise _UserError(f"cannot read {name}: not UTF-8 text: {where}") from exc
    except OSError as exc:
        raise _UserError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _since(text: str | None) -> datetime | None:
    """``--since`` as an aware datetime (a date or time without a zone is UTC)."""
    if not text:
        return None
    try:
        since = datetime.fromisoformat(text)
    except ValueError:
        raise _UserError(
            f"--since {text!r}: not an ISO date or time (e.g. 2026-11-01 or 2026-11-01T08:00)"
        ) from None
    return since if since.utcoffset() is not None else since.replace(tzinfo=UTC)


def _check(args: argparse.Namespace, err: TextIO) -> int:
    """Run ``check``: one read-only request with each set of credentials; 0 when both work."""
    env = os.environ
    failures = 0
    if env.get("SHIPSTATION_API_KEY") and env.get("SHIPSTATION_API_SECRET"):
        try:
            with ss.ShipStationClient(
                env["SHIPSTATION_API_KEY"],
                env["SHIPSTATION_API_SECRET"],
                base_url=args.shipstation_url,
            ) as client:
                stores = client.stores.list()
            print(f"ShipStation: ok ({len(stores)} stores)", file=err)
        except ListingMirrorShipStationError as exc:
            failures += 1
            print(f"ShipStation: FAILED: {exc}", file=err)
    else:
        failures += 1
        print("ShipStation: not configured (set SHIPSTATION_API_KEY and _SECRET)", file=err)
    credentials: tuple[str, str] | str | None = env.get("LISTINGMIRROR_TOKEN") or (
        (env["LISTINGMIRROR_USERNAME"], env.get("LISTINGMIRROR_PASSWORD", ""))
        if env.get("LISTINGMIRROR_USERNAME")
        else None
    )
    if credentials is not None:
        try:
            with lm.ListingMirrorClient(credentials, base_url=args.listingmirror_url) as mirror:
                page = mirror.orders.list()
            count = f" ({page.count} orders)" if page.count is not None else ""
            print(f"Listing Mirror: ok{count}", file=err)
        except ListingMirrorShipStationError as exc:
            failures += 1
            print(f"Listing Mirror: FAILED: {exc}", file=err)
    else:
        failures += 1
        print(
            "Listing Mirror: not configured"
            " (set LISTINGMIRROR_TOKEN, or LISTINGMIRROR_USERNAME and _PASSWORD)",
            file=err,
        )
    return 1 if failures else 0


def _example_orders(out: TextIO) -> int:
    """Print the bundled example orders (package data, also after ``pip install``)."""
    text = (
        resources.files("listingmirror_shipstation")
        .joinpath("examples", "listingmirror-orders.json")
        .read_text(encoding="utf-8")
    )
    out.write(text)
    return 0


#: Orders read, converted and written together by ``convert`` (one ``createorders`` call).
CONVERT_CHUNK = 100
#: Bytes of input ``convert`` reads at a time.
CONVERT_BLOCK = 256 * 1024


def _open_input(name: str) -> IO[Any]:
    """File *name* (``-``: standard input) opened for reading as bytes, or a user error.

    Bytes, not text: :class:`~listingmirror_shipstation._jsontext.ArrayStream` decodes them
    itself (strict UTF-8), so that every position it reports is a byte of the whole input.
    """
    if name == "-":
        # Standard input's bytes when it has them; its own text decoding (with an error
        # handler that may let bad bytes through as surrogates) is bypassed. A test's StringIO
        # or an embedding host's text stream is read as it is.
        return getattr(sys.stdin, "buffer", None) or sys.stdin
    try:
        return open(name, "rb")
    except OSError as exc:
        raise _UserError(f"cannot read {name}: {exc.strerror or exc}") from exc


class _Progress:
    """A one-line progress display on standard error, only when it is a terminal."""

    def __init__(self, err: TextIO, total: int | None) -> None:
        self.err = err
        self.total = total
        self.shown = False
        try:
            self.enabled = err.isatty()
        except (AttributeError, ValueError):
            self.enabled = False

    def update(self, orders: int, consumed: int) -> None:
        if not self.enabled:
            return
        if self.total:
            share = min(consumed / self.total, 1.0)
            bar = "#" * int(share * 30)
            line = f"\rconverting [{bar:<30}] {share:4.0%}  {orders:,} orders"
        else:
            line = f"\rconverting: {orders:,} orders"
        self.err.write(line)
        self.err.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.err.write("\r\x1b[K")  # clear the line before the report
            self.err.flush()


class _SpooledLines:
    """Lines kept in memory up to 64 KB, then in a temporary file; replayed in order."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by the caller
            max_size=64 * 1024, mode="w+", encoding="utf-8", newline="\n"
        )

    def write(self, line: str) -> None:
        self.file.write(line + "\n")

    def replay(self, err: TextIO) -> None:
        self.file.seek(0)
        shutil.copyfileobj(self.file, err)


class _ArrayWriter:
    """Writes a JSON array a chunk of items at a time, as ``ss.json.dumps`` writes it whole."""

    def __init__(self, out: TextIO, *, indent: int | None) -> None:
        self.out = out
        self.indent = indent
        self.started = False

    def write(self, text: str, count: int) -> None:
        """Add the *count* items of *text*, a JSON array written with this writer's indent."""
        if not count:
            return
        # "[a,b]" (or "[\n  a,\n  b\n]" indented): keep the items at their indentation.
        body = text[1:-1] if self.indent is None else text[1:-2]
        self.out.write(("," if self.started else "[") + body)
        self.started = True

    def close(self) -> None:
        if not self.started:
            self.out.write("[]\n")
        else:
            self.out.write("]\n" if self.indent is None else "\n]\n")


def _convert(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``convert``; return the exit status.

    Streams: reads the orders a block of text at a time, converts and writes them
    :data:`CONVERT_CHUNK` at a time, so memory does not grow with the number of orders. The
    report on standard error (unreadable orders, warnings, rejections, totals) comes after
    the payload, as before. Should the text turn out not to be JSON part way through, the
    payload written so far is left unterminated (not a shorter valid array) and the exit
    status is 2.
    """
    # The report comes after the payload, grouped as before; held in files past 64 KB so that
    # a warning for every one of 200,000 orders does not grow memory.
    with contextlib.ExitStack() as stack:
        unreadable, warnings, rejections = (_SpooledLines() for _ in range(3))
        for lines in (unreadable, warnings, rejections):
            stack.callback(lines.file.close)
        return _convert_streaming(args, out, err, unreadable, warnings, rejections)


def _convert_streaming(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    unreadable: "_SpooledLines",
    warnings: "_SpooledLines",
    rejections: "_SpooledLines",
) -> int:
    options = _options(args)
    reader = lm.make_converter(detailed=False)
    writer_converter = ss.make_converter(detailed=False)
    writer = _ArrayWriter(out, indent=None if args.compact else 2)
    converted = filtered = rejected = unreadable_count = read = 0
    source = _open_input(args.file)
    total: int | None = None
    with contextlib.suppress(OSError, ValueError, AttributeError):
        total = os.fstat(source.fileno()).st_size if args.file != "-" else None
    progress = _Progress(err, total)
    stream = _jsontext.ArrayStream(source, block=CONVERT_BLOCK)
    try:
        items = iter(stream)
        while True:
            try:
                chunk = list(itertools.islice(items, CONVERT_CHUNK))
            except OSError as exc:
                raise _UserError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
            except ConversionError as exc:
                undecodable = exc._message == "not UTF-8 text"
                raise _UserError(
                    f"{'cannot read ' if undecodable else ''}{args.file}: {exc}"
                ) from exc
            if not chunk:
                break
            with _gc.paused():  # the chunk's three steps in one pause, as convert_orders_json
                errors, written, result = _convert_chunk(
                    chunk, reader, options, writer, writer_converter
                )
            for error in errors:
                unreadable.write(f"unreadable: {_renumbered(error, read)}")
            unreadable_count += len(errors)
            read += len(chunk)
            converted += written
            for warning in result.warnings:
                warnings.write(f"warning: order {warning.order_id}: {warning.message}")
            for rejection in result.rejected:
                word = "skipped" if rejection.filtered else "rejected"
                rejections.write(f"{word} ({rejection.reason}): {rejection.error}")
                _forget_tracebacks(rejection.error)
                if rejection.filtered:
                    filtered += 1
                else:
                    rejected += 1
            progress.update(read, stream.consumed)
        partial = _check_page(stream.page, args.file)
    finally:
        progress.done()
        if args.file != "-":
            source.close()  # standard input stays open for whoever else reads it
    writer.close()
    for lines in (unreadable, warnings, rejections):
        lines.replay(err)
    if partial is not None:
        print(partial, file=err)
    print(
        f"converted {converted}, skipped {filtered}, rejected {rejected}, "
        f"unreadable {unreadable_count}",
        file=err,
    )
    failed = rejected + unreadable_count
    return 1 if failed and not args.allow_rejected else 0


def _convert_chunk(
    chunk: list[Any],
    reader: lm.JsonConverter,
    options: MappingOptions,
    writer: "_ArrayWriter",
    writer_converter: ss.JsonConverter,
) -> tuple[tuple[ConversionError, ...], int, ConversionResult]:
    """Read, convert and write one chunk: its unreadable orders, how many were written, the report.

    The chunk goes through ``convert_orders_json``'s steps, order by order (and is emptied).
    The report keeps no order: they are written and dropped here, so the models die before the
    caller's collector pause ends and no collection walks them.
    """
    conversion = _convert_document(chunk, options, reader, writer_converter, writer.indent)
    writer.write(conversion.text, conversion.count)
    report = ConversionResult(rejected=conversion.rejected, warnings=conversion.warnings)
    return conversion.unreadable, conversion.count, report


_CHUNK_INDEX = re.compile(r"(?<=at index )\d+|(?<=@ \$\[)\d+(?=\])")


def _renumbered(error: ConversionError, offset: int) -> ConversionError:
    """*error* of an order of a chunk, with its index counted from the document's start."""

    def shift(match: re.Match[str]) -> str:
        return str(int(match.group()) + offset)

    return ConversionError(
        _CHUNK_INDEX.sub(shift, error._message, count=1),
        errors=tuple(_CHUNK_INDEX.sub(shift, line, count=1) for line in error.errors),
    )


def _check_page(page: dict[str, object], name: str) -> str | None:
    """A page's ``count`` and ``next``, checked as ``read_orders`` checks them.

    Returns a warning when the page is one of several: only its own orders are converted.
    """
    if not page:
        return None
    try:
        head = lm.read_orders({**page, "results": []})
    except ConversionError as exc:
        raise _UserError(f"{name}: {exc}") from exc
    if head.next is None:
        return None
    of = f" of {head.count}" if head.count is not None else ""
    return (
        f"warning: {name} is one page{of} orders (next: {head.next}): only its own orders"
        " were converted; fetch every page to convert them all"
    )


def _keys(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``keys``; return the exit status."""
    aliases: dict[type, dict[str, str]] = {}
    for text in args.alias:
        model, dot, rest = text.partition(".")
        key, equals, field = rest.partition("=")
        cls = getattr(lm, model, None)
        if not (dot and equals and isinstance(cls, type)):
            raise _UserError(f"--alias {text!r}: expected MODEL.KEY=FIELD")
        aliases.setdefault(cls, {})[key] = field
    try:
        report = lm.key_report(_jsontext.loads(_read(args.file)), aliases=aliases)
    except OSError as exc:
        raise _UserError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    except (ConversionError, ConfigurationError) as exc:
        raise _UserError(f"{args.file}: {exc}") from exc
    for line in report.lines():
        print(line, file=out)
    return 0


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> int:
    """Run the command line with *argv* (``sys.argv[1:]`` when ``None``); return the status.

    Args:
        argv: The arguments, without the program name.
        prog: The program name for usage lines (default: as the user ran it).
    """
    args = _parser(prog).parse_args(argv)
    out, err = sys.stdout, sys.stderr
    restore = _configure_logging(args, err)
    try:
        return _dispatch(args, out, err)
    except _UserError as exc:
        print(f"error: {exc}", file=err)
        return 2
    except BrokenPipeError:
        # The reader went away (e.g. `... | head`): not an error of ours, and no traceback.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)",
            file=err,
        )
        return 1
    finally:
        restore()


def _dispatch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.command == "convert":
        return _convert(args, out, err)
    if args.command == "serve":
        return _serve_command(args, err)
    if args.command == "sync":
        return _sync(args, out, err)
    if args.command == "check":
        return _check(args, err)
    if args.command == "example-orders":
        return _example_orders(out)
    if args.command == "keys":
        return _keys(args, out, err)
    return 2  # argparse already refuses unknown commands; kept for type checkers
