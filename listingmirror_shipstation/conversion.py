"""The main job in one call: Listing Mirror orders JSON text → ShipStation ``createorders`` JSON.

:func:`convert_orders_json` reads the text (:func:`listingmirror.read_orders
<listingmirror_shipstation.listingmirror.read_orders>`), applies the integration's rules
(:func:`mapping.convert_orders <listingmirror_shipstation.mapping.convert_orders>`) and writes
the orders ShipStation is to create (:func:`shipstation.dumps
<listingmirror_shipstation.shipstation.dumps>`): the same three steps with the same checks, and
the same bytes, as calling them in turn. Nothing is dropped silently: the result carries the text
*and* every order that could not be read, every order left out with its reason, every warning.

It is also the faster way to run those three steps on a large batch. Each step pauses the cyclic
garbage collector while it builds its objects (see ``_gc``); called one after another, each
pause ends with a collection that walks everything the step built and the next one still needs
(a seventh of a 10,000-order conversion, measured in ``docs/performance.md``). Here the three run
in one pause, and only the text and the report outlive it.
"""

from typing import Any

import cattrs
from attrs import field, frozen

from . import _gc, _jsontext
from . import listingmirror as lm
from . import shipstation as ss
from .errors import ConversionError
from .mapping import MappingOptions, MappingWarning, Rejection, convert_orders

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
            the error says where. (A single order that cannot be read is reported in
            :attr:`JsonConversion.unreadable` instead.)
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
    document: Any = _jsontext.loads(text)
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
