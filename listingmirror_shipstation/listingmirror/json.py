"""Listing Mirror API v2 JSON: snake_case keys as Listing Mirror spells them.

* Keys are the attribute names unchanged (``market_order_id``, ``order_items``).
* Money is read from JSON numbers or numeric strings (Django REST Framework writes decimals as
  strings) and written as strings, digit for digit.
* Timestamps are ISO 8601; a value without an offset is wall time in ``naive_zone`` (UTC unless
  told otherwise, since Listing Mirror does not document its zone). They are written in UTC.
* Unknown keys are ignored (refused with ``strict=True``); unknown enum spellings are kept as
  :class:`~listingmirror_shipstation.Unrecognized`; common weight-unit spellings (``lbs``,
  ``GR``, ``kilograms`` ...) are read as :class:`~.models.WeightUnit` members, and fulfillment
  channels by :meth:`~.models.FulfillmentChannel.read` (``AFN``, ``Merchant`` ...).
* Many key names are ours (Listing Mirror publishes no schema): ``aliases`` maps the names
  Listing Mirror really sends onto the model, and :func:`key_report` shows which keys a
  document carries that the model ignores, and which the model expects that never came.
"""

import contextlib
import enum
import logging
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from .. import _fast_structure, _fast_unstructure, _gc, _hooks, _jsontext, _time
from .._values import TypedModels
from ..errors import ConfigurationError, ConversionError
from .models import FulfillmentChannel, InventoryLevel, Order, OrderItem, Product, WeightUnit

__all__ = [
    "CONFIRMED_KEYS",
    "JsonConverter",
    "KeyReport",
    "ParsedOrders",
    "configure_converter",
    "dumps",
    "key_report",
    "loads",
    "make_converter",
    "read_orders",
]

# An alias table: for a model class, Listing Mirror's real key -> the model's attribute name,
# e.g. ``{Order: {"purchase_date": "order_datetime"}}``.
Aliases = Mapping[type, Mapping[str, str]]

T = TypeVar("T")

logger = logging.getLogger(__name__)

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


def _check_aliases(aliases: Aliases) -> dict[type, dict[str, str]]:
    checked: dict[type, dict[str, str]] = {}
    for cls, table in aliases.items():
        if not (isinstance(cls, type) and attrs.has(cls)):
            raise ConfigurationError(f"aliases: {cls!r} is not a model class")
        names = {a.name for a in attrs.fields(cls)}
        for key, name in table.items():
            if name not in names:
                raise ConfigurationError(
                    f"aliases: {cls.__name__} has no field {name!r} (for key {key!r})"
                )
        if len(set(table.values())) != len(table):
            raise ConfigurationError(f"aliases: two keys of {cls.__name__} name the same field")
        checked[cls] = dict(table)
    return checked


def configure_converter(
    converter: cattrs.Converter, *, naive_zone: tzinfo = UTC, aliases: Aliases | None = None
) -> None:
    """Teach *converter* Listing Mirror's JSON (see the module docstring for the rules).

    Args:
        converter: The converter to configure.
        naive_zone: Zone of timestamps that carry no offset.
        aliases: Listing Mirror's real key names for model fields, by model class
            (``{Order: {"purchase_date": "order_datetime"}}``): such a key is read into the
            field (the model's own name is still read when the alias is absent) and the field
            is written under it.

    Raises:
        ConfigurationError: An alias names a field the model does not have.
    """
    table = _check_aliases(aliases or {})
    with contextlib.suppress(AttributeError):  # remembered for read_orders' DEBUG key report
        setattr(converter, "listingmirror_aliases", table)  # noqa: B010 - not every class has it
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

    # Factories that take the converter they build for: a copy (the detailed explainer of a
    # fast converter, a user's copy) generates its own functions, with its own hooks.
    def structure_factory(cls: Any, conv: cattrs.Converter) -> Any:
        base: Any = make_dict_structure_fn(cls, conv)
        if not conv.detailed_validation:  # cattrs' function stays the fallback (and explains)
            base = _fast_structure.make_structure_fn(cls, conv, base)
        renames = table.get(cls)
        if not renames:
            return base

        def structure_aliased(value: Any, tp: Any) -> Any:
            if isinstance(value, Mapping):
                value = dict(value)
                for key, name in renames.items():
                    if key in value:
                        raw = value.pop(key)
                        value.setdefault(name, raw)
            return base(value, tp)

        return structure_aliased

    def unstructure_factory(cls: Any, conv: cattrs.Converter) -> Any:
        overrides: dict[str, Any] = {  # dict[str, Any]: mypy --strict, as in shipstation.json
            name: override(rename=key) for key, name in table.get(cls, {}).items()
        }
        return _fast_unstructure.make_unstructure_fn(cls, conv, **overrides)

    converter.register_structure_hook_factory(attrs.has, structure_factory)
    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)


