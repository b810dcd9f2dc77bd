"""Listing Mirror API v2 JSON: snake_case keys as Listing Mirror spells them.

* Keys are the attribute names unchanged (``market_order_id``, ``order_items``).
* Money is read from JSON numbers or numeric strings (Django REST Framework writes decimals as
  strings) and written as strings, digit for digit.
* Timestamps are ISO 8601; a value without an offset is wall time in ``naive_zone`` (UTC unless
  told otherwise, since Listing Mirror does not document its zone). They are written in UTC.
* Unknown keys are ignored (refused with ``strict=True``); unknown enum spellings are kept as
  :class:`~listingmirror_shipstation.Unrecognized`; common weight-unit spellings (``lbs``,
  ``GR``, ``kilograms`` ...) are read as :class:`~.models.WeightUnit` members.
"""

import enum
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from .. import _hooks, _jsontext, _time
from ..errors import ConversionError
from .models import FulfillmentChannel, InventoryLevel, Order, OrderItem, Product, WeightUnit

__all__ = [
    "CONFIRMED_KEYS",
    "ParsedOrders",
    "configure_converter",
    "dumps",
    "loads",
    "make_converter",
    "read_orders",
]

T = TypeVar("T")

#: The keys that a public consumer of Listing Mirror's API is seen to use; every other key of
#: the models is a name of ours, chosen until Listing Mirror publishes its own.
CONFIRMED_KEYS: Final[Mapping[type, frozenset[str]]] = {
    Order: frozenset(
        {
            "order_id",
            "market_order_id",
            "alternate_market_order_id",
            "alternate_market_order_id_2",
            "order_datetime",
            "order_status",
            "integration_config_id",
            "order_items",
        }
    ),
    InventoryLevel: frozenset({"sku", "quantity"}),
    Product: frozenset(
        {
            "sku",
            "listing_id",
            "variation_title",
            "asin",
            "upc",
            "mpn",
            "price",
            "cost",
            "shipping_weight",
            "shipping_weight_unit_of_measure",
            "item_shipping_length",
            "item_shipping_width",
            "item_shipping_height",
            "item_shipping_unit_of_measure",
            "thumb",
        }
    ),
    OrderItem: frozenset(
        {
            "sku",
            "quantity",
            "price",
            "item_discount",
            "shipping_discount",
            "shipping_price",
            "shipping_tax",
            "tax",
            "gift_warp_price",
            "gift_warp_tax",
        }
    ),
}

_WEIGHT_ALIASES: Final[Mapping[str, WeightUnit]] = {
    **dict.fromkeys(("lb", "lbs", "pound", "pounds"), WeightUnit.POUND),
    **dict.fromkeys(("oz", "ounce", "ounces"), WeightUnit.OUNCE),
    **dict.fromkeys(("g", "gr", "grs", "gram", "grams"), WeightUnit.GRAM),
    **dict.fromkeys(("kg", "kgs", "kilogram", "kilograms"), WeightUnit.KILOGRAM),
}


def _alias(enum_cls: type[enum.Enum], value: str) -> enum.Enum | None:
    if enum_cls is WeightUnit:
        return _WEIGHT_ALIASES.get(value.strip().lower())
    if enum_cls is FulfillmentChannel:
        return FulfillmentChannel.read(value)
    return None


def configure_converter(converter: cattrs.Converter, *, naive_zone: tzinfo = UTC) -> None:
    """Teach *converter* Listing Mirror's JSON (see the module docstring for the rules)."""
    _hooks.register_strict_primitives(converter)
    _hooks.register_strict_sequences(converter)
    _hooks.register_decimal(converter, as_string=True)
    _hooks.register_fast_optionals(converter)
    _hooks.register_lenient_enums(converter, aliases=_alias)

    def structure_datetime(value: object, _: type) -> datetime:
        if not isinstance(value, str):
            raise TypeError(f"expected an ISO 8601 string, got {value!r}")
        return _time.parse_iso(value, naive_zone)

    def structure_date(value: object, _: type) -> date:
        if not isinstance(value, str):
            raise TypeError(f"expected an ISO 8601 date, got {value!r}")
        return date.fromisoformat(value.strip()[:10])

    converter.register_structure_hook(datetime, structure_datetime)
    converter.register_unstructure_hook(datetime, _time.format_iso_utc)
    converter.register_structure_hook(date, structure_date)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook_factory(
        attrs.has, lambda cls: make_dict_structure_fn(cls, converter)
    )
    converter.register_unstructure_hook_factory(
        attrs.has, lambda cls: make_dict_unstructure_fn(cls, converter)
    )


