"""Custom Store XML: safe parsing of untrusted documents, streaming rendering of the export.

Every element of the export is listed once, in one table (``customstore/_fields.py``: tag,
model attribute, kind, limit); the renderer, the export's parser, ``normalise`` and the
limits are all built from it, so a field added to the table is written, read, normalised and
limited, and a model field missing from it fails the tests.

Rendering (:func:`~listingmirror_shipstation.customstore.render_orders`,
:func:`~listingmirror_shipstation.customstore.iter_render_orders`) always produces well-formed
UTF-8:

* free text is wrapped in CDATA (the current v1 documentation's advice), every ``]]>`` split as
  ``]]]]><![CDATA[>``; with ``cdata=False`` it is escaped (``&``, ``<``, ``>``) instead;
* characters XML 1.0 forbids (C0 controls but tab, LF and CR; surrogates; U+FFFE, U+FFFF) are
  removed, and line ends are written as LF (an XML parser turns CR and CR LF into LF anyway);
* free text is cut **by characters** to the limits in
  :data:`~listingmirror_shipstation.customstore.validate.LIMITS` (the tightest documented limit
  where ShipStation's documents disagree), at most ``MAX_OPTIONS`` (10) options per item; a code
  (:data:`~listingmirror_shipstation.customstore.validate.CODES`: ids, SKU, UPC, country ...)
  is never cut: ``validate_order`` refuses it first;
* every ``<Item>`` has a ``<SKU>`` element, empty (``<SKU/>``) when the line has none (an
  adjustment line), as the protocol requires;
* dates are UTC ``MM/dd/yyyy HH:mm``; money and weights have two decimals (half-up), and a
  positive weight is never written as zero (at least ``0.01``).

:func:`~listingmirror_shipstation.customstore.normalise` applies exactly these rules to an
order, so that ``parse_orders(render_orders([o], pages=1)).orders == (normalise(o),)`` for every
order ``o`` that :func:`~listingmirror_shipstation.customstore.validate_order` accepts.

Parsing (:func:`~listingmirror_shipstation.customstore.parse_orders`,
:func:`~listingmirror_shipstation.customstore.parse_ship_notice`) forbids DTDs: a DOCTYPE, an
entity declaration or an external reference raises
:class:`~listingmirror_shipstation.errors.UnsafeXMLError` before anything is expanded or
fetched. A first pass of expat with only defusedxml's refusing handlers reads the bytes; the C
ElementTree parser then reads the same bytes, through the same expat, only if the first pass
found no DOCTYPE (so it can expand and fetch nothing). A body over ``max_bytes`` raises
:class:`~listingmirror_shipstation.errors.PayloadTooLargeError` before it is parsed. Elements
may come in any order, CDATA or not; empty elements read as ``None``; unknown elements are
ignored. On any input the parsers raise nothing but this library's errors.
"""

import enum
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import Any, Final, TypeVar
from xml.etree.ElementTree import Element, ParseError, fromstring
from xml.parsers import expat
from xml.parsers.expat import ExpatError
from xml.sax.saxutils import escape

import attrs
import defusedxml

from .. import _time
from .._values import Unrecognized
from ..errors import (
    ConversionError,
    PayloadTooLargeError,
    UnsafeXMLError,
    ValidationError,
    XMLError,
)
from ._fields import ORDER, Field, Kind
from .models import (
    Address,
    ExportQuery,
    Order,
    OrdersPage,
    ShipNotice,
    ShipNoticeItem,
)
from .validate import clean_text, validate_order

__all__ = [
    "DEFAULT_MAX_BYTES",
    "iter_render_orders",
    "normalise",
    "parse_export_query",
    "parse_orders",
    "parse_ship_notice",
    "render_orders",
]

T = TypeVar("T")

_CENT: Final = Decimal("0.01")

#: Largest body the parsers read (1 MiB); a ShipNotice is a few kilobytes.
DEFAULT_MAX_BYTES: Final = 1024 * 1024