class JsonConverter(_hooks.FastConverter):
    """A Listing Mirror JSON converter that owns its JSON text (cattrs' preconf pattern).

    :meth:`loads`, :meth:`dumps` and :meth:`read_orders` read and write with this converter's
    hooks, so the hooks a user registers apply on every path, refusals and their explanations
    included. It also remembers its alias table (for the key report). Made by
    :func:`make_converter`.

    .. versionadded:: 0.2
    """

    def loads(self, text: str | bytes, cls: type[T]) -> T:
        """Read JSON text into *cls* (see :func:`loads`)."""
        return loads(text, cls, converter=self)

    def dumps(self, value: Any, *, indent: int | None = None) -> str:
        """Write a model (or a list of models) as Listing Mirror JSON text (see :func:`dumps`)."""
        return dumps(value, converter=self, indent=indent)

    def read_orders(self, document: object) -> "ParsedOrders":
        """Read every order of a parsed JSON document (see :func:`read_orders`)."""
        return read_orders(document, converter=self)


def make_converter(
    *,
    strict: bool = False,
    naive_zone: tzinfo = UTC,
    detailed: bool = True,
    aliases: Aliases | None = None,
) -> JsonConverter:
    """Return a new converter for Listing Mirror JSON.

    Give it to :class:`~listingmirror_shipstation.listingmirror.ListingMirrorClient`
    (``converter=``), :func:`loads` or :func:`read_orders` to read with your aliases.

    >>> from listingmirror_shipstation import listingmirror as lm
    >>> converter = lm.make_converter(aliases={lm.Order: {"purchase_date": "order_datetime"}})
    >>> order = lm.loads(
    ...     '{"order_id": 1, "market_order_id": "A", "order_status": "Paid",'
    ...     ' "purchase_date": "2026-11-20T10:00:00Z"}', lm.Order, converter=converter)
    >>> order.order_datetime.isoformat()
    '2026-11-20T10:00:00+00:00'

    Args:
        strict: Refuse unknown keys instead of ignoring them (for golden-file tests).
        naive_zone: Zone of timestamps that carry no offset.
        detailed: Collect every error with its path (cattrs' detailed validation). With
            ``False`` the converter is faster, and this library's ``loads``/``read_orders``
            still explain a failure in full by re-reading with a detailed copy of the same
            converter (its hooks, yours included).
        aliases: Listing Mirror's real key names for model fields, by model class
            (``{Order: {"purchase_date": "order_datetime"}}``), read and written.

    Raises:
        ConfigurationError: An alias names a field the model does not have.
    """
    converter = JsonConverter(forbid_extra_keys=strict, detailed_validation=detailed)
    configure_converter(converter, naive_zone=naive_zone, aliases=aliases)
    converter._seal()  # only our hooks so far: what it reads needs no second type check
    return converter


# Only for the functions below called without a converter (a convenience, as cattrs' own global
# converter is): the library's own code passes the converter it was given.
_DEFAULT: Final = make_converter(detailed=False)


def loads(text: str | bytes, cls: type[T], *, converter: cattrs.Converter | None = None) -> T:
    """Read JSON text into *cls* (a model or e.g. ``list[Order]``).

    Raises:
        ConversionError: The text is not JSON, or does not fit *cls*; the error says where.
    """
    data = _jsontext.loads(text)
    if isinstance(data, Mapping) and getattr(cls, "__origin__", None) in (list, tuple, Sequence):
        # A {count, next, results} page read as a list: say so, not one line per field.
        raise ConversionError(
            "cannot read a list",
            errors=("expected an array, got an object (a page? use read_orders()) @ $",),
        )
    return _hooks.structure(converter or _DEFAULT, data, cls)


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

    With DEBUG logging on (logger ``listingmirror_shipstation.listingmirror.json``), the
    :func:`key_report` of every document read is logged, so the client's pages show which keys
    Listing Mirror sends that the models ignore, and which never come.

    Args:
        document: A JSON array of orders, or a page ``{"count", "next", "results"}``, as
            returned by :func:`json.loads` (use ``parse_float=Decimal``) or
            :func:`listingmirror_shipstation.listingmirror.loads`.
        converter: The converter to use; a default lenient one when omitted.

    Raises:
        ConversionError: The document is neither an array nor a page.
    """
    return _read_orders(document, converter or _DEFAULT, log_keys=True)


def _log_key_report(results: object, converter: cattrs.Converter) -> None:
    """Log the :func:`key_report` of *results* at DEBUG, with *converter*'s aliases (if on)."""
    if logger.isEnabledFor(logging.DEBUG):
        aliases = getattr(converter, "listingmirror_aliases", None)
        report = key_report(results, aliases=aliases)
        logger.debug("Listing Mirror keys: %s", "; ".join(report.lines()))


def _read_orders(document: object, conv: cattrs.Converter, *, log_keys: bool) -> ParsedOrders:
    results, count, next_url = _page(document, conv)
    if log_keys:
        _log_key_report(results, conv)
    errors: list[ConversionError] = []
    with _gc.paused():  # thousands of models, none in a cycle (see _gc)
        orders = list(_read_each(results, conv, errors))
    # Read with our hooks only, every value has its declared type: the mapping skips its
    # type guard for these (see _values.TypedModels).
    kept = TypedModels(orders) if _hooks.own_hooks_only(conv) else tuple(orders)
    return ParsedOrders(orders=kept, errors=tuple(errors), count=count, next=next_url)