def make_converter(
    *, strict: bool = False, naive_zone: tzinfo = UTC, detailed: bool = True
) -> cattrs.Converter:
    """Return a new converter for Listing Mirror JSON.

    Args:
        strict: Refuse unknown keys instead of ignoring them (for golden-file tests).
        naive_zone: Zone of timestamps that carry no offset.
        detailed: Collect every error with its path (cattrs' detailed validation). With
            ``False`` the converter is faster, and this library's ``loads``/``read_orders``
            still explain a failure in full by re-reading with a detailed twin.
    """
    converter = (
        cattrs.Converter(forbid_extra_keys=strict)
        if detailed
        else _hooks.FastConverter(
            forbid_extra_keys=strict, explainer=make_converter(strict=strict, naive_zone=naive_zone)
        )
    )
    configure_converter(converter, naive_zone=naive_zone)
    return converter


_DEFAULT: Final = make_converter(detailed=False)


def loads(text: str | bytes, cls: type[T], *, converter: cattrs.Converter | None = None) -> T:
    """Read JSON text into *cls* (a model or e.g. ``list[Order]``).

    Raises:
        ConversionError: The text is not JSON, or does not fit *cls*; the error says where.
    """
    return _hooks.structure(converter or _DEFAULT, _jsontext.loads(text), cls)


def dumps(
    value: Any, *, converter: cattrs.Converter | None = None, indent: int | None = None
) -> str:
    """Write a model (or a list of models) as Listing Mirror JSON text."""
    return _jsontext.dumps(_hooks.unstructure(converter or _DEFAULT, value), indent=indent)


@attrs.frozen(kw_only=True)
class ParsedOrders:
    """Orders read from a Listing Mirror document, with the ones that could not be read.

    Attributes:
        orders: Every order that fitted the model, in document order.
        errors: One :class:`~listingmirror_shipstation.errors.ConversionError` per order that did
            not; its lines start with the order's index (``$[3].order_items[0].quantity``).
        count: The page's ``count`` (total number of orders), when the document is a page.
        next: The page's ``next`` URL, when the document is a page and there is a next page.
    """

    orders: tuple[Order, ...]
    errors: tuple[ConversionError, ...] = ()
    count: int | None = None
    next: str | None = None


def _optional(conv: cattrs.Converter, value: object, cls: type[T], key: str) -> T | None:
    if value is None:
        return None
    try:
        return _hooks.structure(conv, value, cls, what=key)
    except ConversionError as exc:
        raise ConversionError("cannot read the page", errors=(f"{exc} @ $.{key}",)) from exc


def read_orders(document: object, *, converter: cattrs.Converter | None = None) -> ParsedOrders:
    """Read every order of a parsed JSON document; one bad order never hides the others.

    Args:
        document: A JSON array of orders, or a page ``{"count", "next", "results"}``, as
            returned by :func:`json.loads` (use ``parse_float=Decimal``) or
            :func:`listingmirror_shipstation.listingmirror.loads`.
        converter: The converter to use; a default lenient one when omitted.

    Raises:
        ConversionError: The document is neither an array nor a page.
    """
    conv = converter or _DEFAULT
    count: int | None = None
    next_url: str | None = None
    if isinstance(document, Mapping) and "results" in document:
        results = document["results"]
        count = _optional(conv, document.get("count"), int, "count")
        next_url = _optional(conv, document.get("next"), str, "next")
    else:
        results = document
    if isinstance(results, str | bytes) or not isinstance(results, Sequence):
        raise ConversionError(
            "cannot read orders",
            errors=("expected a JSON array of orders or a page with 'results' @ $",),
        )
    orders: list[Order] = []
    errors: list[ConversionError] = []
    for index, raw in enumerate(results):
        try:
            orders.append(_hooks.structure(conv, raw, Order))
        except ConversionError as exc:
            lines = tuple(line.replace("@ $", f"@ $[{index}]", 1) for line in exc.errors)
            errors.append(ConversionError(f"cannot read order at index {index}", errors=lines))
    return ParsedOrders(orders=tuple(orders), errors=tuple(errors), count=count, next=next_url)