# --- rendering -----------------------------------------------------------------------------


def _required_attrs(model: type) -> frozenset[str]:
    """The attributes of *model* without a default (required elements of the document)."""
    return frozenset(a.name for a in attrs.fields(model) if a.default is attrs.NOTHING)


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _weight(value: Decimal | None) -> Decimal | None:
    """Two decimals, half-up; a positive weight never becomes zero."""
    rounded = _money(value)
    if value is not None and value > 0 and rounded == 0:
        return _CENT
    return rounded


def _instant(value: datetime) -> datetime:
    """The minute the export writes, in UTC."""
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def _normaliser(row: Field, *, required: bool) -> Callable[[Any], Any]:
    """What the export makes of a value of *row* (the value read back from it)."""
    kind = row.kind
    if kind in (Kind.TEXT, Kind.CODE):
        limit = row.limit or 0
        if required:
            return lambda value: clean_text(value, limit) or ""
        return lambda value: clean_text(value, limit)
    if kind is Kind.MONEY:
        return _money
    if kind is Kind.WEIGHT:
        return _weight
    if kind is Kind.DATE:
        return _instant
    if kind is Kind.NESTED:
        build = _model_normaliser(row)
        return lambda value: None if value is None else build(value)
    if kind is Kind.LIST:
        build = _model_normaliser(row)
        count = row.max_count
        return lambda values: tuple(build(v) for v in values[:count])
    return lambda value: value  # INT, BOOL, ENUM: written as they are


def _model_normaliser(row: Field) -> Callable[[Any], Any]:
    model = row.model
    assert model is not None  # noqa: S101 - NESTED and LIST rows name their model
    required = _required_attrs(model)
    steps = [
        (f.attr, _normaliser(f, required=f.attr in required))
        for f in row.fields
        if f.attr not in row.omit
    ]

    def build(value: Any) -> Any:
        return model(**{attr: step(getattr(value, attr)) for attr, step in steps})

    return build


#: The export's ``<Order>`` as a row of the table, for the functions built from rows.
_ORDER_ROW: Final = Field("", "Order", Kind.NESTED, model=Order, fields=ORDER)
_NORMALISE_ORDER: Final = _model_normaliser(_ORDER_ROW)


def normalise(order: Order) -> Order:
    """Return *order* as the export will carry it (see the module docstring for the rules).

    Every field is normalised as its row of the export's field table says (text cleaned and cut,
    money and weights rounded, dates in UTC to the minute, at most ``MAX_OPTIONS`` options);
    customer addresses: only ``BillTo`` carries an email, ``ShipTo`` carries none.
    """
    result: Order = _NORMALISE_ORDER(order)
    return result


#: Appends an element for one model's value to the list of parts.
_Emit = Callable[[list[str], Any], None]