def _page(
    document: object, conv: cattrs.Converter
) -> tuple[Sequence[object], int | None, str | None]:
    """The orders of *document* (an array, or a page's ``results``), its ``count`` and ``next``.

    Raises:
        ConversionError: The document is neither an array nor a page, or the page's ``count``
            or ``next`` does not fit.
    """
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
    return results, count, next_url


def _read_each(
    results: Sequence[object],
    conv: cattrs.Converter,
    errors: list[ConversionError],
    *,
    release: bool = False,
) -> Iterator[Order]:
    """Read the orders of *results* one at a time; each one that does not fit goes to *errors*.

    With *release* (a list the caller owns, as :func:`~listingmirror_shipstation.conversion.
    convert_orders_json` does), each order's item is set to ``None`` once read, so its dicts are
    freed before the next order is read instead of at the end of the batch.
    """
    hook = conv.get_structure_hook(Order)  # looked up once for the batch
    for index, raw in enumerate(results):
        if release:
            results[index] = None  # type: ignore[index]  # a list of the caller's own
        try:
            try:
                order = hook(raw, Order)
            except Exception:  # explained (or re-raised) as _hooks.structure does
                order = _hooks.structure(conv, raw, Order)
        except ConversionError as exc:
            lines = tuple(line.replace("@ $", f"@ $[{index}]", 1) for line in exc.errors)
            errors.append(ConversionError(f"cannot read order at index {index}", errors=lines))
            continue
        del raw
        yield order


@attrs.frozen(kw_only=True)
class KeyReport:
    """What a Listing Mirror document carries compared with the models.

    Attributes:
        ignored: Keys received that no model field reads, as ``"Model.key"`` (sorted), with how
            many objects carried each.
        missing: Model fields that never came, as ``"Model.field"`` (sorted), for every model
            of which at least one object was seen.
        objects: How many objects of each model were seen, by model name.
    """

    ignored: Mapping[str, int]
    missing: tuple[str, ...]
    objects: Mapping[str, int]

    def lines(self) -> list[str]:
        """The report as lines for people (what the ``keys`` command prints)."""
        out = [f"{name}: {count} seen" for name, count in sorted(self.objects.items())]
        out += [f"ignored: {key} ({count})" for key, count in self.ignored.items()]
        out += [f"missing: {key}" for key in self.missing]
        return out


def _nested_model(tp: Any) -> type | None:
    """The model class inside ``M``, ``M | None`` or ``tuple[M, ...]``, if any."""
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    for arg in typing.get_args(tp):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def key_report(document: object, cls: type = Order, *, aliases: Aliases | None = None) -> KeyReport:
    """Compare the keys of a Listing Mirror document with the model, nested models included.

    >>> from listingmirror_shipstation import listingmirror as lm
    >>> report = lm.key_report([{"order_id": 1, "purchase_date": "2026-11-20", "order_items": []}])
    >>> report.ignored["Order.purchase_date"]
    1
    >>> "Order.market_order_id" in report.missing
    True

    Args:
        document: Parsed JSON: an object, a list of objects, or a page with ``results``.
        cls: The model of the top-level objects
            (:class:`~listingmirror_shipstation.listingmirror.Order` by default).
        aliases: The alias table the converter uses; aliased keys count as read.
    """
    table = _check_aliases(aliases or {})
    ignored: dict[str, int] = {}
    seen_fields: dict[type, set[str]] = {}
    objects: dict[type, int] = {}

    def visit(value: object, model: type) -> None:
        if not isinstance(value, Mapping):
            return
        objects[model] = objects.get(model, 0) + 1
        fields = {a.name: a for a in attrs.fields(model)}
        renames = table.get(model, {})
        seen = seen_fields.setdefault(model, set())
        for raw_key, item in value.items():
            key = str(raw_key)
            name = renames.get(key, key)
            attribute = fields.get(name)
            if attribute is None:
                label = f"{model.__name__}.{key}"
                ignored[label] = ignored.get(label, 0) + 1
                continue
            seen.add(name)
            nested = _nested_model(attribute.type)
            if nested is None:
                continue
            children: Iterable[object] = item if isinstance(item, list | tuple) else (item,)
            for child in children:
                visit(child, nested)

    if isinstance(document, Mapping) and "results" in document:
        document = document["results"]
    for item in document if isinstance(document, list | tuple) else (document,):
        visit(item, cls)
    missing = sorted(
        f"{model.__name__}.{a.name}"
        for model in objects
        for a in attrs.fields(model)
        if a.name not in seen_fields.get(model, set())
    )
    return KeyReport(
        ignored=dict(sorted(ignored.items())),
        missing=tuple(missing),
        objects={model.__name__: count for model, count in objects.items()},
    )
