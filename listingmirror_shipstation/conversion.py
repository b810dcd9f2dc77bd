"""The main job in one call: Listing Mirror orders JSON text → ShipStation ``createorders`` JSON.

:func:`convert_orders_json` reads the text (:func:`listingmirror.read_orders
<listingmirror_shipstation.listingmirror.read_orders>`), applies the integration's rules
(:func:`mapping.convert_orders <listingmirror_shipstation.mapping.convert_orders>`) and writes
the orders ShipStation is to create (:func:`shipstation.dumps
<listingmirror_shipstation.shipstation.dumps>`): the same three steps with the same checks, and
the same bytes, as calling them in turn. Nothing is dropped silently: the result carries the text
*and* every order that could not be read, every order left out with its reason, every warning.

It is also the faster way to run those three steps on a large batch:

- The three steps run in one pause of the cyclic garbage collector (see ``_gc``); called one
  after another, each pause ends with a collection that walks everything the step built and the
  next one still needs (a seventh of a 10,000-order conversion, measured in
  ``docs/performance.md``). Only the text and the report outlive the pause.
- With a writer holding only this library's hooks (the default, or any ``make_converter``
  made without a hook registered since), the orders go through the steps one at a time: each
  is read, converted and unstructured, and its dicts and models are freed, before the next one
  is read, so the work stays in the processor's caches. A writer with a
  hook of the caller's (one that may see the list as a whole) gets the three steps in turn.
  Either way the text and the report are the same; only the order of the log lines differs.
"""

from typing import Any

import cattrs
from attrs import field, frozen

from . import _gc, _hooks, _jsontext
from . import listingmirror as lm
from . import shipstation as ss
from .errors import ConversionError
from .listingmirror import json as lm_json
from .mapping import MappingOptions, MappingWarning, Rejection, convert_orders
from .mapping.orders import _convert_into
from .shipstation import json as ss_json

__all__ = ["JsonConversion", "convert_orders_json"]