def _emitter(row: Field, *, cdata: bool) -> _Emit:
    """The function writing *row*'s element for a model instance."""
    get = attrgetter(row.attr)
    tag = row.tag
    start, end = f"<{tag}>", f"</{tag}>"
    kind = row.kind
    if kind in (Kind.TEXT, Kind.CODE):
        limit = row.limit or 0
        empty = f"<{tag}/>" if row.empty_element else None
        start_cdata, end_cdata = f"<{tag}><![CDATA[", f"]]></{tag}>"

        def text(parts: list[str], obj: Any) -> None:
            cleaned = clean_text(get(obj), limit)
            if cleaned is None:
                if empty is not None:
                    parts.append(empty)  # required on every item, empty on adjustment lines
            elif cdata:
                parts.append(start_cdata + cleaned.replace("]]>", "]]]]><![CDATA[>") + end_cdata)
            else:
                parts.append(start + escape(cleaned) + end)

        return text
    if kind in (Kind.MONEY, Kind.WEIGHT):
        weight = kind is Kind.WEIGHT

        def money(parts: list[str], obj: Any) -> None:
            value = get(obj)
            if value is not None:
                rounded = (
                    _weight(value) if weight else value.quantize(_CENT, rounding=ROUND_HALF_UP)
                )
                parts.append(f"{start}{rounded:f}{end}")

        return money
    if kind is Kind.BOOL:
        true, false = f"{start}true{end}", f"{start}false{end}"

        def boolean(parts: list[str], obj: Any) -> None:
            value = get(obj)
            if value is not None:
                parts.append(true if value else false)

        return boolean
    if kind is Kind.DATE:

        def instant(parts: list[str], obj: Any) -> None:
            parts.append(f"{start}{_time.format_customstore(get(obj))}{end}")

        return instant
    if kind is Kind.INT:

        def integer(parts: list[str], obj: Any) -> None:
            value = get(obj)
            if value is not None:
                parts.append(f"{start}{value}{end}")

        return integer
    if kind is Kind.ENUM:
        enum_type = row.model

        def member(parts: list[str], obj: Any) -> None:
            value = get(obj)
            if isinstance(value, enum.Enum) and isinstance(value, enum_type):  # type: ignore[arg-type]
                parts.append(f"{start}{value.value}{end}")

        return member
    children = [_emitter(f, cdata=cdata) for f in row.fields if f.attr not in row.omit]
    if kind is Kind.NESTED:

        def nested(parts: list[str], obj: Any) -> None:
            value = get(obj)
            if value is not None:
                parts.append(start)
                for emit in children:
                    emit(parts, value)
                parts.append(end)

        return nested
    item_start, item_end = f"<{row.item_tag}>", f"</{row.item_tag}>"
    count = row.max_count
    always = row.empty_container

    def repeated(parts: list[str], obj: Any) -> None:
        values = get(obj)
        if not values and not always:
            return
        parts.append(start)
        for value in values[:count]:
            parts.append(item_start)
            for emit in children:
                emit(parts, value)
            parts.append(item_end)
        parts.append(end)

    return repeated


#: The writers of an order's elements, with CDATA (``True``) and escaped (``False``).
_ORDER_EMITTERS: Final = {
    cdata: tuple(_emitter(row, cdata=cdata) for row in ORDER) for cdata in (True, False)
}


def _render_order(order: Order, *, cdata: bool) -> bytes:
    validate_order(order)
    parts = ["<Order>"]
    for emit in _ORDER_EMITTERS[cdata]:
        emit(parts, order)
    parts.append("</Order>\n")
    return "".join(parts).encode("utf-8")


def iter_render_orders(
    orders: Iterable[Order], *, pages: int, cdata: bool = True
) -> Iterator[bytes]:
    """Yield the export document in chunks: the header, one chunk per order, the end.

    Memory stays flat however many orders there are. Each order is validated just before it is
    written; validate beforehand
    (:func:`~listingmirror_shipstation.customstore.validate_order`) if a failure must
    not cut a response.

    Args:
        orders: The orders of this page.
        pages: Total number of pages (the ``pages`` attribute).
        cdata: Wrap free text in CDATA (default) or escape it.

    Raises:
        ValidationError: An order cannot be written (see
            :func:`~listingmirror_shipstation.customstore.validate_order`).
    """
    if pages < 0:
        raise ValidationError("must not be negative", field="pages", value=pages)
    yield f'<?xml version="1.0" encoding="utf-8"?>\n<Orders pages="{pages}">\n'.encode()
    for order in orders:
        yield _render_order(order, cdata=cdata)
    yield b"</Orders>\n"


def render_orders(orders: Iterable[Order], *, pages: int, cdata: bool = True) -> bytes:
    """Return the export document for *orders* (see ``iter_render_orders``)."""
    return b"".join(iter_render_orders(orders, pages=pages, cdata=cdata))


# --- parsing -------------------------------------------------------------------------------


