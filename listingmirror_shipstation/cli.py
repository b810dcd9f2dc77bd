"""The command line: ``python -m listingmirror_shipstation convert FILE``.

``convert`` reads Listing Mirror orders (a JSON array, or a ``{count, next, results}`` page) and
prints the ShipStation ``createorders`` payload on standard output. Everything that did not
become a ShipStation order is reported on standard error with its reason.

Exit status: 0 when every order was converted or filtered out on purpose (FBA/MCF, integration
not chosen); 1 when at least one order was rejected or could not be read (``--allow-rejected``
makes that 0 too); 2 when the command itself could not run (bad arguments, unreadable file).
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__, _jsontext
from . import listingmirror as lm
from . import shipstation as ss
from .errors import ConversionError
from .mapping import DEFAULT_EXCLUDED_FULFILLMENT, MappingOptions, convert_orders

__all__ = ["EXAMPLE_ORDERS", "main"]

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
        "--integration",
        type=int,
        action="append",
        metavar="ID",
        help="only orders from this integration_config_id (repeat for several)",
    )
    convert.add_argument(
        "--include-fba-mcf",
        action="store_true",
        help="also export orders fulfilled by FBA or MCF (left out by default)",
    )
    convert.add_argument("--store-id", type=int, help="ShipStation store id for the orders")
    convert.add_argument(
        "--allow-rejected",
        action="store_true",
        help="exit 0 even when orders were rejected (they are still reported)",
    )
    convert.add_argument("--compact", action="store_true", help="print the JSON on one line")
    return parser


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
    options = MappingOptions(
        integrations=args.integration,
        excluded_fulfillment=() if args.include_fba_mcf else DEFAULT_EXCLUDED_FULFILLMENT,
        store_id=args.store_id,
    )
    result = convert_orders(parsed.orders, options)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (``sys.argv[1:]`` when ``None``); return the status."""
    args = _parser().parse_args(argv)
    if args.command == "convert":
        return _convert(args, sys.stdout, sys.stderr)
    return 2  # argparse already refuses unknown commands; kept for type checkers