@frozen(kw_only=True)
class JsonConversion:
    """What :func:`convert_orders_json` made of a document: the text and the full report.

    Attributes:
        text: The ShipStation orders as one JSON array, ready for ``POST /orders/createorders``
            (the bytes :func:`shipstation.dumps <listingmirror_shipstation.shipstation.dumps>`
            writes); ``[]`` when no order was converted. Left out of the ``repr``.
        count: How many orders *text* holds.
        unreadable: One :class:`~listingmirror_shipstation.errors.ConversionError` per order of
            the document that did not fit the model (its lines start with the order's index,
            ``$[3].order_items[0].quantity``), as ``ParsedOrders.errors``.
        rejected: The orders read but not converted, in document order, each with its reason
            (filtered on purpose or an error), as ``ConversionResult.rejected``.
        warnings: What was converted with a fallback or a value left out.
        next: The page's ``next`` URL when the document is a Listing Mirror page with more
            pages after it (this call converts only the page it is given).
    """

    text: str = field(repr=False)
    count: int
    unreadable: tuple[ConversionError, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    warnings: tuple[MappingWarning, ...] = ()
    next: str | None = None

    @property
    def complete(self) -> bool:
        """Whether every order of the document is in :attr:`text`: none unreadable or rejected.

        Orders filtered out on purpose (FBA/MCF, integrations not chosen) count as rejected
        here; look at ``rejection.filtered`` to tell them apart.
        """
        return not self.unreadable and not self.rejected


def convert_orders_json(
    text: str | bytes,
    options: MappingOptions | None = None,
    *,
    reader: cattrs.Converter | None = None,
    writer: cattrs.Converter | None = None,
    indent: int | None = None,
) -> JsonConversion:
    """Convert Listing Mirror orders JSON text into ShipStation ``createorders`` JSON text.

    One bad order never sinks the others: it is reported in the result and left out of the
    text.

    >>> from listingmirror_shipstation.conversion import convert_orders_json
    >>> result = convert_orders_json('''[
    ...   {"order_id": 7, "market_order_id": "111-222", "order_status": "Paid",
    ...    "order_datetime": "2026-11-27T12:00:00Z",
    ...    "ship_to": {"name": "Ana", "street1": "1 Main St", "city": "Austin", "country": "US"},
    ...    "order_items": [{"sku": "MUG", "quantity": 2, "price": "19.98"}]},
    ...   {"order_id": 8, "market_order_id": "111-333", "order_status": "Paid",
    ...    "order_datetime": "2026-11-27T12:00:00Z"},
    ...   {"order_id": "nine"}
    ... ]''')
    >>> result.count, result.text[:50]
    (1, '[{"orderNumber":"111-222","orderDate":"2026-11-27T')
    >>> [(r.order.order_id, r.reason) for r in result.rejected]
    [(8, 'missing_shipping_address')]
    >>> print(result.unreadable[0].errors[0])
    invalid value for type, expected int: expected an integer, got 'nine' @ $[2].order_id

    Args:
        text: A JSON array of Listing Mirror orders, or one page of them
            (``{"count", "next", "results"}``), as ``str`` or UTF-8 ``bytes``.
        options: The integration's rules (status map, filters ...); the defaults when omitted.
        reader: The Listing Mirror converter (:func:`listingmirror.make_converter
            <listingmirror_shipstation.listingmirror.make_converter>`: aliases, the zone of
            naive times, hooks of yours); a default fast one when omitted.
        writer: The ShipStation converter (:func:`shipstation.make_converter
            <listingmirror_shipstation.shipstation.make_converter>`); a default fast one when
            omitted.
        indent: Indent the text by this many spaces; compact when ``None``.

    Raises:
        ConversionError: The text is not JSON, or is neither an array of orders nor a page;
            or a converted order cannot be written (a hook of the reader's or the writer's gave
            a value no JSON holds), as :func:`shipstation.dumps
            <listingmirror_shipstation.shipstation.dumps>` raises it. The error says where. (A
            single order that cannot be read is reported in :attr:`JsonConversion.unreadable`
            instead.)
    """
    with _gc.paused():  # the three steps in one pause: see the module docstring
        return _convert(text, options or MappingOptions(), reader, writer, indent)


def _convert(
    text: str | bytes,
    options: MappingOptions,
    reader: cattrs.Converter | None,
    writer: cattrs.Converter | None,
    indent: int | None,
) -> JsonConversion:
    """The three steps. The batch's models live only in this frame, which ends in the pause."""
    return _convert_document(_jsontext.loads(text), options, reader, writer, indent)


def _convert_document(
    document: Any,
    options: MappingOptions,
    reader: cattrs.Converter | None,
    writer: cattrs.Converter | None,
    indent: int | None,
) -> JsonConversion:
    """:func:`convert_orders_json` of a parsed *document* of the caller's, which it may empty.

    The caller pauses the collector (the ``convert`` command calls it for each chunk it read).
    """
    writer = writer or ss_json._DEFAULT
    if _hooks.own_hooks_only(writer):
        reader = reader or lm_json._DEFAULT
        return _convert_streaming(document, options, reader, writer, indent)
    parsed = lm.read_orders(document, converter=reader)
    del document  # the orders are read: their dicts can go as soon as possible
    result = convert_orders(parsed.orders, options)
    orders = list(result.orders)
    written = ss.dumps(orders, converter=writer, indent=indent)
    return JsonConversion(
        text=written,
        count=len(orders),
        unreadable=parsed.errors,
        rejected=result.rejected,
        warnings=result.warnings,
        next=parsed.next,
    )


def _convert_streaming(
    document: Any,
    options: MappingOptions,
    reader: cattrs.Converter,
    writer: cattrs.Converter,
    indent: int | None,
) -> JsonConversion:
    """The three steps one order at a time: read, convert, unstructure, then the next order.

    Each order's dicts, its Listing Mirror model, its ShipStation model and its output dicts are
    freed before the next order is read (its JSON bytes are kept), so the work stays in the
    processor's caches instead of walking four batch-sized heaps in turn (see "One order at a
    time" in ``docs/performance.md``).
    The result is the same as the three calls': the same readers and rules in the same order,
    and each order unstructured by the hook the list's unstructuring would use (*writer* holds
    only our hooks, so no hook of a caller's sees the list as a whole).
    """
    results, _, next_url = lm_json._page(document, reader)
    lm_json._log_key_report(results, reader)
    del document
    unreadable: list[ConversionError] = []
    orders = lm_json._read_each(results, reader, unreadable, release=type(results) is list)
    written = _Written(writer)
    rejected, warnings = _convert_into(
        orders, options, written.append, typed=_hooks.own_hooks_only(reader)
    )
    del orders, results
    return JsonConversion(
        text=written.text(indent),
        count=written.count,
        unreadable=tuple(unreadable),
        rejected=rejected,
        warnings=warnings,
        next=next_url,
    )


class _Written:
    """The ShipStation orders of a conversion, each unstructured and encoded as it comes.

    None is kept. When an order cannot be unstructured, its error is kept and the orders after
    it are only counted; :meth:`text` raises it as ``shipstation.dumps`` of the whole list
    would, after every order was read and converted, as the three steps do: the same exception,
    and for a ``ValueError`` or ``TypeError`` the same ``ConversionError``, naming the path in
    the first order that fails (see ``_hooks.unstructure``). Encoding is
    :class:`~listingmirror_shipstation._jsontext.ArrayEncoder`'s, which gives the bytes and
    errors of encoding the whole list.
    """

    __slots__ = ("_array", "_error", "_unstructure", "count")

    def __init__(self, writer: cattrs.Converter) -> None:
        self._unstructure = writer.unstructure  # per order, as cattrs does per item of a list
        self._array = _jsontext.ArrayEncoder()
        self._error: BaseException | None = None
        self.count = 0

    def append(self, order: ss.Order) -> None:
        """Unstructure and encode *order* now."""
        index = self.count
        self.count += 1
        if self._error is not None:
            return
        try:
            data = self._unstructure(order)
        except (ValueError, TypeError) as exc:
            self._error = _hooks.unwritable(
                order, exc, ss_json._path_name, path=f"$[{index}]", what="list"
            )
            self._error.__cause__ = exc
            self._array = _jsontext.ArrayEncoder()  # nothing more is written: free it now
            return
        except Exception as exc:  # raised where dumps of the list raises it: at the end
            self._error = exc
            self._array = _jsontext.ArrayEncoder()
            return
        self._array.add(data)

    def text(self, indent: int | None) -> str:
        """The JSON text, as ``shipstation.dumps(orders)`` writes it (or fails to)."""
        # Taken out of self first: the error's traceback holds this frame, which holds self.
        error, self._error = self._error, None
        if error is not None:
            try:
                raise error
            finally:
                del error
        return self._array.getvalue(indent=indent).decode("utf-8")