# The refusing handlers defusedxml installs, raising its own errors with the same arguments.


def _refuse_doctype(name: str, sysid: str | None, pubid: str | None, _subset: int) -> None:
    raise defusedxml.DTDForbidden(name, sysid, pubid)


def _refuse_entity(
    name: str,
    _parameter: int,
    value: str | None,
    base: str | None,
    sysid: str | None,
    pubid: str | None,
    notation: str | None,
) -> None:
    raise defusedxml.EntitiesForbidden(name, value, base, sysid, pubid, notation)


def _refuse_unparsed_entity(
    name: str, base: str | None, sysid: str | None, pubid: str | None, notation: str | None
) -> None:
    raise defusedxml.EntitiesForbidden(name, None, base, sysid, pubid, notation)


def _refuse_external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
    raise defusedxml.ExternalReferenceForbidden(context, base, sysid, pubid)


def _prescan(data: bytes) -> None:
    """Refuse any DOCTYPE, entity declaration or external reference in *data*, at C speed.

    The first of two passes over the same bytes: an expat parser built exactly as
    ElementTree builds its own (same libexpat, no encoding given, ``"}"`` namespace separator,
    Python's codecs for 8-bit encodings) with only defusedxml's four refusing handlers set, so
    expat never calls back into Python unless it meets something to refuse. Expat reports a
    DOCTYPE as soon as it reads ``<!DOCTYPE name``, before any of its content (an internal
    subset, an external DTD) is processed, and pyexpat stops the parser when a handler raises.
    Every entity but the five predefined ones, and every external reference, needs a DOCTYPE;
    so a document that passes declares none, and the second pass (ElementTree's C parser, on
    the same bytes, through the same libexpat) can expand nothing and fetch nothing. A
    document expat finds malformed raises ``ExpatError`` here, before the second pass.
    """
    parser = expat.ParserCreate(None, "}")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.Parse(data, True)


def _parse_xml(data: bytes, max_bytes: int) -> Element:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"body of {len(data)} bytes is over the limit of {max_bytes}",
            size=len(data),
            limit=max_bytes,
        )
    body = bytes(data)  # one immutable copy: both passes read exactly these bytes
    try:
        _prescan(body)
        root: Element = fromstring(body)  # noqa: S314 - _prescan refused any DOCTYPE above
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeXMLError(f"refused unsafe XML: {type(exc).__name__}") from exc
    except (ExpatError, ParseError, ValueError, LookupError, UnicodeError) as exc:
        raise XMLError(f"not well-formed XML: {exc}") from exc
    return root


class _Reader:
    """Typed access to an element's children, with the path for error messages."""

    __slots__ = ("children", "path")

    def __init__(self, element: Element, path: str) -> None:
        self.path = path
        self.children: dict[str, Element] = {}
        for child in element:
            if isinstance(child.tag, str):
                self.children.setdefault(child.tag, child)

    def fail(self, tag: str, message: str) -> ConversionError:
        return ConversionError(
            "cannot read the document", errors=(f"{message} @ {self.path}.{tag}",)
        )

    def text(self, tag: str) -> str | None:
        child = self.children.get(tag)
        if child is None:
            return None
        return child.text or None

    def required(self, tag: str) -> str:
        value = self.text(tag)
        if value is None:
            raise self.fail(tag, "required element is missing or empty")
        return value

    def convert(self, tag: str, convert: Callable[[str], T], what: str) -> T | None:
        value = self.text(tag)
        if value is None or not value.strip():
            return None
        try:
            return convert(value.strip())
        except (ValueError, ArithmeticError) as exc:
            raise self.fail(tag, f"expected {what}, got {value!r}") from exc

    def convert_required(self, tag: str, convert: Callable[[str], T], what: str) -> T:
        value = self.convert(tag, convert, what)
        if value is None:
            raise self.fail(tag, "required element is missing or empty")
        return value

    def child(self, tag: str) -> "_Reader | None":
        element = self.children.get(tag)
        return None if element is None else _Reader(element, f"{self.path}.{tag}")

    def repeated(self, container: str, tag: str) -> list["_Reader"]:
        element = self.children.get(container)
        if element is None:
            return []
        found = [c for c in element if c.tag == tag]
        return [_Reader(c, f"{self.path}.{container}.{tag}[{i}]") for i, c in enumerate(found)]


