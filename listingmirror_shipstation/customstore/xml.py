"""Custom Store XML: safe parsing of untrusted documents, streaming rendering of the export.

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

import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, TypeVar
from xml.etree.ElementTree import Element, ParseError, fromstring
from xml.parsers import expat
from xml.parsers.expat import ExpatError
from xml.sax.saxutils import escape

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
from .models import (
    Address,
    Customer,
    ExportQuery,
    Item,
    Option,
    Order,
    OrdersPage,
    ShipNotice,
    ShipNoticeItem,
    WeightUnits,
)
from .validate import LIMITS, MAX_OPTIONS, clean_text, validate_order

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


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _weight(value: Decimal | None) -> Decimal | None:
    """Two decimals, half-up; a positive weight never becomes zero."""
    rounded = _money(value)
    if value is not None and value > 0 and rounded == 0:
        return _CENT
    return rounded


def _address(address: Address | None, *, email: bool) -> Address | None:
    if address is None:
        return None
    return Address(
        name=clean_text(address.name, LIMITS["Name"]),
        company=clean_text(address.company, LIMITS["Company"]),
        address1=clean_text(address.address1, LIMITS["Address1"]),
        address2=clean_text(address.address2, LIMITS["Address2"]),
        city=clean_text(address.city, LIMITS["City"]),
        state=clean_text(address.state, LIMITS["State"]),
        postal_code=clean_text(address.postal_code, LIMITS["PostalCode"]),
        country=clean_text(address.country, LIMITS["Country"]),
        phone=clean_text(address.phone, LIMITS["Phone"]),
        email=clean_text(address.email, LIMITS["Email"]) if email else None,
    )


def _item(item: Item) -> Item:
    return Item(
        line_item_id=clean_text(item.line_item_id, LIMITS["LineItemID"]),
        sku=clean_text(item.sku, LIMITS["SKU"]),
        name=clean_text(item.name, LIMITS["ItemName"]),
        image_url=clean_text(item.image_url, LIMITS["ImageUrl"]),
        weight=_weight(item.weight),
        weight_units=item.weight_units,
        quantity=item.quantity,
        unit_price=item.unit_price.quantize(_CENT, rounding=ROUND_HALF_UP),
        upc=clean_text(item.upc, LIMITS["UPC"]),
        location=clean_text(item.location, LIMITS["Location"]),
        adjustment=item.adjustment,
        options=tuple(
            Option(
                name=clean_text(o.name, LIMITS["OptionName"]),
                value=clean_text(o.value, LIMITS["OptionValue"]),
                weight=_weight(o.weight),
            )
            for o in item.options[:MAX_OPTIONS]
        ),
    )


def normalise(order: Order) -> Order:
    """Return *order* as the export will carry it (see the module docstring for the rules).

    Customer addresses: only ``BillTo`` carries an email; ``ShipTo`` carries none.
    """
    text = {
        name: clean_text(getattr(order, attr), LIMITS[name])
        for name, attr in (
            ("OrderID", "order_id"),
            ("ShippingMethod", "shipping_method"),
            ("PaymentMethod", "payment_method"),
            ("CurrencyCode", "currency_code"),
            ("CustomerNotes", "customer_notes"),
            ("InternalNotes", "internal_notes"),
            ("GiftMessage", "gift_message"),
            ("CustomField1", "custom_field1"),
            ("CustomField2", "custom_field2"),
            ("CustomField3", "custom_field3"),
        )
    }
    customer = order.customer
    return Order(
        order_id=text["OrderID"],
        order_number=clean_text(order.order_number, LIMITS["OrderNumber"]) or "",
        order_date=order.order_date.astimezone(UTC).replace(second=0, microsecond=0),
        order_status=clean_text(order.order_status, LIMITS["OrderStatus"]) or "",
        last_modified=order.last_modified.astimezone(UTC).replace(second=0, microsecond=0),
        shipping_method=text["ShippingMethod"],
        payment_method=text["PaymentMethod"],
        currency_code=text["CurrencyCode"],
        order_total=order.order_total.quantize(_CENT, rounding=ROUND_HALF_UP),
        tax_amount=_money(order.tax_amount),
        shipping_amount=_money(order.shipping_amount),
        customer_notes=text["CustomerNotes"],
        internal_notes=text["InternalNotes"],
        gift=order.gift,
        gift_message=text["GiftMessage"],
        custom_field1=text["CustomField1"],
        custom_field2=text["CustomField2"],
        custom_field3=text["CustomField3"],
        customer=Customer(
            customer_code=clean_text(customer.customer_code, LIMITS["CustomerCode"]),
            bill_to=_address(customer.bill_to, email=True),
            ship_to=_address(customer.ship_to, email=False),
        ),
        items=tuple(_item(i) for i in order.items),
    )


class _Writer:
    """Appends elements to a list of string parts."""

    __slots__ = ("cdata", "parts")

    def __init__(self, *, cdata: bool) -> None:
        self.cdata = cdata
        self.parts: list[str] = []

    def text(self, tag: str, value: str | None, limit: int) -> None:
        cleaned = clean_text(value, limit)
        if cleaned is None:
            return
        if self.cdata:
            body = "<![CDATA[" + cleaned.replace("]]>", "]]]]><![CDATA[>") + "]]>"
        else:
            body = escape(cleaned)
        self.parts.append(f"<{tag}>{body}</{tag}>")

    def raw(self, tag: str, value: object) -> None:
        if value is not None:
            self.parts.append(f"<{tag}>{value}</{tag}>")

    def money(self, tag: str, value: Decimal | None) -> None:
        if value is not None:
            self.parts.append(f"<{tag}>{value.quantize(_CENT, rounding=ROUND_HALF_UP):f}</{tag}>")

    def weight(self, tag: str, value: Decimal | None) -> None:
        self.money(tag, _weight(value))

    def boolean(self, tag: str, value: bool | None) -> None:
        if value is not None:
            self.parts.append(f"<{tag}>{'true' if value else 'false'}</{tag}>")

    def address(self, tag: str, address: Address | None, *, email: bool) -> None:
        if address is None:
            return
        self.parts.append(f"<{tag}>")
        for name, value in (
            ("Name", address.name),
            ("Company", address.company),
            ("Address1", address.address1),
            ("Address2", address.address2),
            ("City", address.city),
            ("State", address.state),
            ("PostalCode", address.postal_code),
            ("Country", address.country),
            ("Phone", address.phone),
        ):
            self.text(name, value, LIMITS[name])
        if email:
            self.text("Email", address.email, LIMITS["Email"])
        self.parts.append(f"</{tag}>")


def _render_order(order: Order, *, cdata: bool) -> bytes:
    validate_order(order)
    w = _Writer(cdata=cdata)
    w.parts.append("<Order>")
    w.text("OrderID", order.order_id, LIMITS["OrderID"])
    w.text("OrderNumber", order.order_number, LIMITS["OrderNumber"])
    w.raw("OrderDate", _time.format_customstore(order.order_date))
    w.text("OrderStatus", order.order_status, LIMITS["OrderStatus"])
    w.raw("LastModified", _time.format_customstore(order.last_modified))
    w.text("ShippingMethod", order.shipping_method, LIMITS["ShippingMethod"])
    w.text("PaymentMethod", order.payment_method, LIMITS["PaymentMethod"])
    w.text("CurrencyCode", order.currency_code, LIMITS["CurrencyCode"])
    w.money("OrderTotal", order.order_total)
    w.money("TaxAmount", order.tax_amount)
    w.money("ShippingAmount", order.shipping_amount)
    w.text("CustomerNotes", order.customer_notes, LIMITS["CustomerNotes"])
    w.text("InternalNotes", order.internal_notes, LIMITS["InternalNotes"])
    w.boolean("Gift", order.gift)
    w.text("GiftMessage", order.gift_message, LIMITS["GiftMessage"])
    for number in (1, 2, 3):
        tag = f"CustomField{number}"
        w.text(tag, getattr(order, f"custom_field{number}"), LIMITS[tag])
    w.parts.append("<Customer>")
    w.text("CustomerCode", order.customer.customer_code, LIMITS["CustomerCode"])
    w.address("BillTo", order.customer.bill_to, email=True)
    w.address("ShipTo", order.customer.ship_to, email=False)
    w.parts.append("</Customer><Items>")
    for item in order.items:
        w.parts.append("<Item>")
        w.text("LineItemID", item.line_item_id, LIMITS["LineItemID"])
        if clean_text(item.sku, LIMITS["SKU"]) is None:
            w.parts.append("<SKU/>")  # required on every item, empty on adjustment lines
        else:
            w.text("SKU", item.sku, LIMITS["SKU"])
        w.text("Name", item.name, LIMITS["ItemName"])
        w.text("ImageUrl", item.image_url, LIMITS["ImageUrl"])
        w.weight("Weight", item.weight)
        if isinstance(item.weight_units, WeightUnits):
            w.raw("WeightUnits", item.weight_units.value)
        w.raw("Quantity", item.quantity)
        w.money("UnitPrice", item.unit_price)
        w.text("UPC", item.upc, LIMITS["UPC"])
        w.text("Location", item.location, LIMITS["Location"])
        w.boolean("Adjustment", item.adjustment)
        if item.options:
            w.parts.append("<Options>")
            for option in item.options[:MAX_OPTIONS]:
                w.parts.append("<Option>")
                w.text("Name", option.name, LIMITS["OptionName"])
                w.text("Value", option.value, LIMITS["OptionValue"])
                w.weight("Weight", option.weight)
                w.parts.append("</Option>")
            w.parts.append("</Options>")
        w.parts.append("</Item>")
    w.parts.append("</Items></Order>\n")
    return "".join(w.parts).encode("utf-8")


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


def _weight_units(text: str) -> WeightUnits | Unrecognized:
    try:
        return WeightUnits(text)
    except ValueError:
        return Unrecognized(text)


def _read_address(reader: "_Reader | None") -> Address | None:
    if reader is None:
        return None
    return Address(
        name=reader.text("Name"),
        company=reader.text("Company"),
        address1=reader.text("Address1"),
        address2=reader.text("Address2"),
        city=reader.text("City"),
        state=reader.text("State"),
        postal_code=reader.text("PostalCode"),
        country=reader.text("Country"),
        phone=reader.text("Phone"),
        email=reader.text("Email"),
    )


def _read_item(r: _Reader) -> Item:
    return Item(
        line_item_id=r.text("LineItemID"),
        sku=r.text("SKU"),
        name=r.text("Name"),
        image_url=r.text("ImageUrl"),
        weight=r.convert("Weight", _decimal, "a decimal number"),
        weight_units=r.convert("WeightUnits", _weight_units, "a weight unit"),
        quantity=r.convert_required("Quantity", _integer, "a whole number"),
        unit_price=r.convert_required("UnitPrice", _decimal, "a decimal number"),
        upc=r.text("UPC"),
        location=r.text("Location"),
        adjustment=r.convert("Adjustment", _boolean, "true or false"),
        options=tuple(
            Option(
                name=o.text("Name"),
                value=o.text("Value"),
                weight=o.convert("Weight", _decimal, "a decimal number"),
            )
            for o in r.repeated("Options", "Option")
        ),
    )


def _read_order(r: _Reader) -> Order:
    customer = r.child("Customer")
    if customer is None:
        raise r.fail("Customer", "required element is missing")
    return Order(
        order_id=r.text("OrderID"),
        order_number=r.required("OrderNumber"),
        order_date=r.convert_required("OrderDate", _time.parse_customstore, "a date"),
        order_status=r.required("OrderStatus"),
        last_modified=r.convert_required("LastModified", _time.parse_customstore, "a date"),
        shipping_method=r.text("ShippingMethod"),
        payment_method=r.text("PaymentMethod"),
        currency_code=r.text("CurrencyCode"),
        order_total=r.convert_required("OrderTotal", _decimal, "a decimal number"),
        tax_amount=r.convert("TaxAmount", _decimal, "a decimal number"),
        shipping_amount=r.convert("ShippingAmount", _decimal, "a decimal number"),
        customer_notes=r.text("CustomerNotes"),
        internal_notes=r.text("InternalNotes"),
        gift=r.convert("Gift", _boolean, "true or false"),
        gift_message=r.text("GiftMessage"),
        custom_field1=r.text("CustomField1"),
        custom_field2=r.text("CustomField2"),
        custom_field3=r.text("CustomField3"),
        customer=Customer(
            customer_code=customer.text("CustomerCode"),
            bill_to=_read_address(customer.child("BillTo")),
            ship_to=_read_address(customer.child("ShipTo")),
        ),
        items=tuple(_read_item(i) for i in r.repeated("Items", "Item")),
    )


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