def _decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError(text)
    return value


def _integer(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(text)
    return int(text)


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(text)


def _lenient_enum(enum_type: type[enum.Enum]) -> Callable[[str], Any]:
    def read(text: str) -> Any:
        try:
            return enum_type(text)
        except ValueError:
            return Unrecognized(text)

    return read


#: How each kind of element is read: the converter and what the error says was expected.
_READ: Final[dict[Kind, tuple[Callable[[str], Any], str]]] = {
    Kind.MONEY: (_decimal, "a decimal number"),
    Kind.WEIGHT: (_decimal, "a decimal number"),
    Kind.INT: (_integer, "a whole number"),
    Kind.BOOL: (_boolean, "true or false"),
    Kind.DATE: (_time.parse_customstore, "a date"),
}


def _reader(row: Field, *, required: bool) -> Callable[[_Reader], Any]:
    """The function reading *row*'s element from an element's children."""
    tag, kind = row.tag, row.kind
    if kind in (Kind.TEXT, Kind.CODE):
        return (lambda r: r.required(tag)) if required else (lambda r: r.text(tag))
    if kind in _READ or kind is Kind.ENUM:
        convert, what = (
            (_lenient_enum(row.model), "a known value")  # type: ignore[arg-type]
            if kind is Kind.ENUM
            else _READ[kind]
        )
        if required:
            return lambda r: r.convert_required(tag, convert, what)
        return lambda r: r.convert(tag, convert, what)
    build = _model_reader(row)
    if kind is Kind.NESTED:

        def nested(r: _Reader) -> Any:
            child = r.child(tag)
            if child is None:
                if required:
                    raise r.fail(tag, "required element is missing")
                return None
            return build(child)

        return nested
    item_tag = row.item_tag
    return lambda r: tuple(build(entry) for entry in r.repeated(tag, item_tag))


def _model_reader(row: Field) -> Callable[[_Reader], Any]:
    model = row.model
    assert model is not None  # noqa: S101 - NESTED and LIST rows name their model
    required = _required_attrs(model)
    steps = [(f.attr, _reader(f, required=f.attr in required)) for f in row.fields]

    def build(r: _Reader) -> Any:
        return model(**{attr: step(r) for attr, step in steps})

    return build


_READ_ORDER: Final = _model_reader(_ORDER_ROW)


def _read_order(r: _Reader) -> Order:
    order: Order = _READ_ORDER(r)
    return order


def _expect_root(root: Element, tag: str) -> None:
    if root.tag != tag:
        raise ConversionError(
            "cannot read the document", errors=(f"expected <{tag}>, got <{root.tag}> @ $",)
        )


def parse_orders(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> OrdersPage:
    """Read an export document (``<Orders>``), for consumers of a custom store and for tests.

    Raises:
        UnsafeXMLError: The document has a DTD, entities or external references.
        PayloadTooLargeError: *data* is longer than *max_bytes*.
        XMLError: The bytes are not well-formed XML.
        ConversionError: A value does not fit; the error names its path
            (``$.Order[0].Items.Item[1].Quantity``).
    """
    root = _parse_xml(data, max_bytes)
    _expect_root(root, "Orders")
    pages_text = root.get("pages")
    pages: int | None = None
    if pages_text is not None:
        try:
            pages = _integer(pages_text.strip())
        except ValueError:
            raise ConversionError(
                "cannot read the document",
                errors=(f"expected a whole number, got {pages_text!r} @ $.pages",),
            ) from None
    orders = [c for c in root if c.tag == "Order"]
    return OrdersPage(
        orders=tuple(_read_order(_Reader(o, f"$.Order[{i}]")) for i, o in enumerate(orders)),
        pages=pages,
    )


#: Largest ``Quantity`` a ShipNotice line is read with (as the export's ``MAX_QUANTITY``).
_NOTICE_MAX_QUANTITY: Final = 99_999
_NOTICE_QUANTITY_RE: Final = re.compile(r"\+?0*(?P<whole>\d{1,9})(?:\.0*)?")
_NOTICE_MONEY_RE: Final = re.compile(
    r"(?:(?P<code1>[A-Z]{3})\s*)?(?P<sign1>[$€£¥])?\s*"
    r"(?P<amount>[+-]?\d{1,12}(?:\.\d{1,6})?)"
    r"\s*(?P<sign2>[$€£¥])?(?:\s*(?P<code2>[A-Z]{3}))?"
)
_FRACTION_RE: Final = re.compile(r"(\d{1,2}:\d{1,2}:\d{1,2})\.\d{1,9}")
#: The form ShipStation sends (``MM/dd/yyyy HH:mm``, or the date alone).
_CANONICAL_RE: Final = re.compile(r"(\d\d)/(\d\d)/(\d{4})(?: (\d\d):(\d\d))?", re.ASCII)


def _notice_quantity(text: str) -> int:
    """``1``, ``01``, ``+1``, ``1.0`` are 1; a fraction, a minus or over 99,999 fails."""
    match = _NOTICE_QUANTITY_RE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    value = int(match["whole"])
    if value > _NOTICE_MAX_QUANTITY:
        raise ValueError(f"over {_NOTICE_MAX_QUANTITY}")
    return value


def _notice_money(text: str) -> Decimal:
    """A decimal amount, with at most one currency sign or ISO code around it (``$4.95``)."""
    match = _NOTICE_MONEY_RE.fullmatch(text)
    if match is None or (match["sign1"] and match["sign2"]) or (match["code1"] and match["code2"]):
        raise ValueError(text)
    return Decimal(match["amount"])


def _canonical(text: str) -> datetime | None:
    """The protocol's own form, read as ``_time.parse_customstore`` reads it, without its cost.

    ``None`` for anything else (another form, an impossible date): the general path decides.
    """
    match = _CANONICAL_RE.fullmatch(text)
    if match is None:
        return None
    month, day, year, hour, minute = match.groups()
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), tzinfo=UTC
        )
    except ValueError:
        return None


def _notice_datetime(text: str) -> datetime:
    """A Custom Store date (any variant), with fractional seconds, or ISO 8601 (naive = UTC)."""
    canonical = _canonical(text)
    if canonical is not None:
        return canonical
    try:
        return _time.parse_customstore(_FRACTION_RE.sub(r"\1", text))
    except ValueError:
        pass
    parsed = datetime.fromisoformat(text)  # 2026-11-20, 2026-11-20T12:56:07.123, ...Z
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _notice_date(text: str) -> date:
    """A ship date: any form :func:`_notice_datetime` reads; the time, if any, is ignored."""
    canonical = _canonical(text)
    if canonical is not None:
        return canonical.date()
    try:
        return _time.parse_customstore_date(_FRACTION_RE.sub(r"\1", text))
    except ValueError:
        return datetime.fromisoformat(text).date()  # the calendar day as written


def _first_texts(element: Element | None) -> dict[str, str | None]:
    """Each child's text by tag, the first child of a tag winning (as ``_Reader`` reads)."""
    if element is None:
        return {}
    return {child.tag: child.text for child in reversed(element)}


def _notice_value(
    texts: dict[str, str | None],
    tag: str,
    convert: Callable[[str], T],
    what: str,
    path: str,
    on_unreadable: Callable[[str, str], None] | None,
) -> T | None:
    """One optional ShipNotice value: empty is ``None``; unreadable raises or is reported."""
    raw = texts.get(tag)
    if not raw:
        return None
    stripped = raw.strip()
    if not stripped:
        return None
    try:
        return convert(stripped)
    except (ValueError, ArithmeticError) as exc:
        if on_unreadable is None:
            raise ConversionError(
                "cannot read the document", errors=(f"expected {what}, got {raw!r} @ {path}.{tag}",)
            ) from exc
        on_unreadable(f"{path}.{tag}", raw)
        return None


def _notice_address(element: Element | None) -> Address | None:
    if element is None:
        return None
    texts = _first_texts(element)
    text = texts.get
    return Address(
        name=text("Name") or None,
        company=text("Company") or None,
        address1=text("Address1") or None,
        address2=text("Address2") or None,
        city=text("City") or None,
        state=text("State") or None,
        postal_code=text("PostalCode") or None,
        country=text("Country") or None,
        phone=text("Phone") or None,
        email=text("Email") or None,
    )


def _notice_items(
    element: Element | None, on_unreadable: Callable[[str, str], None] | None
) -> tuple[ShipNoticeItem, ...]:
    if element is None:
        return ()
    items = []
    for index, item in enumerate(element.findall("Item")):
        texts = _first_texts(item)
        text = texts.get
        items.append(
            ShipNoticeItem(
                sku=text("SKU") or None,
                name=text("Name") or None,
                quantity=_notice_value(
                    texts,
                    "Quantity",
                    _notice_quantity,
                    "a whole number 0 to 99,999",
                    f"$.Items.Item[{index}]",
                    on_unreadable,
                ),
                line_item_id=text("LineItemID") or None,
                upc=text("UPC") or None,
            )
        )
    return tuple(items)


def parse_ship_notice(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_unreadable: Callable[[str, str], None] | None = None,
) -> ShipNotice:
    """Read a ``<ShipNotice>`` body (untrusted input: parsed safely, see the module docstring).

    Common odd forms are read where their meaning is certain: ``LabelCreateDate`` in any Custom
    Store form, with fractional seconds, or ISO 8601 (``2026-11-20T12:56:07.123``; no offset
    means UTC) becomes an aware UTC datetime; ``ShipDate`` likewise (``2026-11-20``) becomes a
    date; ``ShippingCost`` may carry one currency sign or code (``$4.95``, ``4.95 USD``);
    ``Quantity`` may be written ``1.0``. A quantity must be a whole number from 0 to 99,999:
    anything else (a fraction, a negative, 4,000 digits) is unreadable. An empty
    ``NotifyCustomer`` is ``None``; no ``Items`` means none.

    >>> from listingmirror_shipstation.customstore import parse_ship_notice
    >>> notice = parse_ship_notice(
    ...     b"<ShipNotice><OrderNumber>1</OrderNumber><ShippingCost>$4.95</ShippingCost>"
    ...     b"<Items><Item><SKU>A</SKU><Quantity>1.0</Quantity></Item></Items></ShipNotice>")
    >>> notice.shipping_cost, notice.items[0].quantity
    (Decimal('4.95'), 1)

    Args:
        data: The body.
        max_bytes: Largest body read.
        on_unreadable: Makes the parse lenient: an optional value that still cannot be read is
            passed to it as ``(path, value)`` (``"$.Items.Item[0].Quantity"``, ``"1e9"``) and
            read as ``None``, instead of failing the whole notice. Without it, such a value
            raises ``ConversionError``.

    Raises:
        UnsafeXMLError: The body has a DTD, entities or external references.
        PayloadTooLargeError: *data* is longer than *max_bytes*.
        XMLError: The bytes are not well-formed XML.
        ConversionError: The root is not ``ShipNotice``, or (without *on_unreadable*) a value
            does not fit.
    """
    root = _parse_xml(data, max_bytes)
    _expect_root(root, "ShipNotice")
    texts = _first_texts(root)
    text = texts.get
    return ShipNotice(
        order_id=text("OrderID") or None,
        order_number=text("OrderNumber") or None,
        customer_code=text("CustomerCode") or None,
        customer_notes=text("CustomerNotes") or None,
        internal_notes=text("InternalNotes") or None,
        notes_to_customer=text("NotesToCustomer") or None,
        notify_customer=_notice_value(
            texts, "NotifyCustomer", _boolean, "true or false", "$", on_unreadable
        ),
        label_create_date=_notice_value(
            texts, "LabelCreateDate", _notice_datetime, "a date", "$", on_unreadable
        ),
        ship_date=_notice_value(texts, "ShipDate", _notice_date, "a date", "$", on_unreadable),
        carrier=text("Carrier") or None,
        service=text("Service") or None,
        tracking_number=text("TrackingNumber") or None,
        shipping_cost=_notice_value(
            texts, "ShippingCost", _notice_money, "a decimal number", "$", on_unreadable
        ),
        custom_field1=text("CustomField1") or None,
        custom_field2=text("CustomField2") or None,
        custom_field3=text("CustomField3") or None,
        recipient=_notice_address(root.find("Recipient")),
        items=_notice_items(root.find("Items"), on_unreadable),
    )


def _first(query: Mapping[str, Any], key: str) -> str | None:
    for name, value in query.items():
        if isinstance(name, str) and name.lower() == key:
            if isinstance(value, str):
                return value
            if isinstance(value, Sequence) and value and isinstance(value[0], str):
                return value[0]
            return None
    return None


def _query_date(query: Mapping[str, Any], key: str) -> datetime:
    value = _first(query, key)
    if value is None or not value.strip():
        raise ConversionError(
            "cannot read the export query", errors=(f"{key} is required @ $.{key}",)
        )
    try:
        return _time.parse_customstore(value)
    except ValueError:
        raise ConversionError(
            "cannot read the export query",
            errors=(f"expected MM/dd/yyyy HH:mm, got {value!r} @ $.{key}",),
        ) from None


#: Highest export page number read (ShipStation's page is a 32-bit integer); a larger one would
#: overflow the snapshot stores' 64-bit offsets.
_MAX_PAGE: Final = 2**31 - 1


def parse_export_query(query: str | bytes | Mapping[str, Any]) -> ExportQuery:
    """Read the window and page of an ``action=export`` request.

    Args:
        query: The raw query string (``start_date=11%2f05%2f2023+14%3a07&...``, form-encoded
            as ShipStation sends it), or an already-decoded mapping (values may be lists, as
            :func:`urllib.parse.parse_qs` makes them).

    Raises:
        ConversionError: ``start_date`` or ``end_date`` is missing or not a date, ``page`` is
            not a whole number from 1 to 2,147,483,647, or the window ends before it starts.
    """
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    mapping = (
        urllib.parse.parse_qs(query, keep_blank_values=True) if isinstance(query, str) else query
    )
    start = _query_date(mapping, "start_date")
    end = _query_date(mapping, "end_date")
    page_text = _first(mapping, "page")
    page = 1
    if page_text is not None and page_text.strip():
        try:
            page = _integer(page_text.strip())
        except ValueError:
            page = 0
        if not 1 <= page <= _MAX_PAGE:
            shown = page_text if len(page_text) <= 40 else page_text[:40] + "..."
            raise ConversionError(
                "cannot read the export query",
                errors=(f"expected a page number from 1 to {_MAX_PAGE}, got {shown!r} @ $.page",),
            )
    if end < start:
        raise ConversionError(
            "cannot read the export query",
            errors=(f"end_date {end.isoformat()} is before start_date {start.isoformat()} @ $",),
        )
    return ExportQuery(start=start, end=end, page=page)
